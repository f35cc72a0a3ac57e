"""Pipeline behaviors: code that runs around handlers, listed in ``FUNCTIONALKIT["BEHAVIORS"]``."""

from .base import Behavior

__all__ = ["Behavior"]
