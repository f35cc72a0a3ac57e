"""``not_found``: a URL under the API that no route matches, answered as problem details.

Django answers an unrouted URL with an HTML page (its debug page under ``DEBUG``), where an
API's clients and its schema expect ``application/problem+json``. Route what is left under the
API's prefix to this view, after the API's own routes::

    urlpatterns = [
        path("api/", include(router.urls)),
        re_path(r"^api/", not_found),
    ]

A URL that only lacks its trailing slash is still redirected to the one with it, as Django's
``CommonMiddleware`` does under ``APPEND_SLASH`` (the catch-all route would hide it from it).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt

from django_functionalkit.errors import NotFound

from .responses import problem_response

__all__ = ["not_found"]


@csrf_exempt  # it changes nothing, and a CSRF refusal would be Django's HTML 403
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """404 as problem details, or the redirect to the same URL with its trailing slash."""
    if settings.APPEND_SLASH and not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/", getattr(request, "urlconf", None))
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return problem_response(NotFound("Nothing matches this URL.", code="not_found"))
