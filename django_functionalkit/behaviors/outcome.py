"""How a behavior refuses a message: a ``Failure`` when the handler returns a ``Result``,
else the exception that carries the same error value (``ForbiddenError``, ...)."""

from __future__ import annotations

from typing import Any

from django_functionalkit.declarations import returns_result
from django_functionalkit.errors import Error
from django_functionalkit.results import Failure

__all__ = ["refuse", "returns_result"]


def refuse(message: Any, error: Error) -> Any:
    """``Failure(error)`` for a message whose result is a ``Result``; raise otherwise."""
    if returns_result(type(message)):
        return Failure(error)
    raise error.exception()
