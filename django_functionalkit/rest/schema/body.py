"""The request body of a write: the message's fields the URL does not fill, ``<Message>Request``."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from drf_spectacular.contrib.rest_framework_dataclasses import (
    OpenApiDataclassSerializerExtensions,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ComponentIdentity
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import Direction
from rest_framework_dataclasses.serializers import DataclassSerializer

from django_functionalkit.memos import memo
from django_functionalkit.messages import Message
from django_functionalkit.rest.serializers import BODY_METHODS, message_serializer_class

from .operation import OperationSchema


class RequestBody(OperationSchema):
    """Describes the body of a message's POST, PUT or PATCH."""

    def get_request_serializer(self) -> Any:
        message_type = self.message_type()
        if message_type is None:
            return super().get_request_serializer()
        if self.method not in BODY_METHODS:
            return None
        return request_serializer_class(message_type, self.path_fields(message_type).values())


class _MessageBody:
    """Marks the serializer of a message's request body: the fields the URL does not fill."""

    # The view builds the message whole from the body, also for PATCH: unlike a model's
    # serializer the body is never partial, whatever drf-spectacular sets.
    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value: bool) -> None:
        pass


class _MessageBodyExtension(OpenApiDataclassSerializerExtensions):  # type: ignore[no-untyped-call]
    """Names a body ``<Message>Request`` and tells bodies of one message with other fields apart."""

    target_class = "django_functionalkit.rest.schema.body._MessageBody"
    match_subclasses = True
    priority = 1

    def get_name(self) -> str:  # type: ignore[override]
        name: str = self.target.message_type.__name__
        # drf-spectacular appends "Request" itself when it splits components
        return name if spectacular_settings.COMPONENT_SPLIT_REQUEST else f"{name}Request"

    def get_identity(self, auto_schema: AutoSchema, direction: Direction) -> Any:
        return ComponentIdentity(type(self.target))  # type: ignore[no-untyped-call]


_BodyKey = tuple[type[Message], frozenset[str]]
# Built on the message serializers, which read settings.
_REQUEST_SERIALIZERS: dict[_BodyKey, type[DataclassSerializer[Any]]] = memo()


def request_serializer_class(
    message_type: type[Message], exclude: Collection[str] = ()
) -> type[DataclassSerializer[Any]]:
    """The serializer of ``message_type``'s fields but ``exclude`` (those the URL fills)."""
    key = (message_type, frozenset(exclude))
    known = _REQUEST_SERIALIZERS.get(key)
    if known is None:
        known = _REQUEST_SERIALIZERS[key] = _build_request_serializer(message_type, key[1])
    return known


def _build_request_serializer(
    message_type: type[Message], exclude: frozenset[str]
) -> type[DataclassSerializer[Any]]:
    base = message_serializer_class(message_type)
    left_out = exclude | set(getattr(base.Meta, "exclude", ()))  # type: ignore[attr-defined]
    meta = type("Meta", (base.Meta,), {"exclude": sorted(left_out)} if left_out else {})  # type: ignore[attr-defined]
    namespace = {
        "Meta": meta,
        "message_type": message_type,
        "__doc__": None,  # no description: as for the components of other dataclasses
        "__module__": message_type.__module__,
    }
    return type(f"{message_type.__name__}RequestSerializer", (base, _MessageBody), namespace)
