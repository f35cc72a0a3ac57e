"""Path, query and header parameters: the message fields the URL fills, and ``Location``."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import OpenApiParameter

from django_functionalkit.messages import Message
from django_functionalkit.rest.mixin import MessageMixin
from django_functionalkit.rest.serializers import BODY_METHODS, message_serializer_class

from .operation import OperationSchema


class Parameters(OperationSchema):
    """Describes the parameters of a message's operation."""

    def get_override_parameters(self) -> list[OpenApiParameter | Any]:
        message_type = self.message_type()
        if message_type is None:
            return super().get_override_parameters()
        parameters = self._path_parameters(message_type) + self._location_header()
        if self.method not in BODY_METHODS:
            parameters += self._query_parameters(message_type)
        return [*parameters, *super().get_override_parameters()]

    def _path_parameters(self, message_type: type[Message]) -> list[OpenApiParameter]:
        properties, _ = self._message_fields(message_type)
        return [
            OpenApiParameter(
                variable, _parameter_schema(properties[field]), OpenApiParameter.PATH, True
            )
            for variable, field in self.path_fields(message_type).items()
        ]

    def _query_parameters(self, message_type: type[Message]) -> list[OpenApiParameter]:
        properties, required = self._message_fields(message_type)
        from_url = set(self.path_fields(message_type).values())
        defaults = _defaults(message_type)
        return [
            OpenApiParameter(
                name,
                _parameter_schema(schema, defaults.get(name)),
                OpenApiParameter.QUERY,
                required=name in required,
                description=schema.get("description", ""),
            )
            for name, schema in properties.items()
            if name not in from_url
        ]

    def _location_header(self) -> list[OpenApiParameter]:
        """``Location`` on a 201, when the view says where created things are."""
        view = self.message_view()
        if view is None or not self._creates():
            return []
        if type(view).created_location is MessageMixin.created_location:
            return []  # the default says nowhere
        return [
            OpenApiParameter(
                "Location",
                str,
                OpenApiParameter.HEADER,
                description="The URL of the created resource.",
                response=[201],
            )
        ]

    def _message_fields(self, message_type: type[Message]) -> tuple[dict[str, Any], list[str]]:
        """The JSON schema of each field of the message, and the required ones."""
        serializer = message_serializer_class(message_type)()
        mapped = self.map_serializer(serializer, "request")
        return mapped.get("properties", {}), mapped.get("required", [])


def _defaults(message_type: type[Message]) -> dict[str, Any]:
    """The fields' defaults a query string can spell (no ``None``, no factories)."""
    return {
        f.name: f.default
        for f in dataclasses.fields(message_type)  # type: ignore[arg-type]
        if type(f.default) in (bool, int, float, str)
    }


def _parameter_schema(schema: Mapping[str, Any], default: Any = None) -> dict[str, Any]:
    """A field's schema as a parameter's: a URL cannot say ``null``; absent, it is the default."""
    found = {k: v for k, v in schema.items() if k not in ("nullable", "description", "default")}
    if isinstance(found.get("type"), list):
        found["type"] = next(t for t in found["type"] if t != "null")
    if default is not None:
        found["default"] = default
    return found
