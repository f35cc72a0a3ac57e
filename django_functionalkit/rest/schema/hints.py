"""Type hints read for a schema: a message's declared result, and the JSON schema of a type."""

from __future__ import annotations

import collections.abc
import dataclasses
import types
import typing
from collections.abc import Callable
from typing import Any

from drf_spectacular.drainage import warn
from drf_spectacular.plumbing import (
    ComponentIdentity,
    ResolvedComponent,
    UnableToProceedError,
    append_meta,
    build_array_type,
    resolve_type_hint,
)
from rest_framework_dataclasses.serializers import DataclassSerializer

from django_functionalkit.declarations import is_result
from django_functionalkit.options import Option
from django_functionalkit.rest.compat import AutoSchemaHooks
from django_functionalkit.units import Unit

_UNIONS = (typing.Union, types.UnionType)


class TypeSchemas(AutoSchemaHooks):
    """Describes values by their type hints."""

    def type_schema(self, hint: Any) -> dict[str, Any]:
        """The JSON schema of a value of type ``hint``, as ``ResultEncoder`` writes it."""
        if hint is Any:
            return {}
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self.resolve_serializer(DataclassSerializer(dataclass=hint), "response").ref
        present, optional = _split_optional(hint)
        if optional:
            return append_meta(self.type_schema(present), {"nullable": True})
        return self._generic_schema(hint)

    def _generic_schema(self, hint: Any) -> dict[str, Any]:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin in _UNIONS:
            return {"oneOf": [self.type_schema(arg) for arg in args]}
        if _is_mapping(origin) and len(args) == 2:
            return {"type": "object", "additionalProperties": self.type_schema(args[1])}
        if _is_collection(origin) and (len(args) == 1 or args[1:] == (...,)):
            return build_array_type(self.type_schema(args[0]))
        return _hint_schema(hint)


def success_value(declared: Any) -> Any:
    """What a success holds: ``T`` of ``Result[T, E]``, else the declared type itself."""
    if is_result(declared):
        args = typing.get_args(declared)
        return args[0] if args else Any
    return declared


def is_empty(hint: Any) -> bool:
    """Whether a value of ``hint`` is answered with 204 and no body."""
    return hint in (None, type(None)) or (isinstance(hint, type) and issubclass(hint, Unit))


def _split_optional(hint: Any) -> tuple[Any, bool]:
    """``(X, True)`` for ``X | None`` and ``Option[X]`` (``Nothing()`` is ``null``)."""
    if typing.get_origin(hint) is Option:
        (inner,) = typing.get_args(hint) or (Any,)
        return inner, True
    return split_none(hint)


def split_none(hint: Any) -> tuple[Any, bool]:
    """``(X, True)`` for ``X | None``, else ``(hint, False)``."""
    if typing.get_origin(hint) in _UNIONS:
        args = typing.get_args(hint)
        present = tuple(arg for arg in args if not is_empty(arg))
        if len(present) < len(args):
            return (present[0] if len(present) == 1 else typing.Union[present]), True  # noqa: UP007
    return hint, False


def _is_mapping(origin: Any) -> bool:
    return isinstance(origin, type) and issubclass(origin, collections.abc.Mapping)


def _is_collection(origin: Any) -> bool:
    return (
        isinstance(origin, type)
        and issubclass(origin, collections.abc.Iterable)
        and not issubclass(origin, str | bytes | collections.abc.Mapping)
    )


def schema_component(name: str, schema: dict[str, Any], identity: object) -> ResolvedComponent:
    """A schema component of ours, told apart from others of the same name by ``identity``."""
    return ResolvedComponent(  # type: ignore[no-untyped-call]
        name=name,
        type=ResolvedComponent.SCHEMA,
        schema=schema,
        object=ComponentIdentity(identity),  # type: ignore[no-untyped-call]
    )


def _hint_schema(hint: Any) -> dict[str, Any]:
    try:
        schema: dict[str, Any] = resolve_type_hint(hint)  # type: ignore[no-untyped-call]
    except UnableToProceedError:
        warn(f"cannot describe the type {hint!r}: documented as any JSON.")
        return {}
    return schema


def return_hint(function: Callable[..., Any]) -> Any:
    try:
        return typing.get_type_hints(function).get("return")
    except (NameError, TypeError):
        return None
