"""Laws the functional types obey, for generated values and functions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

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

values = st.integers()
errors = st.text(max_size=5)
results: st.SearchStrategy[Result[int, str]] = st.one_of(
    st.builds(Success, values), st.builds(Failure, errors)
)
options: st.SearchStrategy[Option[int]] = st.one_of(st.builds(Some, values), st.just(Nothing()))


def _result_step(value: int) -> Result[int, str]:
    return Success(value)


def _option_step(value: int) -> Option[int]:
    return Some(value)


# Pure generated functions: the same argument always gives the same answer.
value_functions = st.functions(like=lambda value: value, returns=values, pure=True)
error_functions = st.functions(like=lambda error: error, returns=errors, pure=True)
result_steps = st.functions(like=_result_step, returns=results, pure=True)
option_steps = st.functions(like=_option_step, returns=options, pure=True)


def identity(x: Any) -> Any:
    return x


def compose(f: Callable[[Any], Any], g: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda x: g(f(x))


# -- Result: functor -------------------------------------------------------------------------------


@given(results)
def test_result_map_identity(result: Result[int, str]) -> None:
    assert result.map(identity) == result


@given(results, value_functions, value_functions)
def test_result_map_composition(
    result: Result[int, str], f: Callable[[int], int], g: Callable[[int], int]
) -> None:
    assert result.map(f).map(g) == result.map(compose(f, g))


@given(results)
def test_result_map_error_identity(result: Result[int, str]) -> None:
    assert result.map_error(identity) == result


@given(results, error_functions, error_functions)
def test_result_map_error_composition(
    result: Result[int, str], f: Callable[[str], str], g: Callable[[str], str]
) -> None:
    assert result.map_error(f).map_error(g) == result.map_error(compose(f, g))


# -- Result: monad ---------------------------------------------------------------------------------


@given(values, result_steps)
def test_result_left_identity(value: int, f: Callable[[int], Result[int, str]]) -> None:
    assert Success(value).then(f) == f(value)


@given(results)
def test_result_right_identity(result: Result[int, str]) -> None:
    assert result.then(Success) == result


@given(results, result_steps, result_steps)
def test_result_associativity(
    result: Result[int, str],
    f: Callable[[int], Result[int, str]],
    g: Callable[[int], Result[int, str]],
) -> None:
    assert result.then(f).then(g) == result.then(lambda value: f(value).then(g))


@given(results, value_functions)
def test_result_map_is_then_with_success(result: Result[int, str], f: Callable[[int], int]) -> None:
    assert result.map(f) == result.then(compose(f, Success))


@given(results, result_steps, value_functions)
def test_the_async_railway_gives_what_the_sync_railway_gives(
    result: Result[int, str], f: Callable[[int], Result[int, str]], g: Callable[[int], int]
) -> None:
    async def af(value: int) -> Result[int, str]:
        return f(value)

    async def ag(value: int) -> int:
        return g(value)

    async def run() -> Result[int, str]:
        return await result.athen(af).amap(ag).then(f).map(g)

    assert asyncio.run(run()) == result.then(f).map(g).then(f).map(g)


# -- Option: functor and monad ---------------------------------------------------------------------


@given(options)
def test_option_map_identity(option: Option[int]) -> None:
    assert option.map(identity) == option


@given(options, value_functions, value_functions)
def test_option_map_composition(
    option: Option[int], f: Callable[[int], int], g: Callable[[int], int]
) -> None:
    assert option.map(f).map(g) == option.map(compose(f, g))


@given(values, option_steps)
def test_option_left_identity(value: int, f: Callable[[int], Option[int]]) -> None:
    assert Some(value).then(f) == f(value)


@given(options)
def test_option_right_identity(option: Option[int]) -> None:
    assert option.then(Some) == option


@given(options, option_steps, option_steps)
def test_option_associativity(
    option: Option[int], f: Callable[[int], Option[int]], g: Callable[[int], Option[int]]
) -> None:
    assert option.then(f).then(g) == option.then(lambda value: f(value).then(g))


# -- Validation: every error is kept, in order -----------------------------------------------------

error_lists = st.lists(errors, max_size=4)


def validation_of(value: int, found: list[str]) -> Validation[int, str]:
    """Invalid with the errors found, else valid with the value."""
    return Invalid(*found) if found else Valid(value)


@given(values, error_lists, values, error_lists)
def test_combine_reports_exactly_the_errors_of_both_sides_in_order(
    left_value: int, left_errors: list[str], right_value: int, right_errors: list[str]
) -> None:
    left = validation_of(left_value, left_errors)
    right = validation_of(right_value, right_errors)
    expected: Validation[tuple[int, int], str] = (
        Invalid(*left_errors, *right_errors)
        if left_errors or right_errors
        else Valid((left_value, right_value))
    )
    assert left.combine(right, lambda a, b: (a, b)) == expected


@given(st.lists(st.tuples(values, error_lists), max_size=5))
def test_all_reports_every_error_of_every_validation_in_order(
    checks: list[tuple[int, list[str]]],
) -> None:
    validations = [validation_of(value, found) for value, found in checks]
    every_error = [error for _, found in checks for error in found]
    expected: Validation[list[int], str] = (
        Invalid(*every_error) if every_error else Valid([value for value, _ in checks])
    )
    assert Validation.all(validations) == expected
    assert Validation.all(*validations) == expected


@given(st.lists(values, max_size=6))
def test_all_valid_gives_every_value_in_order(found: list[int]) -> None:
    assert Validation.all([Valid(value) for value in found]) == Valid(found)
    assert Validation.all(*(Valid(value) for value in found)) == Valid(found)


@given(st.lists(results, max_size=6))
def test_result_all_reports_every_error_in_order(checks: list[Result[int, str]]) -> None:
    found_errors = [r.error for r in checks if isinstance(r, Failure)]
    expected: Result[list[int], list[str]] = (
        Failure(found_errors)
        if found_errors
        else Success([r.value for r in checks if isinstance(r, Success)])
    )
    assert Result.all(checks) == expected
