"""Validation: like Result, but every error is kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from django_functionalkit import (
    Failure,
    FieldError,
    Invalid,
    Success,
    Valid,
    Validation,
    is_invalid,
    is_valid,
)
from django_functionalkit.errors import InvalidInput, UnwrapError


class Spy:
    """A function that records every argument it was called with."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any) -> Any:
        self.calls.append(args)
        return self.fn(*args)


def add(a: int, b: int) -> int:
    return a + b


# -- the variants ----------------------------------------------------------------------------------


def test_valid_holds_a_value_and_invalid_holds_every_error() -> None:
    assert Valid(1).value == 1
    assert Invalid("Name is required").errors == ("Name is required",)
    assert Invalid("a", "b", "c").errors == ("a", "b", "c")


def test_invalid_without_errors_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"Invalid\(\) needs at least one error"):
        Invalid()


def test_reading_errors_of_a_valid_raises_unwrap_error() -> None:
    with pytest.raises(UnwrapError, match=r"Cannot read \.errors of Valid\(1\): it is valid"):
        Valid(1).errors


def test_reading_value_of_an_invalid_raises_unwrap_error() -> None:
    with pytest.raises(
        UnwrapError, match=r"Cannot read \.value of Invalid\('a', 'b'\): it is invalid"
    ):
        Invalid("a", "b").value


@pytest.mark.parametrize(
    ("validation", "valid"), [(Valid(1), True), (Valid(None), True), (Invalid("a"), False)]
)
def test_is_valid_and_is_invalid_methods_and_functions(
    validation: Validation[Any, str], valid: bool
) -> None:
    assert validation.is_valid() is valid
    assert validation.is_invalid() is not valid
    assert is_valid(validation) is valid
    assert is_invalid(validation) is not valid


def test_validations_are_equal_by_variant_and_content_in_order() -> None:
    assert Valid(1) == Valid(1)
    assert Valid(1) != Valid(2)
    assert Invalid("a", "b") == Invalid("a", "b")
    assert Invalid("a", "b") != Invalid("b", "a")
    assert Valid("a") != Invalid("a")
    assert hash(Invalid("a", "b")) == hash(Invalid("a", "b"))
    assert len({Valid(1), Valid(1), Invalid(1), Invalid(1)}) == 2


@pytest.mark.parametrize(
    ("validation", "text"),
    [
        (Valid(1), "Valid(1)"),
        (Invalid("a"), "Invalid('a')"),
        (Invalid("a", "b"), "Invalid('a', 'b')"),
        (
            Invalid(FieldError("name", "required")),
            "Invalid(FieldError(field='name', message='required', code='invalid'))",
        ),
    ],
)
def test_repr(validation: Validation[Any, Any], text: str) -> None:
    assert repr(validation) == text


def describe(validation: Validation[Any, Any]) -> str:
    match validation:
        case Valid(value):
            return f"valid {value!r}"
        case Invalid((only,)):
            return f"one error: {only}"
        case Invalid(errors):
            return f"{len(errors)} errors"
        case _:
            return "not a validation"


@pytest.mark.parametrize(
    ("validation", "expected"),
    [
        (Valid(3), "valid 3"),
        (Invalid("Name is required"), "one error: Name is required"),
        (Invalid("a", "b", "c"), "3 errors"),
    ],
)
def test_pattern_matching_binds_the_value_or_the_error_tuple(
    validation: Validation[Any, Any], expected: str
) -> None:
    assert describe(validation) == expected


# -- combine ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (Valid(2), Valid(3), Valid(5)),
        (Invalid("a"), Valid(3), Invalid("a")),
        (Valid(2), Invalid("b"), Invalid("b")),
        (Invalid("a1", "a2"), Invalid("b1", "b2"), Invalid("a1", "a2", "b1", "b2")),
    ],
)
def test_combine_joins_the_values_or_keeps_every_error_of_both_sides_in_order(
    left: Validation[int, str], right: Validation[int, str], expected: Validation[int, str]
) -> None:
    assert left.combine(right, add) == expected


def test_combine_does_not_call_the_function_when_either_side_is_invalid() -> None:
    fn = Spy(add)
    assert Invalid("a").combine(Valid(1), fn) == Invalid("a")
    assert Valid(1).combine(Invalid("b"), fn) == Invalid("b")
    assert fn.calls == []


@dataclass(frozen=True)
class CreateProductCommand:
    name: str
    price: Decimal
    category: str


@dataclass(frozen=True)
class Product:
    name: str
    price: Decimal
    category: str


CATEGORIES = {"books", "games"}


def validate_name(name: str) -> Validation[str, FieldError]:
    if not name.strip():
        return Invalid(FieldError("name", "Name is required.", code="required"))
    return Valid(name.strip())


def validate_price(price: Decimal) -> Validation[Decimal, FieldError]:
    if price <= 0:
        return Invalid(FieldError("price", "Price must be positive.", code="min_value"))
    return Valid(price)


def validate_category(category: str) -> Validation[str, FieldError]:
    if category not in CATEGORIES:
        return Invalid(FieldError("category", f"Unknown category {category!r}."))
    return Valid(category)


def validate_product(command: CreateProductCommand) -> Validation[Product, FieldError]:
    return (
        validate_name(command.name)
        .combine(validate_price(command.price), lambda name, price: (name, price))
        .combine(
            validate_category(command.category),
            lambda name_price, category: Product(*name_price, category),
        )
    )


def test_a_valid_create_product_command_gives_the_product() -> None:
    command = CreateProductCommand(" Dune ", Decimal("9.99"), "books")
    assert validate_product(command) == Valid(Product("Dune", Decimal("9.99"), "books"))


