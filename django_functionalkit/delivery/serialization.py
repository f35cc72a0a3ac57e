"""JSON for stored notifications: a dataclass's fields by their declared types, and back.

Driven by the type hints, so what comes back is what went in, not a dict of strings:

=====================================  =============================================
declared type                          stored as
=====================================  =============================================
``str``, ``int``, ``bool``             itself
``float``                              itself; ``"nan"``, ``"inf"``, ``"-inf"`` as text
``Decimal``, ``UUID``                  its text (exact)
``datetime``, ``date``, ``time``       ISO 8601 (an aware datetime keeps its offset)
``timedelta``                          ``[days, seconds, microseconds]``
an ``Enum``                            its member's value (str, int, float or bool)
a dataclass                            an object of its ``__init__`` fields
``list[X]``, ``set[X]``, ``frozenset[X]``  an array
``tuple[X, ...]``, ``tuple[X, Y]``     an array
``dict[str, X]``                       an object
``X | None``, ``Optional[X]``          ``null`` or X
``Literal[...]`` of JSON values        itself
``Annotated[X, ...]``                  as X
=====================================  =============================================

Anything else (``Any``, a union of several types, a class of your own that is not a dataclass)
cannot come back as it went in: ``problems()`` says so, and the system check E010 reports it
at start-up. Reading is lenient where a type evolves: a field missing from old JSON takes its
default, and keys of fields since removed are ignored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
import types
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from django_functionalkit.introspection import dotted_name

__all__ = ["NotSerializable", "dump", "load", "problems"]

T = TypeVar("T")
Convert = Callable[[Any], Any]
Converter = tuple[Convert, Convert]  # (to JSON, from JSON)


class NotSerializable(TypeError):
    """A declared type whose values cannot round-trip through JSON."""


def dump(value: Any) -> dict[str, Any]:
    """The JSON object of a dataclass instance, by its fields' declared types."""
    to_json, _ = _dataclass(type(value))
    result: dict[str, Any] = to_json(value)
    return result


def load(cls: type[T], data: Mapping[str, Any]) -> T:
    """The instance of the dataclass ``cls`` that ``dump`` turned into ``data``."""
    _, from_json = _dataclass(cls)
    instance: T = from_json(data)
    return instance


def problems(cls: type) -> list[str]:
    """Why instances of ``cls`` cannot round-trip through ``dump`` and ``load`` (none: empty)."""
    try:
        _dataclass(cls)
    except NotSerializable as exc:
        return [str(exc)]
    return []


# -- converters, built once per dataclass --------------------------------------------------------


def _same(value: Any) -> Any:
    return value


_SCALARS: dict[Any, Converter] = {
    str: (_same, str),
    int: (_same, int),
    bool: (_same, bool),
    float: (
        lambda v: v if math.isfinite(v) else str(v),  # JSON (and jsonb) have no NaN or infinity
        float,
    ),
    Decimal: (str, Decimal),
    UUID: (str, UUID),
    dt.datetime: (dt.datetime.isoformat, dt.datetime.fromisoformat),
    dt.date: (dt.date.isoformat, dt.date.fromisoformat),
    dt.time: (dt.time.isoformat, dt.time.fromisoformat),
    dt.timedelta: (lambda v: [v.days, v.seconds, v.microseconds], lambda j: dt.timedelta(*j)),
    type(None): (_same, _same),
    None: (_same, _same),
}
_JSON_VALUES = (str, int, float, bool, type(None))

# Built converters by dataclass; a class being built maps to None (a recursive type refers to
# itself through _later).
_built: dict[type, Converter | None] = {}


def _dataclass(cls: type) -> Converter:
    found = _built.get(cls)
    if found is not None:
        return found
    if cls in _built:  # being built: a field refers back to its own class
        return _later(cls)
    if not dataclasses.is_dataclass(cls):
        raise NotSerializable(f"{_name(cls)} is not a dataclass")
    _built[cls] = None
    try:
        converter = _build_dataclass(cls)
    except BaseException:
        del _built[cls]
        raise
    _built[cls] = converter
    return converter


