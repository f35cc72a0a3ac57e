"""``exception_handler``: every error a DRF view meets, in one problem-details shape.

Set it once::

    REST_FRAMEWORK = {"EXCEPTION_HANDLER": "django_functionalkit.rest.exception_handler"}

DRF's own errors keep their status (validation 400 with field errors, authentication 401 with
the first authenticator's ``WWW-Authenticate`` or, where it offers none, 403, as DRF answers;
permission 403, not found 404, method 405, not acceptable 406, unsupported media type 415,
throttling 429 with ``Retry-After``), the library's exceptions (``NotFoundError``, ...) map as
their error values do, a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a 413, and anything else is
a 500 that is logged and says nothing of the internals.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework import exceptions as drf
from rest_framework.views import set_rollback

from django_functionalkit.errors import RaisedError

from .problems import problem
from .responses import problem_json, problem_response

__all__ = ["exception_handler"]

logger = logging.getLogger("django_functionalkit")


def exception_handler(exc: Exception, context: dict[str, Any]) -> HttpResponse:
    """DRF's ``EXCEPTION_HANDLER``: a problem-details response for ``exc``."""
    set_rollback()
    request = context.get("request")
    if isinstance(exc, RaisedError):
        return problem_response(exc.error, request=request)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf.PermissionDenied()
    if isinstance(exc, drf.APIException):
        return _api_problem(exc, request)
    if isinstance(exc, RequestDataTooBig):
        return problem_json(
            413, problem(413, "The request body is larger than this server accepts.")
        )
    if isinstance(exc, SuspiciousOperation):
        return problem_json(400, problem(400, "The request was refused."))
    view = context.get("view")
    logger.error(
        "Unexpected %s in %s",
        type(exc).__name__,
        type(view).__qualname__ if view is not None else "a view",
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return problem_json(500, problem(500, "An unexpected error occurred.", code="unexpected"))


def _api_problem(exc: drf.APIException, request: HttpRequest | None) -> HttpResponse:
    status = exc.status_code
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = str(exc.auth_header)  # type: ignore[attr-defined]
    wait = getattr(exc, "wait", None)  # drf.Throttled
    if wait is not None:
        headers["Retry-After"] = str(int(wait))
    if isinstance(exc, drf.ValidationError):
        body = problem(
            status,
            "The input is invalid.",
            code="invalid",
            errors=flat_field_errors(exc.detail),
        )
    else:
        body = problem(status, str(exc.detail), code=str(exc.get_codes()))
    # DRF's views challenge a NotAuthenticated themselves; one raised elsewhere is challenged here.
    return problem_json(status, body, headers, request=request)


def flat_field_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail flattened to ``{"field.sub": [messages]}``."""
    found: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key in ("non_field_errors", "__all__") and not prefix:
                name = "non_field_errors"
            for field, messages in flat_field_errors(value, name).items():
                found.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            name = prefix if not isinstance(item, dict | list) else f"{prefix}.{index}"
            for field, messages in flat_field_errors(item, name).items():
                found.setdefault(field, []).extend(messages)
    else:
        found.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return found
