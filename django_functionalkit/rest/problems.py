"""RFC 9457 problem details for error values: the one error shape every response uses.

=========================================  ======
error value / exception                    status
=========================================  ======
``InvalidInput`` (field errors)            400
``Unauthorized``                           401 (403 without a challenge: ``challenge``)
``Forbidden``                              403
``NotFound``                               404
``Conflict``                               409
a plain string or any other error value    400
=========================================  ======
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any, TypeGuard

from django_functionalkit.errors import (
    Conflict,
    Error,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    RaisedError,
    Unauthorized,
)

logger = logging.getLogger("django_functionalkit")

__all__ = ["PROBLEM_CONTENT_TYPE", "problem", "problem_for", "status_for"]

PROBLEM_CONTENT_TYPE = "application/problem+json"

_STATUS: tuple[tuple[type[Error], int], ...] = (
    (InvalidInput, 400),
    (Unauthorized, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
)


def status_for(error: object) -> int:
    """The HTTP status of an error value (400 for anything the table does not name)."""
    for error_type, status in _STATUS:
        if isinstance(error, error_type):
            return status
    return 400


def problem(
    status: int,
    detail: str = "",
    *,
    code: str | None = None,
    errors: Mapping[str, list[str]] | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    """A problem-details body: type, title, status, detail, and extensions when given."""
    try:
        known = HTTPStatus(status)
    except ValueError:  # a status of someone's own
        phrase, description = "Error", ""
    else:
        phrase, description = known.phrase, known.description
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or phrase,
        "status": status,
        "detail": detail or description,
    }
    if code:
        body["code"] = code
    if errors:
        body["errors"] = {field: list(messages) for field, messages in errors.items()}
    return body


def problem_for(error: object) -> tuple[int, dict[str, Any]]:
    """The status and problem body of the error a ``Failure`` holds."""
    if isinstance(error, RaisedError):
        error = error.error  # NotFoundError and the like map as their values do
    elif isinstance(error, BaseException):
        # Result.from_call(...) caught it: unexpected, so logged, and nothing of it is shown.
        logger.error(
            "A Failure holds an unexpected %s",
            type(error).__name__,
            exc_info=(type(error), error, error.__traceback__),
        )
        return 500, problem(500, "An unexpected error occurred.", code="unexpected")
    if _is_field_errors(error):
        error = InvalidInput.of(error)  # Validation.to_result() fails with its errors
    status = status_for(error)
    if isinstance(error, InvalidInput):
        return status, problem(status, error.detail, code=error.code, errors=error.fields())
    if isinstance(error, Error):
        return status, problem(status, error.detail, code=error.code)
    if isinstance(error, str):
        return status, problem(status, error)
    return status, problem(status)  # another value's repr is no message for a client


def _is_field_errors(error: object) -> TypeGuard[Iterable[FieldError | str]]:
    return (
        isinstance(error, Iterable)
        and not isinstance(error, str | bytes | Mapping)
        and bool(error)
        and all(isinstance(e, FieldError | str) for e in error)
    )
