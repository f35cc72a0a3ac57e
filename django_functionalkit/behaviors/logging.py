"""``LoggingBehavior``: one structured line per dispatch, with its outcome and duration.

Every query, command and notification gets one line on the ``django_functionalkit`` logger::

    query GetUserById succeeded in 2.1 ms                              INFO
    command DeleteUser failed (forbidden) in 1.3 ms                    INFO
    command DeleteUser raised NotFoundError (not_found) in 0.9 ms      WARNING
    command ImportProducts raised ConnectionError in 0.4 ms            ERROR
    query SearchProducts succeeded in 1830.2 ms (slow: over 1.0 s)     at least WARNING

The same facts go to the record as ``extra`` fields (``message_kind``, ``message_type``,
``outcome``, ``error_code``, ``exception_type``, ``duration_ms``, ``slow``, ``request_id``), so
a JSON formatter writes them as keys. Only names and codes are logged, never the message's field
values nor an error's detail, which may hold input. Nothing is formatted for a level that is off.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from time import perf_counter
from typing import Any, NamedTuple

from django_functionalkit.conf import fk_settings
from django_functionalkit.context import current_context
from django_functionalkit.errors import Error, RaisedError
from django_functionalkit.introspection import dotted_name
from django_functionalkit.results import Failure

from .base import Behavior

__all__ = ["LoggingBehavior", "Outcome"]

logger = logging.getLogger("django_functionalkit")


class LoggingBehavior(Behavior):
    """Logs every dispatch: kind, type, outcome and duration; slow ones as warnings."""

    def handle(self, message: Any, call_next: Callable[[Any], Any]) -> Any:
        """Time the rest of the pipeline and log how it went."""
        start = perf_counter()
        try:
            result = call_next(message)
        except BaseException as exc:
            log_dispatch(message, perf_counter() - start, Outcome.of_exception(exc))
            raise
        log_dispatch(message, perf_counter() - start, Outcome.of_result(result))
        return result

    async def ahandle(self, message: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        """The async path: the duration includes the time spent awaiting."""
        start = perf_counter()
        try:
            result = await call_next(message)
        except BaseException as exc:
            log_dispatch(message, perf_counter() - start, Outcome.of_exception(exc))
            raise
        log_dispatch(message, perf_counter() - start, Outcome.of_result(result))
        return result


class Outcome(NamedTuple):
    """How a dispatch ended, in loggable terms: names and codes only."""

    outcome: str  # "success", "failure" or "exception"
    level: int
    error_code: str | None = None
    exception_type: str | None = None

    @classmethod
    def of_result(cls, result: object) -> Outcome:
        """Success, or failure with the error's code (its type name for other values)."""
        if isinstance(result, Failure):
            error = result.error
            code = error.code if isinstance(error, Error) else type(error).__name__
            return cls("failure", logging.INFO, error_code=code)
        return cls("success", logging.INFO)

    @classmethod
    def of_exception(cls, exc: BaseException) -> Outcome:
        """An exception: a warning for a refusal (``NotFoundError``, ...), an error otherwise.

        Cancellation and exits (``BaseException``s that are not ``Exception``s) are not faults.
        """
        name = type(exc).__qualname__
        if isinstance(exc, RaisedError):
            return cls("exception", logging.WARNING, exc.error.code, name)
        level = logging.ERROR if isinstance(exc, Exception) else logging.INFO
        return cls("exception", level, exception_type=name)


def log_dispatch(message: Any, seconds: float, outcome: Outcome) -> None:
    """Write the line of one dispatch, unless its level is off."""
    threshold = fk_settings.SLOW_DISPATCH_SECONDS
    slow = threshold is not None and seconds > threshold
    level = max(outcome.level, logging.WARNING) if slow else outcome.level
    if not logger.isEnabledFor(level):
        return
    message_type = type(message)
    milliseconds = seconds * 1000
    text, args = _text(outcome)
    logger.log(
        level,
        "%s %s " + text + " in %.1f ms" + (" (slow: over %s s)" if slow else ""),
        message.kind,
        message_type.__qualname__,
        *args,
        milliseconds,
        *((threshold,) if slow else ()),
        extra={
            "message_kind": message.kind,
            "message_type": dotted_name(message_type),
            "outcome": outcome.outcome,
            "error_code": outcome.error_code,
            "exception_type": outcome.exception_type,
            "duration_ms": round(milliseconds, 3),
            "slow": slow,
            "request_id": current_context().request_id,
        },
    )


def _text(outcome: Outcome) -> tuple[str, tuple[str, ...]]:
    """The outcome's part of the line, as a %-format and its arguments."""
    if outcome.outcome == "success":
        return "succeeded", ()
    if outcome.outcome == "failure":
        return "failed (%s)", (outcome.error_code or "",)
    if outcome.error_code is not None:
        return "raised %s (%s)", (outcome.exception_type or "", outcome.error_code)
    return "raised %s", (outcome.exception_type or "",)
