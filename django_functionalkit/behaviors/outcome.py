"""How a behavior refuses a message: a ``Failure`` when the handler returns a ``Result``,
else the exception that carries the same error value (``ForbiddenError``, ...)."""

from __future__ import annotations

import typing
from typing import Any

from django_functionalkit.errors import Error
from django_functionalkit.messages import Command, Query
from django_functionalkit.results import Failure, Result

__all__ = ["refuse", "returns_result"]


_RETURNS_RESULT: dict[type, bool] = {}


def returns_result(message_type: type) -> bool:
    """Whether the handler of ``message_type`` returns a ``Result`` (``Query[Result[...]]``)."""
    known = _RETURNS_RESULT.get(message_type)
    if known is None:
        known = _RETURNS_RESULT[message_type] = _declares_result(message_type)
    return known


def _declares_result(message_type: type) -> bool:
    for klass in message_type.__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            if typing.get_origin(base) in (Query, Command):
                (declared,) = typing.get_args(base) or (None,)
                origin = typing.get_origin(declared) or declared
                return isinstance(origin, type) and issubclass(origin, Result)
    return False


def refuse(message: Any, error: Error) -> Any:
    """``Failure(error)`` for a message whose result is a ``Result``; raise otherwise."""
    if returns_result(type(message)):
        return Failure(error)
    raise error.exception()
