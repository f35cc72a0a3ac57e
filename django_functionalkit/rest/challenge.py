"""401 needs a challenge: ``WWW-Authenticate`` from the first authenticator, else a 403.

RFC 9110 requires a 401 to say how to authenticate. DRF's ``APIView.handle_exception`` asks
the view's first authenticator (``authenticate_header``) and answers 403 when it offers none
(session authentication, say); every 401 the library answers does the same: the error value
``Unauthorized``, ``UnauthorizedError``, and DRF's ``NotAuthenticated``.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest
from rest_framework.settings import api_settings

__all__ = ["authenticate_header", "challenged"]


def authenticate_header(request: HttpRequest | None) -> str | None:
    """The challenge of the first authenticator: a DRF request's own (its view's), else that
    of ``DEFAULT_AUTHENTICATION_CLASSES`` (a plain Django view, or no request at all)."""
    authenticators: Any = getattr(request, "authenticators", None)
    if authenticators is None:
        classes: Any = api_settings.DEFAULT_AUTHENTICATION_CLASSES
        authenticators = [cls() for cls in classes]
    if not authenticators:
        return None
    header: str | None = authenticators[0].authenticate_header(
        request if request is not None else HttpRequest()
    )
    return header or None


def challenged(
    status: int,
    body: dict[str, Any],
    headers: Mapping[str, str],
    request: HttpRequest | None,
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """A 401 with its ``WWW-Authenticate``, or turned into a 403; any other status as is."""
    found = dict(headers)
    if status != HTTPStatus.UNAUTHORIZED or "WWW-Authenticate" in found:
        return status, body, found
    header = authenticate_header(request)
    if header is not None:
        return status, body, {**found, "WWW-Authenticate": header}
    forbidden = HTTPStatus.FORBIDDEN
    if body.get("title") == HTTPStatus.UNAUTHORIZED.phrase:
        body = {**body, "title": forbidden.phrase}
    return forbidden.value, {**body, "status": forbidden.value}, found
