"""Handlers as a package: importing it imports its submodules."""

from . import ping

__all__ = ["ping"]
