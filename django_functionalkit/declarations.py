"""What a message declares its handler returns: ``R`` of ``Query[R]`` / ``Command[R]``.

One answer for the behaviors (refuse with a ``Failure`` or raise) and the OpenAPI schema (which
response a success is). Forward references (``Query["Result[int, Error]"]``,
``Query[Result["UserDto", Error]]``) are evaluated in the module of the class that declares them.
"""

from __future__ import annotations

import ast
import sys
import types
import typing
from typing import Any, ForwardRef

from .memos import memo
from .messages import Command, Query
from .results import Result

__all__ = ["UNDECLARED", "declared_result", "is_result", "returns_result"]

# What a message declares when it says nothing (``class Ping(Query): ...``), or something that
# cannot be evaluated (a name that is not in its module).
UNDECLARED: Any = object()


def declared_result(message_type: type) -> Any:
    """``R`` of ``Query[R]`` / ``Command[R]``, forward references evaluated, or ``UNDECLARED``."""
    declared, owner = _declaration(message_type)
    return declared if declared is UNDECLARED else _evaluated(declared, owner)


def is_result(hint: Any) -> bool:
    """Whether ``hint`` is ``Result`` or one of its variants, with or without parameters."""
    origin = typing.get_origin(hint) or hint
    return isinstance(origin, type) and issubclass(origin, Result)


# A forward reference may resolve later: once its module has loaded, when handlers register.
_RETURNS_RESULT: dict[type, bool] = memo()


def returns_result(message_type: type) -> bool:
    """Whether the handler of ``message_type`` returns a ``Result`` (decided once per type)."""
    known = _RETURNS_RESULT.get(message_type)
    if known is None:
        known = _RETURNS_RESULT[message_type] = is_result(_outermost(message_type))
    return known


def _declaration(message_type: type) -> tuple[Any, type]:
    """The declared ``R`` as written, and the class whose bases declare it."""
    for klass in message_type.__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            if typing.get_origin(base) in (Query, Command):
                (declared,) = typing.get_args(base) or (UNDECLARED,)
                return declared, klass
    return UNDECLARED, message_type


def _outermost(message_type: type) -> Any:
    """The declared type's outermost class: ``Result`` of ``"Result[UserDto, Error]"`` even
    when ``UserDto`` cannot be evaluated, as only its outside says whether it is a Result."""
    declared, owner = _declaration(message_type)
    if not isinstance(declared, ForwardRef | str):
        return declared
    evaluated = _evaluated(declared, owner)
    if evaluated is not UNDECLARED:
        return evaluated
    source = declared.__forward_arg__ if isinstance(declared, ForwardRef) else declared
    try:
        expression = ast.parse(source, mode="eval").body
    except SyntaxError:
        return UNDECLARED
    if isinstance(expression, ast.Subscript):
        return _evaluated(ast.unparse(expression.value), owner)
    return UNDECLARED


def _evaluated(hint: Any, owner: type) -> Any:
    """``hint`` with the forward references in it evaluated in ``owner``'s module."""
    holder = types.SimpleNamespace(__annotations__={"r": hint})
    module = sys.modules.get(owner.__module__)
    try:
        return typing.get_type_hints(holder, globalns=vars(module) if module else {})["r"]
    except (NameError, SyntaxError, TypeError, AttributeError):
        return UNDECLARED
