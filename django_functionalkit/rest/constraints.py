"""A message field's constraints as the keyword arguments of its DRF serializer field.

``Annotated[int, Ge(1), Le(100)]`` is ``min_value=1, max_value=100``; ``MinLen`` / ``MaxLen``
are ``min_length`` / ``max_length`` of text and lists; ``Pattern`` a ``RegexValidator``. An
``int`` is bounded to the signed 64-bit range unless its type or its ``serializer_kwargs``
bound it otherwise: a larger number is a 400, never an overflow in the database.
"""

from __future__ import annotations

import collections.abc
import re
import typing
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from django.core.validators import BaseValidator, RegexValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy

from django_functionalkit.constraints import Constraint, Pattern, constraints_of

__all__ = [
    "DECIMAL_DIGITS",
    "INT64_MAX",
    "INT64_MIN",
    "ExclusiveMaxValueValidator",
    "ExclusiveMinValueValidator",
    "constraint_kwargs",
]

# What a database's BIGINT holds: the widest integer column Django makes.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# The most digits a Decimal of a message takes unless its metadata says otherwise: without a
# bound, DRF quantizes "1e400" and fails with decimal.InvalidOperation (a 500).
DECIMAL_DIGITS = 28

_NUMBERS = (int, float, Decimal)


@deconstructible
class ExclusiveMinValueValidator(BaseValidator):
    """``Gt``: the value is greater than the limit."""

    message = gettext_lazy("Ensure this value is greater than %(limit_value)s.")
    code = "min_value"

    def compare(self, a: Any, b: Any) -> bool:
        return bool(a <= b)


@deconstructible
class ExclusiveMaxValueValidator(BaseValidator):
    """``Lt``: the value is less than the limit."""

    message = gettext_lazy("Ensure this value is less than %(limit_value)s.")
    code = "max_value"

    def compare(self, a: Any, b: Any) -> bool:
        return bool(a >= b)


def constraint_kwargs(hint: Any, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The serializer field kwargs that enforce ``hint``'s constraints (``include_extras``
    hints), less those ``given`` (the field's ``serializer_kwargs``) already sets."""
    given = given or {}
    base, constraints = constraints_of(hint)
    kwargs: dict[str, Any] = {}
    item, sized = _item_type(base)
    if item is not None:
        kwargs.update(_lengths(constraints))
        child = constraint_kwargs(item, given.get("child_kwargs"))
        if child:
            kwargs["child_kwargs"] = {**child, **given.get("child_kwargs", {})}
        _refuse(constraints, (MinLen, MaxLen) if sized else (), base)
    elif base is str:
        kwargs.update(_lengths(constraints))
        kwargs.update(_text(constraints, given))
    elif base in _NUMBERS:
        kwargs.update(_bounds(base, constraints))
        _refuse(constraints, (Ge, Gt, Le, Lt), base)
    else:
        _refuse(constraints, (), base)
    validators = kwargs.pop("validators", [])
    found = {k: v for k, v in kwargs.items() if k not in given}
    if validators:
        found["validators"] = [*given.get("validators", ()), *validators]
    return found


def _item_type(base: Any) -> tuple[Any, bool]:
    """The item type of a list, set or homogeneous tuple (whose length a constraint may
    bound, unless the type fixes it), or the value type of a mapping (whose size none may);
    ``None`` for other types."""
    origin, args = typing.get_origin(base), typing.get_args(base)
    if origin in (list, set, frozenset, collections.abc.Sequence, collections.abc.Set):
        return (args[0] if args else Any), True
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return args[0], True
    if origin is tuple and args and all(arg == args[0] for arg in args):
        return args[0], False  # tuple[int, int]: one item field, its length fixed by the type
    if origin in (dict, collections.abc.Mapping) and len(args) == 2:
        return args[1], False
    return None, False


def _lengths(constraints: tuple[Constraint, ...]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for c in constraints:
        if isinstance(c, MinLen):
            found["min_length"] = max(found.get("min_length", 0), c.min_length)
        elif isinstance(c, MaxLen):
            found["max_length"] = min(found.get("max_length", c.max_length), c.max_length)
    return found


def _text(constraints: tuple[Constraint, ...], given: Mapping[str, Any]) -> dict[str, Any]:
    """A pattern's validator, and ``allow_blank=False`` where the type says blank is wrong."""
    patterns = [c.pattern for c in constraints if isinstance(c, Pattern)]
    _refuse(constraints, (MinLen, MaxLen, Pattern), str)
    found: dict[str, Any] = {"validators": [RegexValidator(as_python(p)) for p in patterns]}
    # A message's blank text passes the serializer, for its own validation to judge (in its
    # words, every error at once); but DRF lets a blank value skip the field's validators, so
    # where the type forbids blank (a minimum length, a pattern blank does not match) the
    # serializer refuses it itself.
    min_length = _lengths(constraints).get("min_length", 0) or given.get("min_length", 0)
    if min_length > 0 or not all(re.search(p, "") for p in patterns):
        found["allow_blank"] = False
    if constraints:
        # The constraints judge the text as sent, as the schema does: trimmed first (DRF's
        # default), " a@b.c" or 151 characters ending in a space would pass a pattern or a
        # length the schema says they break.
        found["trim_whitespace"] = False
    return found


def as_python(pattern: str) -> str:
    """``pattern`` read as JSON Schema reads it (ECMA-262), for Python's ``re``: there ``$`` is
    the very end of the text, where Python's also matches before a final newline (so that
    ``"ABC\\n"`` would pass ``^[A-Z]{3}$``, which the schema says it breaks)."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            char = r"\Z"
        out.append(char)
        i += 1
    return "".join(out)


def _bounds(base: type, constraints: tuple[Constraint, ...]) -> dict[str, Any]:
    lowest: list[Any] = []
    highest: list[Any] = []
    validators: list[BaseValidator] = []
    for c in constraints:
        if isinstance(c, Ge):
            lowest.append(c.ge)
        elif isinstance(c, Le):
            highest.append(c.le)
        elif base is int and isinstance(c, Gt | Lt) and isinstance(_limit(c), int):
            # the same set of ints, said inclusively: as plain in the schema as Ge and Le
            (lowest if isinstance(c, Gt) else highest).append(_limit(c) + _step(c))
        elif isinstance(c, Gt):
            validators.append(ExclusiveMinValueValidator(c.gt))
        elif isinstance(c, Lt):
            validators.append(ExclusiveMaxValueValidator(c.lt))
    found: dict[str, Any] = {}
    if lowest:
        found["min_value"] = max(lowest)
    if highest:
        found["max_value"] = min(highest)
    if base is int:
        found.setdefault("min_value", INT64_MIN)
        found.setdefault("max_value", INT64_MAX)
    if base is Decimal:
        found["max_digits"] = DECIMAL_DIGITS  # given serializer_kwargs win (constraint_kwargs)
    if validators:
        found["validators"] = validators
    return found


def _limit(c: Gt | Lt) -> Any:
    return c.gt if isinstance(c, Gt) else c.lt


def _step(c: Gt | Lt) -> int:
    return 1 if isinstance(c, Gt) else -1


def _refuse(constraints: tuple[Constraint, ...], allowed: tuple[type, ...], base: Any) -> None:
    """A constraint that means nothing for ``base`` (a pattern on an int) is a mistake."""
    for c in constraints:
        if not isinstance(c, allowed):
            raise TypeError(f"{c!r} does not apply to a value of type {base!r}.")
