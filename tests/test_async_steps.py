"""A sync step of Result, Option or Validation refuses an async function, on both variants.

Where the step calls the function, a coroutine would end up inside the value (``Failure(e)
.map_error(async_fn)`` held one); where it does not, the mistake would pass silently until the
other variant came along. Both raise the same TypeError, naming the method and what to use.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from asgiref.sync import async_to_sync, markcoroutinefunction, sync_to_async

from django_functionalkit import (
    Failure,
    Invalid,
    Nothing,
    Option,
    Result,
    Some,
    Success,
    Valid,
    Validation,
)
from django_functionalkit.results import is_async
from tests.test_results import no_unawaited_coroutine_warning

ran: list[object] = []


async def step(*args: object) -> object:
    ran.append(args)  # never reached: a refused step is not awaited
    return args[0] if args else None


async def step_with_a_setting(setting: str, *args: object) -> object:
    ran.append(args)
    return setting


class Steps:
    async def step(self, *args: object) -> object:
        ran.append(args)
        return None


class AsyncCallable:
    async def __call__(self, *args: object) -> object:
        ran.append(args)
        return None


def _marked() -> Callable[..., object]:
    def plain_returning_a_coroutine(*args: object) -> object:
        return step(*args)

    return markcoroutinefunction(plain_returning_a_coroutine)


ASYNC_FUNCTIONS: dict[str, Callable[..., object]] = {
    "async def": step,
    "partial of async def": partial(step_with_a_setting, "x"),
    "async method": Steps().step,
    "async __call__": AsyncCallable(),
    "markcoroutinefunction": _marked(),
    "sync_to_async": sync_to_async(lambda *args: None),
}


@dataclass(frozen=True)
class Operation:
    """One step given ``fn``: ``call(variant, fn)``, refused with ``use`` in the message."""

    method: str
    call: Callable[[Any, Callable[..., object]], object]
    use: str

    def __str__(self) -> str:
        return self.method


def _op(method: str, use: str, *extra: object) -> Operation:
    return Operation(method, lambda variant, fn: getattr(variant, method)(fn, *extra), use)


def _matching(keyword: str, use: str) -> Operation:
    def call(variant: Any, fn: Callable[..., object]) -> object:
        other = "on_failure" if keyword == "on_success" else "on_success"
        if keyword in ("on_valid", "on_invalid"):
            other = "on_invalid" if keyword == "on_valid" else "on_valid"
        return variant.match(**{keyword: fn, other: lambda x: x})

    return Operation(f"match({keyword}=...)", call, use)


RESULT_OPERATIONS = [
    _op("map", "amap()"),
    _op("map_error", "amap_error()"),
    _op("then", "athen()"),
    _op("ensure", "aensure()", "error"),
    _op("then_if", "aensure()", "error"),
    _op("tap", "atap()"),
    _op("then_do", "atap()"),
    _op("tap_error", "atap_error()"),
    _op("recover", "arecover()"),
    _op("unwrap_or_else", "arecover() and read .value"),
    _matching("on_success", "amatch()"),
    _matching("on_failure", "amatch()"),
]
OPTION_OPERATIONS = [
    _op("map", "to_result(error).amap(...)"),
    _op("then", "to_result(error).athen(...)"),
    _op("filter", "to_result(error).aensure(...)"),
    _op("if_present", "to_result(error).atap(...)"),
    _op("or_else_get", "or_else(None)"),
    _op("unwrap_or_raise", "an exception, or a plain function that returns one"),
]
VALIDATION_OPERATIONS = [
    _op("map", "to_result().amap(...)"),
    _op("map_errors", "to_result().amap_error(...)"),
    _op("then", "to_result().athen(...)"),
    _op("ensure", "to_result().aensure(...)", "error"),
    _matching("on_valid", "to_result().amatch(...)"),
    _matching("on_invalid", "to_result().amatch(...)"),
    Operation("combine", lambda v, fn: v.combine(Valid(2), fn), "plain values"),
]
VARIANTS: dict[str, tuple[list[Any], list[Operation]]] = {
    "Result": ([Success(1), Failure("e")], RESULT_OPERATIONS),
    "Option": ([Some(1), Nothing()], OPTION_OPERATIONS),
    "Validation": ([Valid(1), Invalid("e")], VALIDATION_OPERATIONS),
}
CASES = [
    pytest.param(variant, operation, fn, id=f"{variant!r}.{operation}-{kind}")
    for variants, operations in VARIANTS.values()
    for variant in variants
    for operation in operations
    for kind, fn in ASYNC_FUNCTIONS.items()
]


@pytest.mark.parametrize(("variant", "operation", "fn"), CASES)
def test_a_sync_step_refuses_an_async_function_on_either_variant(
    variant: Any, operation: Operation, fn: Callable[..., object]
) -> None:
    ran.clear()
    method = operation.method.split("(")[0].replace("then_if", "ensure").replace("then_do", "tap")
    expected = (
        rf"^{re.escape(method)}\(\) takes a plain function, and .+ is async: "
        rf"use {re.escape(operation.use)}"
    )
    with no_unawaited_coroutine_warning(), pytest.raises(TypeError, match=expected):
        operation.call(variant, fn)
    assert ran == []


@pytest.mark.parametrize("fn", ASYNC_FUNCTIONS.values(), ids=ASYNC_FUNCTIONS.keys())
def test_from_call_refuses_an_async_function_pointing_to_afrom_call(fn: Any) -> None:
    with (
        no_unawaited_coroutine_warning(),
        pytest.raises(TypeError, match=r"^from_call\(\) .* use afrom_call\(\)"),
    ):
        Result.from_call(fn)


def test_a_plain_function_returning_a_coroutine_is_refused_where_it_is_called() -> None:
    """Its declaration does not say async, so only the variant that calls it can tell."""
    with (
        no_unawaited_coroutine_warning(),
        pytest.raises(TypeError, match=r"lambda> returned an awaitable: use amap_error\(\)"),
    ):
        Failure("e").map_error(lambda e: step(e, "more"))


class Plain:
    def __call__(self, value: object) -> object:
        return value

    def method(self, value: object) -> object:
        return value


PLAIN_FUNCTIONS: dict[str, object] = {
    "def": lambda value: value,
    "builtin": len,
    "method descriptor": str.upper,
    "class": int,
    "partial": partial(lambda a, b: b, 1),
    "method": Plain().method,
    "__call__": Plain(),
    "async_to_sync": async_to_sync(step),
}


@pytest.mark.parametrize("fn", PLAIN_FUNCTIONS.values(), ids=PLAIN_FUNCTIONS.keys())
def test_plain_callables_are_not_taken_for_async_ones(fn: object) -> None:
    assert not is_async(fn)


@pytest.mark.parametrize("fn", ASYNC_FUNCTIONS.values(), ids=ASYNC_FUNCTIONS.keys())
def test_async_callables_are_recognized(fn: object) -> None:
    assert is_async(fn)


async def test_the_async_railway_still_takes_async_functions() -> None:
    async def double(value: int) -> int:
        return value * 2

    option: Option[int] = Some(2)
    checked: Validation[int, str] = Valid(2)
    assert await Success(2).amap(double).map(str) == Success("4")
    assert await option.to_result("none").amap(double) == Success(4)
    assert await checked.to_result().amap(double) == Success(4)
