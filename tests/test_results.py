"""Result (Success/Failure) and AsyncResult: the railway, sync and async."""

from __future__ import annotations

import asyncio
import gc
import inspect
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import pytest

from django_functionalkit import (
    AsyncResult,
    Failure,
    Result,
    Success,
    is_failure,
    is_success,
    partition,
)
from django_functionalkit.errors import (
    Conflict,
    Error,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    UnwrapError,
)

# -- helpers ---------------------------------------------------------------------------------------


class Spy:
    """A sync step that records every argument it was called with."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        self.calls: list[Any] = []

    def __call__(self, arg: Any) -> Any:
        self.calls.append(arg)
        return self.fn(arg)


class AsyncSpy:
    """An async step that records every argument it was called with."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        self.calls: list[Any] = []

    async def __call__(self, arg: Any) -> Any:
        self.calls.append(arg)
        await asyncio.sleep(0)
        return self.fn(arg)


async def _same(value: Any) -> Any:
    return value


def pending(result: Result[Any, Any]) -> AsyncResult[Any, Any]:
    """``result`` as an AsyncResult still to be awaited, as after an async step."""
    return result.amap(_same)


@contextmanager
def no_unawaited_coroutine_warning() -> Iterator[None]:
    """Fail if a coroutine is left un-awaited (checked after a garbage collection)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
        gc.collect()
    assert [str(w.message) for w in caught if "never awaited" in str(w.message)] == []


# -- map, map_error --------------------------------------------------------------------------------


def test_map_transforms_the_value_of_a_success() -> None:
    assert Success(2).map(lambda v: v * 10) == Success(20)


def test_map_leaves_a_failure_alone_and_does_not_call_the_function() -> None:
    step = Spy(lambda v: v * 10)
    assert Failure("boom").map(step) == Failure("boom")
    assert step.calls == []


def test_map_error_transforms_the_error_of_a_failure() -> None:
    assert Failure("boom").map_error(str.upper) == Failure("BOOM")


def test_map_error_leaves_a_success_alone_and_does_not_call_the_function() -> None:
    step = Spy(str.upper)
    assert Success(1).map_error(step) == Success(1)
    assert step.calls == []


# -- then (bind) -----------------------------------------------------------------------------------


def test_then_continues_a_success_with_whatever_the_step_returns() -> None:
    assert Success(4).then(lambda v: Success(v + 1)) == Success(5)
    assert Success(4).then(lambda v: Failure(f"rejected {v}")) == Failure("rejected 4")


def test_then_short_circuits_a_failure() -> None:
    step = Spy(Success)
    assert Failure("boom").then(step) == Failure("boom")
    assert step.calls == []


def test_then_rejects_a_step_that_returns_a_plain_value_with_a_clear_message() -> None:
    def double(value: int) -> int:
        return value * 2

    with pytest.raises(
        TypeError,
        match=(
            r"then\(\) expects .*double to return a Result, got int: "
            r"return Success\(\.\.\.\) or Failure\(\.\.\.\), or use map\(\) for a plain value"
        ),
    ):
        Success(2).then(double)  # type: ignore[arg-type]


def test_then_rejects_an_async_step_pointing_to_athen_without_running_it_or_warning() -> None:
    started: list[int] = []

    async def reserve(order_id: int) -> Result[int, str]:
        started.append(order_id)
        return Success(order_id)

    with (
        no_unawaited_coroutine_warning(),
        pytest.raises(
            TypeError,
            match=r"then\(\) takes a plain function, and .*reserve is async: use athen\(\)",
        ),
    ):
        Success(1).then(reserve)  # type: ignore[arg-type]
    assert started == []


# -- ensure / then_if ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["ensure", "then_if"])
def test_ensure_keeps_a_success_whose_value_passes(method: str) -> None:
    predicate = Spy(lambda v: v > 3)
    assert getattr(Success(5), method)(predicate, "too small") == Success(5)
    assert predicate.calls == [5]


@pytest.mark.parametrize("method", ["ensure", "then_if"])
def test_ensure_fails_a_success_whose_value_does_not_pass(method: str) -> None:
    assert getattr(Success(2), method)(lambda v: v > 3, "too small") == Failure("too small")


@pytest.mark.parametrize("method", ["ensure", "then_if"])
def test_ensure_keeps_the_first_failure_and_does_not_check(method: str) -> None:
    predicate = Spy(lambda v: False)
    assert getattr(Failure("boom"), method)(predicate, "too small") == Failure("boom")
    assert predicate.calls == []


# -- tap / then_do, tap_error ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["tap", "then_do"])
def test_tap_runs_a_side_effect_with_the_value_and_keeps_the_result(method: str) -> None:
    effect = Spy(lambda v: "a return value that is ignored")
    assert getattr(Success(3), method)(effect) == Success(3)
    assert effect.calls == [3]


@pytest.mark.parametrize("method", ["tap", "then_do"])
def test_tap_does_nothing_on_a_failure(method: str) -> None:
    effect = Spy(lambda v: None)
    assert getattr(Failure("boom"), method)(effect) == Failure("boom")
    assert effect.calls == []


def test_tap_error_runs_a_side_effect_with_the_error_and_keeps_the_result() -> None:
    effect = Spy(lambda e: "ignored")
    assert Failure("boom").tap_error(effect) == Failure("boom")
    assert effect.calls == ["boom"]


def test_tap_error_does_nothing_on_a_success() -> None:
    effect = Spy(lambda e: None)
    assert Success(1).tap_error(effect) == Success(1)
    assert effect.calls == []


# -- recover, unwrap_or, unwrap_or_else, match -----------------------------------------------------


def test_recover_turns_a_failure_into_a_success() -> None:
    assert Failure("boom").recover(len) == Success(4)


def test_recover_leaves_a_success_alone() -> None:
    fallback = Spy(len)
    assert Success(1).recover(fallback) == Success(1)
    assert fallback.calls == []


@pytest.mark.parametrize(
    ("result", "expected"),
    [(Success(1), 1), (Success(None), None), (Failure("boom"), 0)],
)
def test_unwrap_or_gives_the_value_else_the_default(
    result: Result[Any, str], expected: Any
) -> None:
    assert result.unwrap_or(0) == expected


def test_unwrap_or_else_gives_the_value_without_calling_the_fallback() -> None:
    fallback = Spy(len)
    assert Success(1).unwrap_or_else(fallback) == 1
    assert fallback.calls == []


def test_unwrap_or_else_computes_the_fallback_from_the_error() -> None:
    assert Failure("boom").unwrap_or_else(len) == 4


@pytest.mark.parametrize(
    ("result", "expected"),
    [(Success(2), "ok 2"), (Failure("boom"), "error boom")],
)
def test_match_calls_the_branch_of_the_variant(result: Result[int, str], expected: str) -> None:
    assert result.match(on_success=lambda v: f"ok {v}", on_failure=lambda e: f"error {e}") == (
        expected
    )


def test_match_takes_its_branches_by_keyword_only() -> None:
    with pytest.raises(TypeError, match="positional argument"):
        Success(1).match(str, str)  # type: ignore[misc]


# -- telling the variants apart --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "succeeded"),
    [
        (Success(1), True),
        (Success(None), True),
        (Success(False), True),
        (Failure("boom"), False),
        (Failure(None), False),
    ],
)
def test_is_success_and_is_failure_methods_and_functions(
    result: Result[Any, Any], succeeded: bool
) -> None:
    assert result.is_success() is succeeded
    assert result.is_failure() is not succeeded
    assert is_success(result) is succeeded
    assert is_failure(result) is not succeeded


def describe(result: object) -> str:
    match result:
        case Success(int(number)) if number < 0:
            return f"negative {number}"
        case Success(value):
            return f"value {value!r}"
        case Failure(NotFound(detail=detail)):
            return f"missing: {detail}"
        case Failure(error):
            return f"error {error!r}"
        case _:
            return "not a result"


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (Success(-3), "negative -3"),
        (Success(3), "value 3"),
        (Success(None), "value None"),
        (Failure(NotFound("User 7")), "missing: User 7"),
        (Failure("boom"), "error 'boom'"),
        ("boom", "not a result"),
    ],
)
def test_pattern_matching_binds_the_value_or_the_error(result: object, expected: str) -> None:
    assert describe(result) == expected


def test_reading_the_value_of_a_failure_raises_unwrap_error_saying_it_failed() -> None:
    with pytest.raises(UnwrapError, match=r"Cannot read \.value of Failure\('boom'\): it failed"):
        Failure("boom").value


def test_reading_the_error_of_a_success_raises_unwrap_error_saying_it_succeeded() -> None:
    with pytest.raises(UnwrapError, match=r"Cannot read \.error of Success\(1\): it succeeded"):
        Success(1).error


def test_reading_the_right_side_gives_what_was_put_in() -> None:
    assert Success([1, 2]).value == [1, 2]
    assert Failure(NotFound("x")).error == NotFound("x")


# -- equality, hash, repr --------------------------------------------------------------------------


def test_results_are_equal_by_variant_and_content() -> None:
    assert Success(1) == Success(1)
    assert Failure("e") == Failure("e")
    assert Success(1) != Success(2)
    assert Failure("e") != Failure("f")
    assert Success("e") != Failure("e")
    assert Failure("e") != Success("e")
    assert Success(1) != 1


def test_equal_results_hash_equal_so_they_work_in_sets_and_as_keys() -> None:
    assert hash(Success((1, 2))) == hash(Success((1, 2)))
    assert hash(Failure("e")) == hash(Failure("e"))
    assert len({Success(1), Success(1), Failure(1), Failure(1)}) == 2
    assert {Success("a"): "found"}[Success("a")] == "found"


@pytest.mark.parametrize(
    ("result", "text"),
    [
        (Success(1), "Success(1)"),
        (Failure("boom"), "Failure('boom')"),
        (
            Success(Failure(NotFound("x"))),
            "Success(Failure(NotFound(detail='x', code='not_found')))",
        ),
    ],
)
def test_repr_shows_the_variant_and_its_content(result: Result[Any, Any], text: str) -> None:
    assert repr(result) == text


# -- from_call -------------------------------------------------------------------------------------


def test_from_call_wraps_the_return_value_in_a_success() -> None:
    assert Result.from_call(lambda: 42) == Success(42)


def test_from_call_catches_any_exception_by_default() -> None:
    result = Result.from_call(lambda: int("forty-two"))
    assert isinstance(result, Failure)
    assert isinstance(result.error, ValueError)
    assert "forty-two" in str(result.error)


def test_from_call_does_not_catch_a_base_exception_by_default() -> None:
    class Stop(BaseException):
        pass

    def stop() -> int:
        raise Stop

    with pytest.raises(Stop):
        Result.from_call(stop)


def test_from_call_catches_the_listed_exception_types() -> None:
    def lookup() -> int:
        return {"a": 1}["missing"]

    result = Result.from_call(lookup, ZeroDivisionError, KeyError)
    assert isinstance(result, Failure)
    assert isinstance(result.error, KeyError)


def test_from_call_catches_subclasses_of_a_listed_type() -> None:
    def second(items: list[int]) -> int:
        return items[1]

    result = Result.from_call(lambda: second([]), LookupError)
    assert isinstance(result, Failure)
    assert isinstance(result.error, IndexError)


def test_from_call_lets_an_unlisted_exception_propagate() -> None:
    with pytest.raises(ValueError, match="invalid literal"):
        Result.from_call(lambda: int("x"), KeyError)


# -- all, partition --------------------------------------------------------------------------------


def test_all_gives_every_value_in_order_when_all_succeeded() -> None:
    assert Result.all([Success(1), Success(2), Success(3)]) == Success([1, 2, 3])


def test_all_gives_every_error_in_order_when_any_failed() -> None:
    results = [Success(1), Failure("a"), Success(2), Failure("b"), Failure("c")]
    assert Result.all(results) == Failure(["a", "b", "c"])


def test_all_of_no_results_is_an_empty_success() -> None:
    assert Result.all([]) == Success([])


def test_all_takes_any_iterable() -> None:
    assert Result.all(Success(n) for n in range(3)) == Success([0, 1, 2])


def test_partition_splits_values_and_errors_keeping_their_order() -> None:
    values, errors = partition([Success(1), Failure("a"), Success(2), Failure("b")])
    assert values == [1, 2]
    assert errors == ["a", "b"]


def test_partition_of_nothing_is_two_empty_lists() -> None:
    assert partition([]) == ([], [])


def test_partition_rejects_something_that_is_not_a_result() -> None:
    with pytest.raises(TypeError, match=r"partition\(\) takes Results, got int"):
        partition([Success(1), 2])  # type: ignore[list-item]


# -- async counterparts on Result ------------------------------------------------------------------


async def test_amap_transforms_the_value_with_a_coroutine() -> None:
    step = AsyncSpy(lambda v: v * 10)
    chain = Success(2).amap(step)
    assert isinstance(chain, AsyncResult)
    assert await chain == Success(20)
    assert step.calls == [2]


async def test_amap_skips_a_failure() -> None:
    step = AsyncSpy(lambda v: v * 10)
    assert await Failure("boom").amap(step) == Failure("boom")
    assert step.calls == []


async def test_amap_error_transforms_the_error_with_a_coroutine() -> None:
    assert await Failure("boom").amap_error(AsyncSpy(str.upper)) == Failure("BOOM")


async def test_amap_error_skips_a_success() -> None:
    step = AsyncSpy(str.upper)
    assert await Success(1).amap_error(step) == Success(1)
    assert step.calls == []


async def test_athen_continues_a_success_with_whatever_the_step_returns() -> None:
    assert await Success(4).athen(AsyncSpy(lambda v: Success(v + 1))) == Success(5)
    assert await Success(4).athen(AsyncSpy(lambda v: Failure(f"no {v}"))) == Failure("no 4")


async def test_athen_short_circuits_a_failure() -> None:
    step = AsyncSpy(Success)
    assert await Failure("boom").athen(step) == Failure("boom")
    assert step.calls == []


async def test_athen_rejects_a_step_that_returns_a_plain_value() -> None:
    async def fetch_count(value: int) -> int:
        return value

    with pytest.raises(TypeError, match=r"athen\(\) expects .*fetch_count to return a Result"):
        await Success(1).athen(fetch_count)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["aensure", "athen_if"])
async def test_aensure_keeps_a_success_that_passes(method: str) -> None:
    predicate = AsyncSpy(lambda v: v > 3)
    assert await getattr(Success(5), method)(predicate, "too small") == Success(5)
    assert predicate.calls == [5]


@pytest.mark.parametrize("method", ["aensure", "athen_if"])
async def test_aensure_fails_a_success_that_does_not_pass(method: str) -> None:
    predicate = AsyncSpy(lambda v: v > 3)
    assert await getattr(Success(2), method)(predicate, "too small") == Failure("too small")


@pytest.mark.parametrize("method", ["aensure", "athen_if"])
async def test_aensure_keeps_a_failure_without_checking(method: str) -> None:
    predicate = AsyncSpy(lambda v: True)
    assert await getattr(Failure("boom"), method)(predicate, "too small") == Failure("boom")
    assert predicate.calls == []


@pytest.mark.parametrize("method", ["atap", "athen_do"])
async def test_atap_awaits_a_side_effect_with_the_value(method: str) -> None:
    effect = AsyncSpy(lambda v: "ignored")
    assert await getattr(Success(3), method)(effect) == Success(3)
    assert effect.calls == [3]


@pytest.mark.parametrize("method", ["atap", "athen_do"])
async def test_atap_does_nothing_on_a_failure(method: str) -> None:
    effect = AsyncSpy(lambda v: None)
    assert await getattr(Failure("boom"), method)(effect) == Failure("boom")
    assert effect.calls == []


async def test_atap_error_awaits_a_side_effect_with_the_error() -> None:
    effect = AsyncSpy(lambda e: "ignored")
    assert await Failure("boom").atap_error(effect) == Failure("boom")
    assert effect.calls == ["boom"]


async def test_atap_error_does_nothing_on_a_success() -> None:
    effect = AsyncSpy(lambda e: None)
    assert await Success(1).atap_error(effect) == Success(1)
    assert effect.calls == []


async def test_arecover_turns_a_failure_into_a_success() -> None:
    assert await Failure("boom").arecover(AsyncSpy(len)) == Success(4)


async def test_arecover_leaves_a_success_alone() -> None:
    fallback = AsyncSpy(len)
    assert await Success(1).arecover(fallback) == Success(1)
    assert fallback.calls == []


@pytest.mark.parametrize(
    ("result", "expected"),
    [(Success(2), "ok 2"), (Failure("boom"), "error boom")],
)
async def test_amatch_awaits_the_branch_of_the_variant(
    result: Result[int, str], expected: str
) -> None:
    on_success = AsyncSpy(lambda v: f"ok {v}")
    on_failure = AsyncSpy(lambda e: f"error {e}")
    assert await result.amatch(on_success=on_success, on_failure=on_failure) == expected
    assert len(on_success.calls) + len(on_failure.calls) == 1


async def test_afrom_call_wraps_the_awaited_value_and_calls_only_when_awaited() -> None:
    fetch = AsyncSpy(lambda _: 42)

    async def call() -> int:
        return int(await fetch(None))

    chain = Result.afrom_call(call)
    assert fetch.calls == []
    assert await chain == Success(42)
    assert fetch.calls == [None]


async def test_afrom_call_catches_any_exception_by_default() -> None:
    async def call() -> int:
        return int("forty-two")

    result = await Result.afrom_call(call)
    assert isinstance(result, Failure)
    assert isinstance(result.error, ValueError)


async def test_afrom_call_catches_the_listed_exception_types() -> None:
    async def call() -> int:
        raise TimeoutError("gateway timed out")

    result = await Result.afrom_call(call, ConnectionError, TimeoutError)
    assert isinstance(result, Failure)
    assert isinstance(result.error, TimeoutError)
    assert str(result.error) == "gateway timed out"


async def test_afrom_call_lets_an_unlisted_exception_propagate() -> None:
    async def call() -> int:
        return int("x")

    with pytest.raises(ValueError, match="invalid literal"):
        await Result.afrom_call(call, KeyError)


# -- AsyncResult: the same railway, awaited at the end ---------------------------------------------

SYNC_STEPS: list[tuple[str, tuple[Any, ...]]] = [
    ("map", (lambda v: v + 1,)),
    ("map_error", (str.upper,)),
    ("then", (lambda v: Success(v * 2),)),
    ("then", (lambda v: Failure("rejected"),)),
    ("ensure", (lambda v: v > 0, "not positive")),
    ("ensure", (lambda v: v > 100, "too small")),
    ("then_if", (lambda v: v > 100, "too small")),
    ("tap", (lambda v: None,)),
    ("then_do", (lambda v: None,)),
    ("tap_error", (lambda e: None,)),
    ("recover", (len,)),
]


@pytest.mark.parametrize("result", [Success(5), Failure("boom")], ids=["success", "failure"])
@pytest.mark.parametrize(("method", "args"), SYNC_STEPS, ids=[name for name, _ in SYNC_STEPS])
async def test_async_result_sync_steps_give_what_the_result_gives(
    result: Result[int, str], method: str, args: tuple[Any, ...]
) -> None:
    assert await getattr(pending(result), method)(*args) == getattr(result, method)(*args)


ASYNC_STEPS: list[tuple[str, tuple[Any, ...]]] = [
    ("amap", (AsyncSpy(lambda v: v + 1),)),
    ("amap_error", (AsyncSpy(str.upper),)),
    ("athen", (AsyncSpy(lambda v: Success(v * 2)),)),
    ("athen", (AsyncSpy(lambda v: Failure("rejected")),)),
    ("aensure", (AsyncSpy(lambda v: v > 0), "not positive")),
    ("aensure", (AsyncSpy(lambda v: v > 100), "too small")),
    ("athen_if", (AsyncSpy(lambda v: v > 100), "too small")),
    ("atap", (AsyncSpy(lambda v: None),)),
    ("athen_do", (AsyncSpy(lambda v: None),)),
    ("atap_error", (AsyncSpy(lambda e: None),)),
    ("arecover", (AsyncSpy(len),)),
]


@pytest.mark.parametrize("result", [Success(5), Failure("boom")], ids=["success", "failure"])
@pytest.mark.parametrize(("method", "args"), ASYNC_STEPS, ids=[name for name, _ in ASYNC_STEPS])
async def test_async_result_async_steps_give_what_the_result_gives(
    result: Result[int, str], method: str, args: tuple[Any, ...]
) -> None:
    from_pending = await getattr(pending(result), method)(*args)
    assert from_pending == await getattr(result, method)(*args)


async def test_async_result_tap_and_tap_error_run_their_side_effects() -> None:
    on_value = Spy(lambda v: None)
    on_error = Spy(lambda e: None)
    assert await pending(Success(1)).tap(on_value).tap_error(on_error) == Success(1)
    assert await pending(Failure("boom")).then_do(on_value).tap_error(on_error) == Failure("boom")
    assert on_value.calls == [1]
    assert on_error.calls == ["boom"]


@pytest.mark.parametrize("result", [Success(5), Failure("boom")], ids=["success", "failure"])
async def test_async_result_ends_are_coroutines_that_answer_like_the_result(
    result: Result[int, str],
) -> None:
    chain = pending(result)

    async def describe_value(v: int) -> str:
        return f"ok {v}"

    async def describe_error(e: str) -> str:
        return f"error {e}"

    ends = [
        chain.is_success(),
        chain.is_failure(),
        chain.unwrap_or(0),
        chain.unwrap_or_else(len),
        chain.match(on_success=lambda v: f"ok {v}", on_failure=lambda e: f"error {e}"),
        chain.amatch(on_success=describe_value, on_failure=describe_error),
    ]
    assert all(inspect.iscoroutine(end) for end in ends)
    answers = [await end for end in ends]
    assert answers == [
        result.is_success(),
        result.is_failure(),
        result.unwrap_or(0),
        result.unwrap_or_else(len),
        result.match(on_success=lambda v: f"ok {v}", on_failure=lambda e: f"error {e}"),
        await result.amatch(on_success=describe_value, on_failure=describe_error),
    ]


async def test_awaiting_an_async_result_twice_gives_the_same_result_running_steps_once() -> None:
    fetch = AsyncSpy(lambda v: v + 1)
    to_dto = Spy(lambda v: {"id": v})
    chain = Success(1).amap(fetch).map(to_dto)
    first = await chain
    second = await chain
    assert first == second == Success({"id": 2})
    assert await chain.unwrap_or(None) == {"id": 2}
    assert fetch.calls == [1]
    assert to_dto.calls == [2]


async def test_async_result_repr_shows_pending_then_the_result() -> None:
    chain = Success(1).amap(AsyncSpy(lambda v: v + 1))
    assert repr(chain) == "<AsyncResult pending>"
    await chain
    assert repr(chain) == "<AsyncResult Success(2)>"


async def test_async_result_then_rejects_an_async_step_pointing_to_athen() -> None:
    started: list[int] = []

    async def reserve(order_id: int) -> Result[int, str]:
        started.append(order_id)
        return Success(order_id)

    with (
        no_unawaited_coroutine_warning(),
        pytest.raises(TypeError, match=r"then\(\) takes a plain function, .*reserve is async"),
    ):
        await pending(Success(1)).then(reserve)  # type: ignore[arg-type]
    assert started == []


async def test_a_chain_of_sync_and_async_steps_is_awaited_once_at_the_end() -> None:
    log: list[str] = []

    def validate(cmd: dict[str, Any]) -> Result[dict[str, Any], str]:
        log.append("validate")
        return Success(cmd) if cmd["quantity"] > 0 else Failure("quantity must be positive")

    async def reserve(cmd: dict[str, Any]) -> Result[dict[str, Any], str]:
        log.append("reserve")
        return Success({**cmd, "reservation": "r-1"})

    async def pay(cmd: dict[str, Any]) -> Result[dict[str, Any], str]:
        log.append("pay")
        return Success({**cmd, "payment": "p-1"})

    def to_dto(cmd: dict[str, Any]) -> tuple[str, str]:
        log.append("to_dto")
        return (cmd["reservation"], cmd["payment"])

    cmd = {"quantity": 2}
    chain = Success(cmd).then(validate).athen(reserve).athen(pay).map(to_dto)
    assert log == ["validate"]  # sync steps before the first async one run at once
    assert await chain == Success(("r-1", "p-1"))
    assert log == ["validate", "reserve", "pay", "to_dto"]


@pytest.mark.parametrize(
    ("failing", "called"),
    [
        ("validate", ["validate"]),
        ("reserve", ["validate", "reserve"]),
        ("pay", ["validate", "reserve", "pay"]),
    ],
)
async def test_a_failure_in_the_middle_skips_every_later_step(
    failing: str, called: list[str]
) -> None:
    calls = dict.fromkeys(("validate", "reserve", "pay", "to_dto", "publish"), 0)

    def step(name: str) -> Callable[[int], Result[int, str]]:
        def run(value: int) -> Result[int, str]:
            calls[name] += 1
            return Failure(f"{name} failed") if name == failing else Success(value + 1)

        return run

    def async_step(name: str) -> Callable[[int], Any]:
        async def run(value: int) -> Result[int, str]:
            await asyncio.sleep(0)
            return step(name)(value)

        return run

    async def publish(value: int) -> None:
        calls["publish"] += 1

    def to_dto(value: int) -> str:
        calls["to_dto"] += 1
        return str(value)

    result = await (
        Success(0)
        .then(step("validate"))
        .athen(async_step("reserve"))
        .athen(async_step("pay"))
        .athen_do(publish)
        .map(to_dto)
    )
    assert result == Failure(f"{failing} failed")
    assert calls == {name: int(name in called) for name in calls}


# -- bugs: awaiting an AsyncResult more than once --------------------------------------------------


async def test_a_shared_async_result_awaited_by_two_concurrent_chains_runs_its_steps_once() -> None:
    load = AsyncSpy(lambda v: v * 2)
    shared = Success(21).amap(load)
    outcomes = await asyncio.gather(shared.map(str), shared.map(float), return_exceptions=True)
    assert outcomes == [Success("42"), Success(42.0)]
    assert load.calls == [21]


async def test_awaiting_again_after_a_step_raised_raises_the_same_exception() -> None:
    calls: list[int] = []

    async def charge(amount: int) -> int:
        calls.append(amount)
        raise ConnectionError("payment gateway is down")

    chain = Success(10).amap(charge)
    with pytest.raises(ConnectionError, match="payment gateway is down"):
        await chain
    with pytest.raises(ConnectionError, match="payment gateway is down"):
        await chain
    assert calls == [10]


def test_then_rejecting_a_step_that_returns_an_async_result_leaves_no_unawaited_coroutine() -> None:
    def reserve(order_id: int) -> AsyncResult[int, str]:
        return Success(order_id).amap(_same)

    with (
        no_unawaited_coroutine_warning(),
        pytest.raises(TypeError, match=r"use athen\(\) for async steps"),
    ):
        Success(1).then(reserve)  # type: ignore[arg-type]


# -- the order-processing railway ------------------------------------------------------------------


@dataclass(frozen=True)
class OrderLine:
    sku: str
    quantity: int
    unit_price: int  # cents


@dataclass(frozen=True)
class PlaceOrder:
    customer_id: int
    lines: tuple[OrderLine, ...]
    payment_token: str


@dataclass(frozen=True)
class Customer:
    id: int
    is_active: bool = True
    can_place_orders: bool = True


@dataclass(frozen=True)
class Reservation:
    sku: str
    quantity: int


@dataclass(frozen=True)
class Order:
    id: int
    customer_id: int
    lines: tuple[OrderLine, ...]
    payment_id: str


@dataclass(frozen=True)
class OrderDto:
    order_id: int
    customer_id: int
    total: int
    payment_id: str


@dataclass(frozen=True)
class Checkout:
    """What the railway has learned so far about one order."""

    command: PlaceOrder
    customer: Customer | None = None
    reservations: tuple[Reservation, ...] = ()
    payment_id: str = ""
    order: Order | None = None

    @property
    def total(self) -> int:
        return sum(line.quantity * line.unit_price for line in self.command.lines)


class FakeCustomers:
    def __init__(self, *customers: Customer) -> None:
        self.by_id = {customer.id: customer for customer in customers}
        self.lookups: list[int] = []

    async def get(self, customer_id: int) -> Result[Customer, Error]:
        self.lookups.append(customer_id)
        customer = self.by_id.get(customer_id)
        if customer is None:
            return Failure(NotFound(f"Customer {customer_id} does not exist."))
        return Success(customer)


class FakeInventory:
    def __init__(self, stock: dict[str, int]) -> None:
        self.stock = dict(stock)
        self.reserved: list[str] = []
        self.released: list[str] = []

    async def reserve(self, line: OrderLine) -> Result[Reservation, Error]:
        if self.stock.get(line.sku, 0) < line.quantity:
            return Failure(Conflict(f"{line.sku} is out of stock.", code="out_of_stock"))
        self.stock[line.sku] -= line.quantity
        self.reserved.append(line.sku)
        return Success(Reservation(line.sku, line.quantity))

    async def release(self, reservation: Reservation) -> None:
        self.stock[reservation.sku] += reservation.quantity
        self.released.append(reservation.sku)


class FakePayments:
    def __init__(self, declined_tokens: frozenset[str] = frozenset()) -> None:
        self.declined_tokens = declined_tokens
        self.charges: dict[str, int] = {}

    async def charge(self, token: str, amount: int) -> Result[str, Error]:
        if token in self.declined_tokens:
            return Failure(Error("The card was declined.", code="payment_declined"))
        payment_id = f"pay-{len(self.charges) + 1}"
        self.charges[payment_id] = amount
        return Success(payment_id)


class FakeOrders:
    def __init__(self) -> None:
        self.by_id: dict[int, Order] = {}

    async def create(
        self, customer_id: int, lines: tuple[OrderLine, ...], payment_id: str
    ) -> Result[Order, Error]:
        order = Order(len(self.by_id) + 1, customer_id, lines, payment_id)
        self.by_id[order.id] = order
        return Success(order)


class FakeEvents:
    def __init__(self) -> None:
        self.published: list[tuple[str, int]] = []

    async def publish(self, name: str, order_id: int) -> None:
        self.published.append((name, order_id))


def validate_order(command: PlaceOrder) -> Result[Checkout, Error]:
    errors = [
        FieldError("lines", f"{line.sku}: the quantity must be positive.")
        for line in command.lines
        if line.quantity < 1
    ]
    if not command.lines:
        errors.append(FieldError("lines", "An order needs at least one line."))
    if errors:
        return Failure(InvalidInput.of(errors))
    return Success(Checkout(command))


def to_dto(checkout: Checkout) -> OrderDto:
    assert checkout.order is not None
    return OrderDto(
        checkout.order.id, checkout.order.customer_id, checkout.total, checkout.payment_id
    )


class PlaceOrderHandler:
    def __init__(
        self,
        customers: FakeCustomers,
        inventory: FakeInventory,
        payments: FakePayments,
        orders: FakeOrders,
        events: FakeEvents,
    ) -> None:
        self.customers = customers
        self.inventory = inventory
        self.payments = payments
        self.orders = orders
        self.events = events

    async def handle(self, command: PlaceOrder) -> Result[OrderDto, Error]:
        return await (
            Success(command)
            .then(validate_order)
            .athen(self.check_customer)
            .athen(self.reserve_inventory)
            .athen(self.take_payment)
            .athen(self.create_order)
            .athen_do(self.publish_order_placed)
            .map(to_dto)
        )

    async def check_customer(self, checkout: Checkout) -> Result[Checkout, Error]:
        customer_id = checkout.command.customer_id
        found = await self.customers.get(customer_id)
        return (
            found.ensure(lambda c: c.is_active, Forbidden(f"Customer {customer_id} is not active."))
            .ensure(
                lambda c: c.can_place_orders,
                Forbidden(f"Customer {customer_id} cannot place orders."),
            )
            .map(lambda c: replace(checkout, customer=c))
        )

    async def reserve_inventory(self, checkout: Checkout) -> Result[Checkout, Error]:
        attempts = [await self.inventory.reserve(line) for line in checkout.command.lines]
        reservations, errors = partition(attempts)
        if errors:
            await self.release_all(reservations)
            return Failure(errors[0])
        return Success(replace(checkout, reservations=tuple(reservations)))

    async def take_payment(self, checkout: Checkout) -> Result[Checkout, Error]:
        charged = await self.payments.charge(checkout.command.payment_token, checkout.total)
        return await charged.map(
            lambda payment_id: replace(checkout, payment_id=payment_id)
        ).atap_error(lambda _: self.release_all(checkout.reservations))

    async def create_order(self, checkout: Checkout) -> Result[Checkout, Error]:
        command = checkout.command
        created = await self.orders.create(command.customer_id, command.lines, checkout.payment_id)
        return created.map(lambda order: replace(checkout, order=order))

    async def publish_order_placed(self, checkout: Checkout) -> None:
        assert checkout.order is not None
        await self.events.publish("order_placed", checkout.order.id)

    async def release_all(self, reservations: Iterable[Reservation]) -> None:
        for reservation in reservations:
            await self.inventory.release(reservation)


ACTIVE_CUSTOMER = Customer(7)
STOCK = {"BOOK": 5, "PEN": 10, "INK": 4}


class Shop:
    """The handler wired to fresh in-memory fakes."""

    def __init__(
        self, customer: Customer = ACTIVE_CUSTOMER, declined_tokens: frozenset[str] = frozenset()
    ) -> None:
        self.customers = FakeCustomers(customer)
        self.inventory = FakeInventory(STOCK)
        self.payments = FakePayments(declined_tokens)
        self.orders = FakeOrders()
        self.events = FakeEvents()
        self.handler = PlaceOrderHandler(
            self.customers, self.inventory, self.payments, self.orders, self.events
        )

    def assert_nothing_reserved_charged_or_ordered(self) -> None:
        assert self.inventory.stock == STOCK
        assert self.payments.charges == {}
        assert self.orders.by_id == {}
        assert self.events.published == []


BOOKS = OrderLine("BOOK", 2, 1500)
PENS = OrderLine("PEN", 3, 200)
INK = OrderLine("INK", 1, 800)


async def test_placing_an_order_runs_every_step_and_publishes_the_event() -> None:
    shop = Shop()
    result = await shop.handler.handle(PlaceOrder(7, (BOOKS, PENS), "tok-visa"))
    assert result == Success(OrderDto(order_id=1, customer_id=7, total=3600, payment_id="pay-1"))
    assert shop.customers.lookups == [7]
    assert shop.inventory.stock == {"BOOK": 3, "PEN": 7, "INK": 4}
    assert shop.inventory.released == []
    assert shop.payments.charges == {"pay-1": 3600}
    assert shop.orders.by_id == {1: Order(1, 7, (BOOKS, PENS), "pay-1")}
    assert shop.events.published == [("order_placed", 1)]


async def test_an_order_without_lines_fails_validation_before_any_service_is_called() -> None:
    shop = Shop()
    result = await shop.handler.handle(PlaceOrder(7, (), "tok-visa"))
    assert result == Failure(
        InvalidInput(
            detail="lines: An order needs at least one line.",
            errors=(FieldError("lines", "An order needs at least one line."),),
        )
    )
    assert shop.customers.lookups == []
    assert shop.inventory.reserved == []
    shop.assert_nothing_reserved_charged_or_ordered()


@pytest.mark.parametrize(
    ("customer", "error"),
    [
        (Customer(7, is_active=False), Forbidden("Customer 7 is not active.")),
        (Customer(7, can_place_orders=False), Forbidden("Customer 7 cannot place orders.")),
        (
            Customer(7, is_active=False, can_place_orders=False),
            Forbidden("Customer 7 is not active."),
        ),
        (Customer(8), NotFound("Customer 7 does not exist.")),
    ],
    ids=["inactive", "cannot-order", "both", "unknown"],
)
async def test_a_customer_who_may_not_order_stops_the_railway(
    customer: Customer, error: Error
) -> None:
    shop = Shop(customer)
    result = await shop.handler.handle(PlaceOrder(7, (BOOKS,), "tok-visa"))
    assert result == Failure(error)
    assert shop.customers.lookups == [7]
    assert shop.inventory.reserved == []
    shop.assert_nothing_reserved_charged_or_ordered()


async def test_one_out_of_stock_line_releases_the_other_reservations() -> None:
    shop = Shop()
    too_many_pens = OrderLine("PEN", 11, 200)
    result = await shop.handler.handle(PlaceOrder(7, (BOOKS, too_many_pens, INK), "tok-visa"))
    assert result == Failure(Conflict("PEN is out of stock.", code="out_of_stock"))
    assert shop.inventory.reserved == ["BOOK", "INK"]
    assert shop.inventory.released == ["BOOK", "INK"]
    shop.assert_nothing_reserved_charged_or_ordered()


async def test_a_declined_payment_releases_the_reservations_and_creates_no_order() -> None:
    shop = Shop(declined_tokens=frozenset({"tok-stolen"}))
    result = await shop.handler.handle(PlaceOrder(7, (BOOKS, PENS), "tok-stolen"))
    assert result == Failure(Error("The card was declined.", code="payment_declined"))
    assert shop.inventory.reserved == ["BOOK", "PEN"]
    assert shop.inventory.released == ["BOOK", "PEN"]
    shop.assert_nothing_reserved_charged_or_ordered()


# -- sync steps given async functions, async steps given sync ones ---------------------------------


async def _double_later(value: int) -> int:
    return value * 2


async def _is_positive_later(value: int) -> bool:
    return value > 0


@pytest.mark.parametrize(
    ("method", "fn", "hint"),
    [("map", _double_later, "amap()"), ("ensure", _is_positive_later, "aensure()")],
)
def test_a_sync_step_given_a_coroutine_function_says_which_async_method_to_use(
    method: str, fn: Any, hint: str
) -> None:
    args = (fn, "error") if method == "ensure" else (fn,)
    with pytest.raises(TypeError, match=re.escape(hint)):
        getattr(Success(1), method)(*args)


def test_tap_given_a_coroutine_function_points_to_atap() -> None:
    with pytest.raises(TypeError, match=re.escape("atap()")):
        Success(1).tap(_double_later)


async def test_async_steps_accept_plain_functions_so_chains_can_mix_them() -> None:
    result = await (
        Success(2)
        .amap(lambda v: v + 1)
        .athen(lambda v: Success(v * 10))
        .aensure(lambda v: v > 0, "negative")
    )
    assert result == Success(30)
