"""Input types as the schema states them: JSON's own types in a body, one spelling in a URL.

DRF's fields coerce what they are given: ``"5"`` and ``5.0`` are the int 5, ``0`` is the text
``"0"``, ``"null"`` or ``""`` is ``None`` for a boolean. The schema a message view publishes
says ``integer``, ``string``, ``boolean``: a client that follows it is served, one that sends
something else is told so (a 400 naming the field) instead of being guessed at. In a body each
field takes its JSON type (a ``Decimal`` the type the schema gives it: a string, as DRF writes
decimals, or a number with ``COERCE_DECIMAL_TO_STRING`` off); in a query string or a path, where
everything is text, an int is digits, a boolean ``true`` or ``false``, a number a plain decimal.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import typing
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rest_framework.settings import api_settings

from django_functionalkit.constraints import constraints_of

__all__ = ["body_type_errors", "text_type_errors"]

Errors = dict[str, list[str]]

_TEXT_TYPES = (str, datetime.datetime, datetime.date, datetime.time, uuid.UUID)
_INT = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_BOOLEAN = frozenset({"true", "false"})
_LISTS = (list, set, frozenset, tuple)


def body_type_errors(message_type: type, body: Mapping[str, Any]) -> Errors:
    """The fields of a JSON body whose values are not of their field's JSON type."""
    errors: Errors = {}
    hints = typing.get_type_hints(message_type)
    for name, value in body.items():
        if name in hints:
            _check_json(hints[name], value, name, errors)
    return errors


def text_type_errors(message_type: type, values: Mapping[str, Any]) -> Errors:
    """The fields given as text (query string, path) whose text is no value of their type."""
    errors: Errors = {}
    hints = typing.get_type_hints(message_type)
    for name, value in values.items():
        if name not in hints:
            continue
        base = _base(hints[name])
        item = _item_type(base)
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            problem = _text_problem(item if item is not None else base, text)
            if problem:
                errors.setdefault(name, []).append(problem)
                break
    return errors


def _check_json(hint: Any, value: Any, path: str, errors: Errors) -> None:
    if value is None:
        return  # null where the field takes none is the serializer's to refuse, in its words
    base = _base(hint)
    item = _item_type(base)
    if item is not None:
        if isinstance(value, list):
            for index, element in enumerate(value):
                _check_json(item, element, f"{path}.{index}", errors)
        return  # a list of the wrong type is the serializer's to refuse
    if dataclasses.is_dataclass(base) and isinstance(value, Mapping):
        nested = typing.get_type_hints(base)
        for name, element in value.items():
            if name in nested:
                _check_json(nested[name], element, f"{path}.{name}", errors)
        return
    problem = _json_problem(base, value)
    if problem:
        errors.setdefault(path, []).append(problem)


def _json_problem(base: Any, value: Any) -> str | None:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if base is Decimal and api_settings.COERCE_DECIMAL_TO_STRING:
        base = str  # as the schema says, and as DRF writes decimals: no float rounds them
    wrong = {
        bool: not isinstance(value, bool),
        int: isinstance(value, bool) or not isinstance(value, int),
        float: not is_number,
        Decimal: not is_number,
    }.get(base, base in _TEXT_TYPES and not isinstance(value, str))
    return _JSON_PROBLEMS.get(base, "Not a valid string.") if wrong else None


_JSON_PROBLEMS = {
    bool: "Must be true or false.",
    int: "A whole number is required.",
    float: "A number is required.",
    Decimal: "A number is required.",
}


def _text_problem(base: Any, text: Any) -> str | None:
    if not isinstance(text, str):
        return None
    if base is bool and text not in _BOOLEAN:
        return "Must be true or false."
    if base is int and not _INT.fullmatch(text):
        return "A whole number is required."
    if base in (float, Decimal) and not _NUMBER.fullmatch(text):
        return "A number is required."
    return None


def _base(hint: Any) -> Any:
    """The type under ``Annotated`` and ``| None``."""
    base, _ = constraints_of(hint)
    return base


def _item_type(base: Any) -> Any:
    """The item type of a list-like type; ``None`` for anything else."""
    if typing.get_origin(base) in _LISTS:
        args = [a for a in typing.get_args(base) if a is not Ellipsis]
        return args[0] if args else Any
    return None
