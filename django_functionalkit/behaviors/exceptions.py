"""``ExceptionBehavior``: exceptions a query or command raises become failures, and are logged.

What a handler raises, for a message whose handler returns a ``Result``::

    RaisedError (NotFoundError, ...)    Failure(exc.error)                    a warning line
    any other Exception                 Failure(Error("An unexpected error    an error line with
                                        occurred", code="unexpected"))        the traceback

For any other message the exception propagates unchanged, after the same log line.
``BaseException``s that are not ``Exception``s (``KeyboardInterrupt``, ``asyncio.CancelledError``,
``SystemExit``) are never caught. The log lines go to the ``django_functionalkit`` logger and
name the message type, never the message's field values.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from django_functionalkit.context import current_context
from django_functionalkit.errors import Error, RaisedError
from django_functionalkit.introspection import dotted_name
from django_functionalkit.messages import Command, Query
from django_functionalkit.results import Failure

from .base import Behavior
from .outcome import returns_result

__all__ = ["UNEXPECTED", "ExceptionBehavior", "error_for"]

logger = logging.getLogger("django_functionalkit")

UNEXPECTED = Error("An unexpected error occurred", code="unexpected")
"""The error value of every unexpected exception: it says nothing about the internals."""


class ExceptionBehavior(Behavior):
    """Turns what queries and commands raise into failures, for those that return a ``Result``."""

    message_types: ClassVar[tuple[type, ...]] = (Query, Command)

    def handle(self, message: Any, call_next: Callable[[Any], Any]) -> Any:
        """Run the rest of the pipeline; a raised exception becomes a ``Failure``."""
        try:
            return call_next(message)
        except Exception as exc:
            error = error_for(message, exc)
            if not returns_result(type(message)):
                raise
            return Failure(error)

    async def ahandle(self, message: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        """The async path; cancellation propagates as it must."""
        try:
            return await call_next(message)
        except Exception as exc:
            error = error_for(message, exc)
            if not returns_result(type(message)):
                raise
            return Failure(error)


def error_for(message: Any, exc: Exception) -> Error:
    """The error value that stands for ``exc``, once ``exc`` is logged."""
    if isinstance(exc, RaisedError):
        _log_refusal(message, exc)
        return exc.error
    _log_unexpected(message, exc)
    return UNEXPECTED


def _log_refusal(message: Any, exc: RaisedError) -> None:
    if logger.isEnabledFor(logging.WARNING):
        logger.warning(
            "%s %s raised %s (%s)",
            message.kind.title(),
            type(message).__qualname__,
            type(exc).__name__,
            exc.error.code,
            extra=_fields(message, exc),
        )


def _log_unexpected(message: Any, exc: Exception) -> None:
    if logger.isEnabledFor(logging.ERROR):
        logger.error(
            "Unhandled exception in %s %s",
            message.kind,
            type(message).__qualname__,
            exc_info=(type(exc), exc, exc.__traceback__),
            extra=_fields(message, exc),
        )


def _fields(message: Any, exc: Exception) -> dict[str, object]:
    """The structured fields of a log line: names and codes, never the message's values."""
    message_type = type(message)
    return {
        "message_kind": message.kind,
        "message_type": dotted_name(message_type),
        "exception_type": type(exc).__qualname__,
        "error_code": exc.error.code if isinstance(exc, RaisedError) else UNEXPECTED.code,
        "request_id": current_context().request_id,
    }
