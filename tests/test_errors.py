"""Error values, and the exceptions that carry them."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass

import pytest

from django_functionalkit import Failure, Nothing
from django_functionalkit.errors import (
    Conflict,
    ConflictError,
    Error,
    FieldError,
    Forbidden,
    ForbiddenError,
    FunctionalKitError,
    InvalidInput,
    InvalidInputError,
    NotFound,
    NotFoundError,
    RaisedError,
    Unauthorized,
    UnauthorizedError,
    UnwrapError,
)

PAIRS: list[tuple[type[Error], type[RaisedError]]] = [
    (Error, RaisedError),
    (NotFound, NotFoundError),
    (Conflict, ConflictError),
    (Forbidden, ForbiddenError),
    (Unauthorized, UnauthorizedError),
    (InvalidInput, InvalidInputError),
]
PAIR_IDS = [error_type.__name__ for error_type, _ in PAIRS]


# -- error values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error_type", "code"),
    [
        (Error, "error"),
        (NotFound, "not_found"),
        (Conflict, "conflict"),
        (Forbidden, "forbidden"),
        (Unauthorized, "unauthorized"),
        (InvalidInput, "invalid"),
    ],
)
def test_each_error_type_has_its_default_code(error_type: type[Error], code: str) -> None:
    assert error_type("something went wrong").code == code
    assert error_type().code == code


def test_a_custom_code_replaces_the_default() -> None:
    error = NotFound("User 7 does not exist.", code="user_not_found")
    assert error.code == "user_not_found"
    assert error.detail == "User 7 does not exist."


def test_str_is_the_detail_or_else_the_code() -> None:
    assert str(NotFound("User 7 does not exist.")) == "User 7 does not exist."
    assert str(NotFound()) == "not_found"
    assert str(Conflict(code="duplicate_email")) == "duplicate_email"


def test_errors_are_equal_by_class_and_fields() -> None:
    assert NotFound("x") == NotFound("x")
    assert NotFound("x") == NotFound("x", code="not_found")
    assert hash(NotFound("x")) == hash(NotFound("x", code="not_found"))
    assert NotFound("x") != NotFound("y")
    assert NotFound("x") != NotFound("x", code="user_not_found")
    assert NotFound("x") != Conflict("x")
    assert NotFound("x") != Error("x", code="not_found")
    assert Failure(NotFound("x")) == Failure(NotFound("x"))


def test_an_error_subclass_gives_code_a_new_default_and_keeps_its_exception() -> None:
    @dataclass(frozen=True)
    class OutOfStock(Conflict):
        code: str = "out_of_stock"
        product_id: int = 0

    error = OutOfStock("Only 2 left.", product_id=7)
    assert error.code == "out_of_stock"
    assert error.product_id == 7
    assert OutOfStock("Only 2 left.") != Conflict("Only 2 left.", code="out_of_stock")
    exception = error.exception()
    assert type(exception) is ConflictError
    assert exception.error is error


@pytest.mark.parametrize(
    ("value", "attribute"),
    [
        (NotFound("x"), "detail"),
        (NotFound("x"), "code"),
        (InvalidInput.of(["x"]), "errors"),
        (FieldError("name", "required"), "message"),
    ],
)
def test_error_values_are_frozen(value: object, attribute: str) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, attribute, "changed")


# -- from value to exception and back --------------------------------------------------------------


@pytest.mark.parametrize(("error_type", "exception_type"), PAIRS, ids=PAIR_IDS)
def test_exception_gives_the_matching_exception_carrying_the_same_value(
    error_type: type[Error], exception_type: type[RaisedError]
) -> None:
    error = error_type("it went wrong", code="custom")
    exception = error.exception()
    assert type(exception) is exception_type
    assert exception.error is error
    assert str(exception) == "it went wrong"


def test_exception_of_a_subclass_is_the_exception_of_its_base() -> None:
    @dataclass(frozen=True, slots=True)
    class UserNotFound(NotFound):
        code: str = "user_not_found"

    exception = UserNotFound("User 7").exception()
    assert type(exception) is NotFoundError
    assert exception.error == UserNotFound("User 7")
    assert str(exception) == "User 7"


def test_a_raised_exception_is_caught_as_its_own_type_and_as_the_library_error() -> None:
    with pytest.raises(NotFoundError) as raised:
        raise NotFound("User 7 does not exist.").exception()
    assert raised.value.error == NotFound("User 7 does not exist.")
    with pytest.raises(FunctionalKitError):
        raise Forbidden("Admins only.").exception()


@pytest.mark.parametrize(("error_type", "exception_type"), PAIRS, ids=PAIR_IDS)
def test_raising_with_a_message_builds_the_matching_error_value(
    error_type: type[Error], exception_type: type[RaisedError]
) -> None:
    with pytest.raises(exception_type, match=r"^it went wrong$") as raised:
        raise exception_type("it went wrong")
    assert raised.value.error == error_type("it went wrong")


def test_raising_without_an_argument_carries_the_default_error() -> None:
    exception = NotFoundError()
    assert exception.error == NotFound()
    assert str(exception) == "not_found"


def test_an_exception_given_the_wrong_error_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="NotFoundError carries a NotFound, not a Conflict"):
        NotFoundError(Conflict("Email taken."))


def test_error_raised_carries_any_error_value() -> None:
    assert RaisedError(Conflict("Email taken.")).error == Conflict("Email taken.")


def test_a_raised_error_survives_pickling_with_its_value() -> None:
    value = InvalidInput.of([FieldError("email", "Enter a valid email.")], detail="Bad input")
    restored = pickle.loads(pickle.dumps(value.exception()))  # noqa: S301 - our own bytes
    assert type(restored) is InvalidInputError
    assert restored.error == value


# -- the exception tree ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exception_type",
    [
        UnwrapError,
        RaisedError,
        NotFoundError,
        ConflictError,
        ForbiddenError,
        UnauthorizedError,
        InvalidInputError,
    ],
)
def test_every_library_exception_is_a_functional_kit_error(
    exception_type: type[Exception],
) -> None:
    assert issubclass(exception_type, FunctionalKitError)
    assert issubclass(FunctionalKitError, Exception)


@pytest.mark.parametrize(
    "exception_type",
    [NotFoundError, ConflictError, ForbiddenError, UnauthorizedError, InvalidInputError],
)
def test_every_raised_error_is_an_error_raised(exception_type: type[Exception]) -> None:
    assert issubclass(exception_type, RaisedError)


def test_unwrap_error_is_not_an_error_raised() -> None:
    assert not issubclass(UnwrapError, RaisedError)


def test_unwrap_errors_from_the_types_are_functional_kit_errors() -> None:
    with pytest.raises(FunctionalKitError):
        Failure("boom").value
    with pytest.raises(FunctionalKitError):
        Nothing().value


# -- field errors and invalid input ----------------------------------------------------------------


def test_field_error_defaults_and_str() -> None:
    assert FieldError("email", "Enter a valid email.").code == "invalid"
    assert str(FieldError("email", "Enter a valid email.")) == "email: Enter a valid email."
    assert str(FieldError(None, "Passwords do not match.")) == "Passwords do not match."


def test_invalid_input_of_collects_field_errors_and_plain_strings() -> None:
    error = InvalidInput.of(
        [
            FieldError("name", "Name is required.", code="required"),
            "Passwords do not match.",
            FieldError("price", "Price must be positive.", code="min_value"),
        ]
    )
    assert error.errors == (
        FieldError("name", "Name is required.", code="required"),
        FieldError(None, "Passwords do not match."),
        FieldError("price", "Price must be positive.", code="min_value"),
    )
    assert error.code == "invalid"
    assert error.detail == (
        "name: Name is required.; Passwords do not match.; price: Price must be positive."
    )
    assert str(error) == error.detail


def test_invalid_input_of_keeps_a_given_detail() -> None:
    error = InvalidInput.of(["Passwords do not match."], detail="Check the form.")
    assert error.detail == "Check the form."
    assert error.errors == (FieldError(None, "Passwords do not match."),)


def test_invalid_input_of_no_errors_has_a_generic_detail() -> None:
    error = InvalidInput.of([])
    assert error.detail == "The input is invalid."
    assert error.errors == ()


def test_invalid_input_of_takes_any_iterable() -> None:
    messages = (f"problem {n}" for n in range(2))
    assert InvalidInput.of(messages).errors == (
        FieldError(None, "problem 0"),
        FieldError(None, "problem 1"),
    )


def test_invalid_input_fields_groups_messages_by_field_in_order() -> None:
    error = InvalidInput.of(
        [
            FieldError("password", "Too short."),
            "Passwords do not match.",
            FieldError("email", "Enter a valid email."),
            FieldError("password", "Needs a digit."),
            "Try again later.",
        ]
    )
    assert error.fields() == {
        "password": ["Too short.", "Needs a digit."],
        "non_field_errors": ["Passwords do not match.", "Try again later."],
        "email": ["Enter a valid email."],
    }
    assert list(error.fields()) == ["password", "non_field_errors", "email"]


def test_invalid_input_without_errors_has_no_fields() -> None:
    assert InvalidInput("Bad input").fields() == {}