def _later(cls: type) -> Converter:
    def to_json(value: Any) -> Any:
        return _dataclass(cls)[0](value)

    def from_json(data: Any) -> Any:
        return _dataclass(cls)[1](data)

    return to_json, from_json


def _build_dataclass(cls: type) -> Converter:
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except Exception as exc:  # a name the module cannot resolve, say
        raise NotSerializable(f"the type hints of {_name(cls)} cannot be resolved: {exc}") from exc
    fields = [
        (f.name, _converter(hints[f.name], f"{_name(cls)}.{f.name}"))
        for f in dataclasses.fields(cls)
        if f.init
    ]

    def to_json(value: Any) -> dict[str, Any]:
        return {name: convert[0](getattr(value, name)) for name, convert in fields}

    def from_json(data: Mapping[str, Any]) -> Any:
        return cls(**{name: convert[1](data[name]) for name, convert in fields if name in data})

    return to_json, from_json


def _converter(tp: Any, where: str) -> Converter:  # noqa: PLR0911 - one return per shape
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return _converter(args[0], where)
    try:
        scalar = _SCALARS.get(tp)
    except TypeError:  # an unhashable annotation: no scalar
        scalar = None
    if scalar is not None:
        return scalar
    if origin in (typing.Union, types.UnionType):
        return _optional(tp, args, where)
    if origin is typing.Literal:
        if all(isinstance(a, _JSON_VALUES) for a in args):
            return _same, _same
        raise NotSerializable(f"{where}: {tp} holds values that are not JSON values")
    if origin in (list, set, frozenset, tuple, dict):
        return _container(tp, origin, args, where)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        if not all(isinstance(m.value, _JSON_VALUES) for m in tp):
            raise NotSerializable(f"{where}: the values of {_name(tp)} are not JSON values")
        return (lambda v: v.value), tp
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass(tp)
    raise NotSerializable(
        f"{where} is declared {_name(tp)}, which a stored event cannot hold "
        "(see django_functionalkit.delivery.serialization for the types it can)"
    )


def _container(tp: Any, origin: Any, args: tuple[Any, ...], where: str) -> Converter:
    if origin is tuple:
        return _tuple(args, where)
    if origin is dict:
        if len(args) != 2 or args[0] is not str:
            raise NotSerializable(f"{where}: {tp} must be dict[str, X] (JSON keys are text)")
        value_to, value_from = _converter(args[1], where)
        return (
            lambda v: {k: value_to(x) for k, x in v.items()},
            lambda j: {k: value_from(x) for k, x in j.items()},
        )
    return _sequence(_converter(args[0], where), origin)


def _optional(tp: Any, args: tuple[Any, ...], where: str) -> Converter:
    others = [a for a in args if a is not type(None)]
    if len(others) != 1:
        raise NotSerializable(
            f"{where} is declared {tp}, a union of several types, which JSON cannot tell apart "
            "(only X | None is stored)"
        )
    to_json, from_json = _converter(others[0], where)
    return (
        lambda v: None if v is None else to_json(v),
        lambda j: None if j is None else from_json(j),
    )


def _sequence(item: Converter, kind: Callable[[Any], Any]) -> Converter:
    to_json, from_json = item
    return (lambda v: [to_json(x) for x in v], lambda j: kind(from_json(x) for x in j))


def _tuple(args: tuple[Any, ...], where: str) -> Converter:
    if len(args) == 2 and args[1] is Ellipsis:
        return _sequence(_converter(args[0], where), tuple)
    if not args:
        raise NotSerializable(f"{where}: a bare tuple needs its item types, as in tuple[int, ...]")
    items = [_converter(a, where) for a in args]
    return (
        lambda v: [c[0](x) for c, x in zip(items, v, strict=True)],
        lambda j: tuple(c[1](x) for c, x in zip(items, j, strict=True)),
    )


def _name(tp: Any) -> str:
    return dotted_name(tp) if isinstance(tp, type) else str(tp)
