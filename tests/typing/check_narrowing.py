"""Checked by mypy --strict and pyright --strict in ``make test``; never imported at run time.

Each ``assert_type`` states what a type checker must infer. A wrong inference fails the
check, so this file is the contract of the functional types for typed users.
"""

from __future__ import annotations

from typing import Never, assert_never, assert_type

from django_functionalkit import (
    AsyncResult,
    Failure,
    FieldError,
    Invalid,
    Nothing,
    Option,
    PagedResult,
    Result,
    Some,
    Success,
    Valid,
    Validation,
    is_failure,
    is_invalid,
    is_nothing,
    is_some,
    is_success,
    is_valid,
)
from django_functionalkit.errors import Error, NotFound


def find(user_id: int) -> Result[str, Error]:
    if user_id == 1:
        return Success("Ada")
    return Failure(NotFound(f"User {user_id} not found"))


def narrow_result_by_match(result: Result[str, Error]) -> None:
    match result:
        case Success(name):
            assert_type(name, str)
        case Failure(NotFound() as missing):
            assert_type(missing, NotFound)
        case Failure(error):
            assert_type(error, Error)


def exhaustive_match_on_the_union(result: Success[str, Error] | Failure[str, Error]) -> str:
    match result:
        case Success(name):
            return name
        case Failure(error):
            return error.code
        case _:
            assert_never(result)


def narrow_result_by_isinstance(result: Result[str, Error]) -> None:
    if isinstance(result, Success):
        assert_type(result, Success[str, Error])
        assert_type(result.value, str)
    elif isinstance(result, Failure):
        assert_type(result, Failure[str, Error])
        assert_type(result.error, Error)


def narrow_result_by_function(result: Result[str, Error]) -> None:
    if is_success(result):
        assert_type(result, Success[str, Error])
    if is_failure(result):
        assert_type(result, Failure[str, Error])
        assert_type(result.error, Error)


def bare_variants() -> None:
    # A bare Success(x) has no error type yet, a bare Failure(e) no value type: Never, not
    # Unknown, so a railway started with Success(command) stays fully typed.
    assert_type(Success(1), Success[int, Never])
    assert_type(Failure("no"), Failure[Never, str])
    assert_type(Valid(1), Valid[int, Never])
    assert_type(Invalid("no"), Invalid[Never, str])
    started = Success(3).map(str)
    assert_type(started, Success[str, Never] | Failure[str, Never])


def railway_types() -> None:
    # The library's signatures return the union of the variants, so chains stay exhaustive.
    length = find(1).map(len)
    assert_type(length, Success[int, Error] | Failure[int, Error])
    checked = find(1).ensure(lambda name: name != "", "empty")
    assert_type(checked, Success[str, Error | str] | Failure[str, Error | str])
    match length:
        case Success(size):
            assert_type(size, int)
        case Failure(error):
            assert_type(error, Error)
        case _:
            assert_never(length)

    def measure(name: str) -> Result[int, int]:
        return Success(len(name)) if name else Failure(404)

    chained: Result[int, Error | int] = find(1).then(measure)
    del chained
    assert_type(find(1).unwrap_or(None), str | None)
    assert_type(find(1).match(on_success=len, on_failure=str), int | str)
    collected = Result.all([find(1), find(2)])
    assert_type(collected, Success[list[str], list[Error]] | Failure[list[str], list[Error]])
    parsed = Result.from_call(lambda: int("4"), ValueError)
    assert_type(parsed, Success[int, ValueError] | Failure[int, ValueError])


async def async_railway_types() -> None:
    async def fetch_length(name: str) -> int:
        return len(name)

    async def check(count: int) -> Result[int, str]:
        return Success(count) if count > 0 else Failure("empty")

    pending = find(1).amap(fetch_length).athen(check).map(str)
    assert_type(pending, AsyncResult[str, Error | str])
    assert_type(await pending, Success[str, Error | str] | Failure[str, Error | str])


def covariance(result: Result[str, NotFound], option: Option[bool]) -> None:
    widened: Result[object, Error] = result
    opt: Option[int] = option
    del widened, opt


def narrow_option(option: Option[int]) -> None:
    match option:
        case Some(value):
            assert_type(value, int)
        case Nothing():
            pass


def exhaustive_option(option: Some[int] | Nothing) -> int:
    match option:
        case Some(value):
            return value
        case Nothing():
            return 0
        case _:
            assert_never(option)


def narrow_option_by_function(option: Option[int]) -> None:
    if is_some(option):
        assert_type(option, Some[int])
        assert_type(option.value, int)
    if is_nothing(option):
        assert_type(option, Nothing)


def option_types(name: str | None) -> None:
    assert_type(Option.of(name), Some[str] | Nothing)
    assert_type(Option.of(name).map(len), Some[int] | Nothing)
    assert_type(Option.of(name).or_else(0), str | int)
    # Nothing's methods return Nothing, so a lambda reading an attribute infers cleanly.
    assert_type(Option.of(name).map(lambda n: n.upper()), Some[str] | Nothing)
    assert_type(Option.of(name).filter(lambda n: n.isalpha()), Some[str] | Nothing)
    found: Result[str, NotFound] = Option.of(name).to_result(NotFound("no name"))
    nothing: Option[Never] = Nothing()
    del found, nothing


def narrow_validation(validation: Validation[int, FieldError]) -> None:
    match validation:
        case Valid(value):
            assert_type(value, int)
        case Invalid(errors):
            assert_type(errors, tuple[FieldError, ...])
    if is_valid(validation):
        assert_type(validation, Valid[int, FieldError])
    if is_invalid(validation):
        assert_type(validation, Invalid[int, FieldError])


def validation_types(name: Validation[str, str], price: Validation[float, FieldError]) -> None:
    combined = name.combine(price, lambda n, p: (n, p))
    assert_type(
        combined,
        Valid[tuple[str, float], str | FieldError] | Invalid[tuple[str, float], str | FieldError],
    )
    checked: Result[tuple[str, float], tuple[str | FieldError, ...]] = combined.to_result()
    del checked


def paging_types(page: PagedResult[int]) -> None:
    assert_type(page.map(str), PagedResult[str])
    assert_type(page.total_pages, int)