def test_a_create_product_command_with_three_bad_fields_reports_three_errors() -> None:
    command = CreateProductCommand("  ", Decimal("-1"), "toys")
    assert validate_product(command) == Invalid(
        FieldError("name", "Name is required.", code="required"),
        FieldError("price", "Price must be positive.", code="min_value"),
        FieldError("category", "Unknown category 'toys'."),
    )


def test_a_create_product_command_with_one_bad_field_reports_only_that_one() -> None:
    command = CreateProductCommand("Dune", Decimal("0"), "books")
    assert validate_product(command) == Invalid(
        FieldError("price", "Price must be positive.", code="min_value")
    )


def test_field_errors_turn_into_an_invalid_input_failure() -> None:
    command = CreateProductCommand("", Decimal("-1"), "books")
    result = validate_product(command).to_result().map_error(InvalidInput.of)
    assert isinstance(result, Failure)
    assert result.error.fields() == {
        "name": ["Name is required."],
        "price": ["Price must be positive."],
    }
    assert result.error.detail == "name: Name is required.; price: Price must be positive."


# -- Validation.all --------------------------------------------------------------------------------


def test_all_of_valid_arguments_gives_every_value_in_order() -> None:
    assert Validation.all(Valid(1), Valid(2), Valid(3)) == Valid([1, 2, 3])


def test_all_of_arguments_reports_every_error_in_order() -> None:
    assert Validation.all(Valid(1), Invalid("a"), Valid(2), Invalid("b", "c")) == Invalid(
        "a", "b", "c"
    )


def test_all_of_one_iterable_works_like_the_arguments() -> None:
    assert Validation.all([Valid(1), Valid(2)]) == Valid([1, 2])
    assert Validation.all([Invalid("a"), Valid(2), Invalid("b")]) == Invalid("a", "b")
    assert Validation.all(Valid(n) for n in range(3)) == Valid([0, 1, 2])


def test_all_of_one_validation_is_that_validation_in_a_list() -> None:
    assert Validation.all(Valid(1)) == Valid([1])
    assert Validation.all(Invalid("a", "b")) == Invalid("a", "b")


def test_all_of_nothing_is_valid_and_empty() -> None:
    assert Validation.all() == Valid([])
    assert Validation.all([]) == Valid([])


def test_all_rejects_something_that_is_not_a_validation() -> None:
    with pytest.raises(TypeError, match=r"Validation\.all\(\) takes Validations, got int"):
        Validation.all([Valid(1), 2])  # type: ignore[list-item]


# -- map, map_errors, then, ensure -----------------------------------------------------------------


def test_map_transforms_a_valid_value() -> None:
    assert Valid(2).map(lambda v: v + 1) == Valid(3)


def test_map_keeps_every_error_and_does_not_call_the_function() -> None:
    fn = Spy(lambda v: v + 1)
    assert Invalid("a", "b").map(fn) == Invalid("a", "b")
    assert fn.calls == []


def test_map_errors_transforms_each_error() -> None:
    to_field_error = Spy(lambda message: FieldError("name", message))
    assert Invalid("too short", "has digits").map_errors(to_field_error) == Invalid(
        FieldError("name", "too short"), FieldError("name", "has digits")
    )
    assert to_field_error.calls == [("too short",), ("has digits",)]


def test_map_errors_leaves_a_valid_alone() -> None:
    fn = Spy(str.upper)
    assert Valid(1).map_errors(fn) == Valid(1)
    assert fn.calls == []


def test_then_continues_with_a_check_that_needs_the_valid_value() -> None:
    assert Valid(2).then(lambda v: Valid(v * 2)) == Valid(4)
    assert Valid(2).then(lambda v: Invalid(f"{v} is taken")) == Invalid("2 is taken")


def test_then_stops_at_the_first_invalid_without_running_the_check() -> None:
    check = Spy(lambda v: Invalid("would be another error"))
    assert Invalid("a", "b").then(check) == Invalid("a", "b")
    assert check.calls == []


def test_ensure_keeps_a_valid_value_that_passes() -> None:
    assert Valid(5).ensure(lambda v: v > 3, "too small") == Valid(5)


def test_ensure_turns_a_failing_valid_value_into_invalid_with_the_error() -> None:
    assert Valid(2).ensure(lambda v: v > 3, "too small") == Invalid("too small")


def test_ensure_keeps_an_invalid_as_it_is_without_checking() -> None:
    predicate = Spy(lambda v: False)
    assert Invalid("a").ensure(predicate, "too small") == Invalid("a")
    assert predicate.calls == []


# -- ends ------------------------------------------------------------------------------------------


def test_to_result_gives_a_success_or_a_failure_with_the_tuple_of_every_error() -> None:
    assert Valid(1).to_result() == Success(1)
    assert Invalid("a", "b").to_result() == Failure(("a", "b"))


@pytest.mark.parametrize(("validation", "expected"), [(Valid(1), 1), (Invalid("a"), 0)])
def test_unwrap_or(validation: Validation[int, str], expected: int) -> None:
    assert validation.unwrap_or(0) == expected


@pytest.mark.parametrize(
    ("validation", "expected"),
    [(Valid(2), "valid 2"), (Invalid("a", "b"), "invalid ('a', 'b')")],
)
def test_match_calls_on_valid_with_the_value_or_on_invalid_with_every_error(
    validation: Validation[int, str], expected: str
) -> None:
    outcome = validation.match(
        on_valid=lambda v: f"valid {v}", on_invalid=lambda errors: f"invalid {errors}"
    )
    assert outcome == expected
