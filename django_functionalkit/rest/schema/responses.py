"""An operation's responses: its success, from the message's result type, and its problems."""

from __future__ import annotations

import typing
from typing import Any

from drf_spectacular.drainage import warn
from drf_spectacular.plumbing import build_array_type, is_serializer
from drf_spectacular.utils import OpenApiResponse
from rest_framework.pagination import PageNumberPagination

from django_functionalkit.declarations import UNDECLARED, declared_result
from django_functionalkit.messages import Message
from django_functionalkit.paging import PagedResult

from .hints import (
    TypeSchemas,
    is_empty,
    return_hint,
    schema_component,
    split_none,
    success_value,
)
from .problems import ProblemResponses

JSON = "application/json"


class Responses(ProblemResponses, TypeSchemas):
    """Describes what a message's operation answers with."""

    def get_response_serializers(self) -> Any:
        message_type = self.message_type()
        if message_type is None:
            return super().get_response_serializers()
        return {**self._success_responses(message_type), **self._problem_responses(message_type)}

    def is_list_view(self, serializer: Any = None) -> bool:
        # The responses of a message are complete as built: nothing to wrap in a list or a page,
        # and no filter or paginator parameters, which the message's own fields replace.
        if self.message_type() is not None:
            return False
        return super().is_list_view(serializer)

    def _success_responses(self, message_type: type[Message]) -> dict[Any, OpenApiResponse]:
        value = success_value(declared_result(message_type))
        if value is UNDECLARED:
            warn(
                f"{message_type.__qualname__} does not declare what it returns: "
                f"subclass Query[R] or Command[R]. Its response is documented as any JSON."
            )
            value = Any
        if is_empty(value):
            return {"204": OpenApiResponse(description="No response body.")}
        present, optional = split_none(value)
        if PagedResult in (present, typing.get_origin(present)):
            (item,) = typing.get_args(present) or (Any,)
            schema = self._page_schema(self._item_schema(item))
            status = "200"
        else:
            schema = self._item_schema(present)
            status = "201" if self._creates() else "200"
        # {} is any JSON, but an empty schema reads as no body to drf-spectacular
        schema = schema or {"description": "Any JSON value."}
        responses: dict[Any, OpenApiResponse] = {(status, JSON): OpenApiResponse(schema)}
        if optional:
            responses["204"] = OpenApiResponse(description="Nothing to return: no body.")
        return responses

    def _item_schema(self, hint: Any) -> dict[str, Any]:
        """The schema of a success value (or a page's item): through the view's serializer."""
        view = self.message_view()
        serializer = view.result_serializers.get(self.action_key()) if view else None
        if serializer is None:
            return self.type_schema(hint)
        if is_serializer(serializer):
            return self.resolve_serializer(serializer, "response").ref
        returned = return_hint(serializer)
        if returned is None:
            warn(
                f"result serializer {serializer!r} has no return annotation: "
                f"its output is documented as any JSON."
            )
            return {}
        return self.type_schema(returned)

    def _page_schema(self, items: dict[str, Any]) -> dict[str, Any]:
        """DRF's page (count, next, previous, results): a component for a component's items."""
        schema: dict[str, Any] = PageNumberPagination().get_paginated_response_schema(
            build_array_type(items)
        )
        if "$ref" not in items:
            return schema
        item_name = items["$ref"].rsplit("/", 1)[-1]
        component = schema_component(
            self.get_paginated_name(item_name), schema, (PagedResult, item_name)
        )
        self.registry.register_on_missing(component)
        return component.ref
