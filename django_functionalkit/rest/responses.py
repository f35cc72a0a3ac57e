"""``result_response``: what a handler returned, as the HTTP response a client expects.

==========================================  =============================================
handler result                              response
==========================================  =============================================
``Success(value)`` or a plain value         200 with the value as JSON
the same, ``created=True``                  201, with ``Location`` when one is given
``Success(unit)``, ``unit`` or ``None``     204, no body
a ``PagedResult``                           200, DRF's paginated shape with working links
a page past the last one                    404 (as DRF's paginators answer)
``Failure(error)``                          the error's status, a problem-details body
==========================================  =============================================

It returns a plain ``JsonResponse``, so it serves Django views and DRF views alike, sync or async.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.serializers import BaseSerializer
from rest_framework.settings import api_settings
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.utils.urls import remove_query_param, replace_query_param

from django_functionalkit.errors import NotFound
from django_functionalkit.options import Nothing, Some
from django_functionalkit.paging import PagedResult
from django_functionalkit.results import Failure, Success
from django_functionalkit.units import Unit

from .challenge import challenged
from .problems import PROBLEM_CONTENT_TYPE, problem_for

__all__ = ["ResultEncoder", "problem_response", "result_response", "to_data"]

Serializer = type[BaseSerializer[Any]] | Callable[[Any], Any]


class ResultEncoder(JSONEncoder):
    """DRF's encoder (dates, decimals, UUIDs, lazy strings), plus dataclasses and options."""

    def default(self, obj: Any) -> Any:
        if isinstance(obj, Decimal) and api_settings.COERCE_DECIMAL_TO_STRING:
            return str(obj)  # as DRF's serializers write decimals, and as the schema says
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
        if isinstance(obj, Some):
            return obj.value
        if obj is Nothing():
            return None
        return super().default(obj)


def result_response(
    result: Any,
    *,
    created: bool = False,
    location: str | None = None,
    request: HttpRequest | None = None,
    serializer: Serializer | None = None,
    page_query_param: str = "page",
) -> HttpResponse:
    """The response for ``result``; see the table above.

    ``serializer`` turns the value (or each item of a page) into data: a DRF serializer class
    (for model instances, say) or any function. ``request`` builds the links of a page.
    """
    if isinstance(result, Failure):
        return problem_response(result.error, request=request)
    value = result.value if isinstance(result, Success) else result
    if value is None or isinstance(value, Unit):
        return HttpResponse(status=204)
    if isinstance(value, PagedResult):
        if value.page > max(value.total_pages, 1):
            return problem_response(
                NotFound(f"Page {value.page} does not exist.", code="invalid_page")
            )
        return JsonResponse(
            _page(value, request, serializer, page_query_param), encoder=ResultEncoder
        )
    response = JsonResponse(
        to_data(value, serializer),
        encoder=ResultEncoder,
        safe=False,
        status=201 if created else 200,
    )
    if created and location:
        response["Location"] = request.build_absolute_uri(location) if request else location
    return response


def problem_response(
    error: object,
    headers: Mapping[str, str] | None = None,
    *,
    request: HttpRequest | None = None,
) -> JsonResponse:
    """A problem-details response for an error value.

    ``request`` names the authenticators whose challenge a 401 carries (see ``challenge``).
    """
    status, body = problem_for(error)
    return problem_json(status, body, headers, request=request)


def problem_json(
    status: int,
    body: dict[str, Any],
    headers: Mapping[str, str] | None = None,
    *,
    request: HttpRequest | None = None,
) -> JsonResponse:
    """``body`` as ``application/problem+json`` with ``status``; a 401 is challenged, or a 403
    where no authenticator offers a challenge (as DRF answers)."""
    status, body, found = challenged(status, body, headers or {}, request)
    return JsonResponse(
        body,
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        encoder=ResultEncoder,
        headers=found,
    )


def to_data(value: Any, serializer: Serializer | None = None) -> Any:
    """``value`` as JSON-ready data: through ``serializer`` when given."""
    if serializer is None:
        if isinstance(value, Model):
            raise TypeError(
                f"A {type(value).__name__} model instance needs a serializer: "
                "result_response(result, serializer=...)."
            )
        return value
    if isinstance(serializer, type) and issubclass(serializer, BaseSerializer):
        return serializer(instance=value).data
    convert: Callable[[Any], Any] = serializer
    return convert(value)


def _page(
    page: PagedResult[Any],
    request: HttpRequest | None,
    serializer: Serializer | None,
    param: str,
) -> dict[str, Any]:
    url = request.build_absolute_uri() if request else None
    following = replace_query_param(url, param, page.page + 1) if url and page.has_next else None
    previous = None
    if url and page.has_previous:
        wanted = min(page.page - 1, max(page.total_pages, 1))
        previous = (
            remove_query_param(url, param)
            if wanted == 1
            else replace_query_param(url, param, wanted)
        )
    return {
        "count": page.total_count,
        "next": following,
        "previous": previous,
        "results": [to_data(item, serializer) for item in page.items],
    }
