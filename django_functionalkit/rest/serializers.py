"""Message serializers: the fields a request fills, coerced and checked before a message is built.

Views build their messages with these, and the schema describes the same serializers, so what
the schema publishes is what a view accepts. Both import this module; neither imports the other
for it.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from decimal import Decimal
from typing import Any

from rest_framework_dataclasses.serializers import DataclassSerializer

from django_functionalkit.markers import marker_options
from django_functionalkit.memos import memo
from django_functionalkit.messages import Message

from .constraints import DECIMAL_DIGITS, constraint_kwargs
from .paging import page_field_kwargs

__all__ = [
    "BODY_METHODS",
    "input_fields",
    "message_serializer",
    "message_serializer_class",
]

# The HTTP methods whose body carries the message's fields (the others: the query string).
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def message_serializer(message_type: type[Message], **kwargs: Any) -> DataclassSerializer[Any]:
    """A serializer that builds ``message_type`` from data (``serializer.validated_data``)."""
    return message_serializer_class(message_type)(**kwargs)


# They read settings (MAX_PAGE_SIZE).
_SERIALIZERS: dict[type[Message], type[DataclassSerializer[Any]]] = memo()


def message_serializer_class(message_type: type[Message]) -> type[DataclassSerializer[Any]]:
    """The serializer class of a message type, built once.

    The serializer coerces and checks types; blank strings pass it, so that the message's own
    validation (``Validatable``) reports every problem of the input at once, with its words.
    """
    known = _SERIALIZERS.get(message_type)
    if known is None:
        known = _SERIALIZERS[message_type] = _build_serializer_class(message_type)
    return known


def input_fields(message_type: type[Message]) -> list[dataclasses.Field[Any]]:
    """The fields a request fills: every field of the message but its marker options."""
    options = marker_options(message_type)
    return [f for f in dataclasses.fields(message_type) if f.name not in options]  # type: ignore[arg-type]


def _build_serializer_class(message_type: type[Message]) -> type[DataclassSerializer[Any]]:
    hints = typing.get_type_hints(message_type)
    declared = typing.get_type_hints(message_type, include_extras=True)  # with Annotated's
    extra: dict[str, dict[str, Any]] = {}
    fields = input_fields(message_type)
    for f in fields:
        given = f.metadata.get("serializer_kwargs", {})
        kwargs: dict[str, Any] = {}
        if _is_text(hints[f.name]) and "allow_blank" not in given:
            kwargs["allow_blank"] = True
        kwargs.update(constraint_kwargs(declared[f.name], given))
        if _is_decimal(hints[f.name]) and "max_digits" not in given:
            # Without a bound, DRF quantizes "1e400" and fails with an error of its own (a 500).
            kwargs["max_digits"] = DECIMAL_DIGITS
        extra[f.name] = kwargs
    for name, bounds in page_field_kwargs(message_type, declared).items():
        if name in extra:  # not a marker option left out below
            extra[name] = {**extra[name], **bounds}
    # A marker option declared as a field (`required_permissions: tuple[str, ...] = (...)`)
    # keeps its default: a client that could send it would choose its own permissions.
    names = {f.name for f in fields}
    left_out = [f.name for f in dataclasses.fields(message_type) if f.name not in names]  # type: ignore[arg-type]
    options = {"dataclass": message_type, "extra_kwargs": extra}
    meta = type("Meta", (), {**options, "exclude": left_out} if left_out else options)
    name = f"{message_type.__name__}Serializer"
    namespace = {
        "Meta": meta,
        "__module__": message_type.__module__,
        "build_dataclass_field": _build_nested_field,
    }
    return type(name, (DataclassSerializer,), namespace)


def _build_nested_field(self: DataclassSerializer[Any], field_name: str, type_info: Any) -> Any:
    """A nested dataclass of a message (an order's items) is built by the message's rules too:
    its constraints, the 64-bit bounds of its ints, its decimals' digits."""
    field_class, kwargs = DataclassSerializer.build_dataclass_field(self, field_name, type_info)
    if field_class is DataclassSerializer:  # not a serializer the project mapped itself
        field_class = message_serializer_class(kwargs.pop("dataclass"))
    return field_class, kwargs


def _is_decimal(hint: Any) -> bool:
    return hint is Decimal or (
        typing.get_origin(hint) in (typing.Union, types.UnionType)
        and Decimal in typing.get_args(hint)
    )


def _is_text(hint: Any) -> bool:
    """``str`` or ``str | None``: the fields whose blank value the message's validation judges."""
    return hint is str or (
        typing.get_origin(hint) in (typing.Union, types.UnionType)
        and str in typing.get_args(hint)
        and all(arg in (str, type(None)) for arg in typing.get_args(hint))
    )
