"""ValidationBehavior: the guide's validated commands, every error reported, no handler run."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User

from django_functionalkit import (
    Command,
    Failure,
    FieldError,
    Invalid,
    Messenger,
    Query,
    Result,
    Success,
    Unit,
    Valid,
    Validatable,
    Validation,
    unit,
)
from django_functionalkit.behaviors.validation import ValidationBehavior
from django_functionalkit.errors import Error, InvalidInput, InvalidInputError, NotFound
from django_functionalkit.registry import Registry, make_spec
from tests.dispatching import Dispatch, dispatcher

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# -- the guide's commands ------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateProductCommand(Command[Result[int, Error]], Validatable):
    name: str
    price: Decimal
    category_id: int

    def validate(self) -> Validation[Unit, FieldError]:
        return (
            self.validate_name()
            .combine(self.validate_price(), lambda name, price: name)
            .combine(self.validate_category_id(), lambda name, category_id: unit)
        )

    def validate_name(self) -> Validation[str, FieldError]:
        if not self.name.strip():
            return Invalid(FieldError("name", "Product name is required", "required"))
        if len(self.name) > 200:
            return Invalid(
                FieldError("name", "Product name cannot exceed 200 characters", "max_length")
            )
        return Valid(self.name)

    def validate_price(self) -> Validation[Decimal, FieldError]:
        if self.price < 0:
            return Invalid(FieldError("price", "Price cannot be negative", "min_value"))
        if self.price > 1_000_000:
            return Invalid(FieldError("price", "Price cannot exceed 1,000,000", "max_value"))
        return Valid(self.price)

    def validate_category_id(self) -> Validation[int, FieldError]:
        if self.category_id <= 0:
            return Invalid(FieldError("category_id", "Category ID must be positive", "min_value"))
        return Valid(self.category_id)


@dataclass(frozen=True)
class UserDto:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class UpdateUserCommand(Command[Result[UserDto, Error]], Validatable):
    user_id: int
    name: str
    email: str

    def validate(self) -> Validation[Unit, FieldError]:
        return self.validate_name().combine(self.validate_email(), lambda name, email: unit)

    def validate_name(self) -> Validation[str, FieldError]:
        if not self.name.strip():
            return Invalid(FieldError("name", "Name is required", "required"))
        if len(self.name) > 100:
            return Invalid(FieldError("name", "Name cannot exceed 100 characters", "max_length"))
        return Valid(self.name)

    def validate_email(self) -> Validation[str, FieldError]:
        if not self.email.strip():
            return Invalid(FieldError("email", "Email is required", "required"))
        if not EMAIL.match(self.email):
            return Invalid(FieldError("email", "Invalid email format", "invalid"))
        return Valid(self.email)


# -- more shapes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangePassword(Command[Result[Unit, Error]], Validatable):
    """Plain string errors, as the guide writes them: they concern the input as a whole."""

    password: str
    repeated: str

    def validate(self) -> Validation[Unit, str]:
        return Validation.all(
            Valid(unit) if len(self.password) >= 8 else Invalid("Password is too short"),
            Valid(unit) if self.password == self.repeated else Invalid("Passwords do not match"),
        ).map(lambda _: unit)


@dataclass(frozen=True)
class Subscribe(Command[int], Validatable):
    """Returns a plain value, so invalid input raises InvalidInputError."""

    email: str

    def validate(self) -> Validation[str, FieldError]:
        if EMAIL.match(self.email):
            return Valid(self.email)
        return Invalid(FieldError("email", "Invalid email format"))


@dataclass(frozen=True)
class RegisterUsername(Command[Result[str, Error]], Validatable):
    """validate() checks the format; avalidate() also asks the database, the async way."""

    username: str
    checked_by: list[str]  # records which check ran (a message may hold unhashable fields)

    def validate(self) -> Validation[str, FieldError]:
        self.checked_by.append("validate")
        return self.validate_format()

    async def avalidate(self) -> Validation[str, FieldError]:
        self.checked_by.append("avalidate")
        taken = await User.objects.filter(username=self.username).aexists()
        unique: Validation[str, FieldError] = (
            Invalid(FieldError("username", "This username is taken", "unique"))
            if taken
            else Valid(self.username)
        )
        return self.validate_format().combine(unique, lambda name, _: name)

    def validate_format(self) -> Validation[str, FieldError]:
        if self.username.isidentifier():
            return Valid(self.username)
        return Invalid(FieldError("username", "Letters, digits and _ only"))


@dataclass(frozen=True)
class ReserveSlot(Query[Result[str, Error]], Validatable):
    """Only the async check is defined: the sync path runs it too."""

    slot: int

    async def avalidate(self) -> Validation[int, str]:
        return Valid(self.slot) if 0 <= self.slot < 24 else Invalid("No such slot")


@dataclass(frozen=True)
class Sloppy(Query[str], Validatable):
    """validate() forgets to return a Validation."""

    def validate(self) -> Any:
        return None


@dataclass(frozen=True)
class Coded(Query[Result[str, Error]], Validatable):
    """Errors that are neither field errors nor strings are reported by their text."""

    def validate(self) -> Validation[Unit, Any]:
        return Invalid(NotFound("No such coupon"))


@dataclass(frozen=True)
class Unchecked(Command[str]):
    pass


# -- handlers and messengers ---------------------------------------------------------------------


class Handlers:
    """Handlers of this module's messages; ``calls`` records which ran."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.products: list[str] = []
        self.registry = Registry()
        for target in self._targets():
            self.registry.register(make_spec(target))

    def _targets(self) -> list[Callable[..., object]]:
        def create_product(command: CreateProductCommand) -> Result[int, Error]:
            self.calls.append("create_product")
            self.products.append(command.name)
            return Success(len(self.products))

        def update_user(command: UpdateUserCommand) -> Result[UserDto, Error]:
            self.calls.append("update_user")
            user = User.objects.filter(pk=command.user_id).first()
            if user is None:
                return Failure(NotFound(f"User {command.user_id} not found"))
            user.first_name, user.email = command.name, command.email
            user.save(update_fields=["first_name", "email"])
            return Success(UserDto(user.pk, user.first_name, user.email))

        def change_password(command: ChangePassword) -> Result[Unit, Error]:
            self.calls.append("change_password")
            return Success(unit)

        async def subscribe(command: Subscribe) -> int:
            self.calls.append("subscribe")
            return 1

        def register_username(command: RegisterUsername) -> Result[str, Error]:
            self.calls.append("register_username")
            return Success(command.username)

        def reserve_slot(query: ReserveSlot) -> Result[str, Error]:
            self.calls.append("reserve_slot")
            return Success(f"slot {query.slot}")

        def sloppy(query: Sloppy) -> str:
            self.calls.append("sloppy")
            return "ran"

        def coded(query: Coded) -> Result[str, Error]:
            self.calls.append("coded")
            return Success("ran")

        def unchecked(command: Unchecked) -> str:
            self.calls.append("unchecked")
            return "ran"

        return [
            create_product,
            update_user,
            change_password,
            subscribe,
            register_username,
            reserve_slot,
            sloppy,
            coded,
            unchecked,
        ]

    def messenger(self) -> Messenger:
        return Messenger(self.registry, behaviors=[ValidationBehavior()])


@pytest.fixture
def handlers() -> Handlers:
    return Handlers()


@pytest.fixture(params=["sync", "async"])
def path(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def dispatch(path: str, handlers: Handlers) -> Dispatch:
    return dispatcher(handlers.messenger(), path)


# -- which messages ------------------------------------------------------------------------------


def test_it_applies_to_validatable_messages_only(handlers: Handlers) -> None:
    behavior = ValidationBehavior()
    assert behavior.applies_to(CreateProductCommand)
    assert behavior.applies_to(ReserveSlot)
    assert not behavior.applies_to(Unchecked)
    bus = handlers.messenger()
    assert bus.behaviors_for(Unchecked) == []
    assert [type(b) for b in bus.behaviors_for(UpdateUserCommand)] == [ValidationBehavior]


# -- the guide's CreateProductCommand ------------------------------------------------------------


def test_a_valid_product_reaches_its_handler(handlers: Handlers, dispatch: Dispatch) -> None:
    assert dispatch(CreateProductCommand("Desk lamp", Decimal("29.90"), 3)) == Success(1)
    assert handlers.calls == ["create_product"]


def test_every_error_of_an_invalid_product_is_reported_and_the_handler_never_runs(
    handlers: Handlers, dispatch: Dispatch
) -> None:
    result = dispatch(CreateProductCommand("", Decimal("-5"), 0))
    assert result == Failure(
        InvalidInput.of(
            [
                FieldError("name", "Product name is required", "required"),
                FieldError("price", "Price cannot be negative", "min_value"),
                FieldError("category_id", "Category ID must be positive", "min_value"),
            ]
        )
    )
    assert result.error.fields() == {
        "name": ["Product name is required"],
        "price": ["Price cannot be negative"],
        "category_id": ["Category ID must be positive"],
    }
    assert result.error.detail == (
        "name: Product name is required; price: Price cannot be negative; "
        "category_id: Category ID must be positive"
    )
    assert handlers.calls == []


@pytest.mark.parametrize(
    ("command", "field", "message"),
    [
        (
            CreateProductCommand("x" * 201, Decimal(1), 1),
            "name",
            "Product name cannot exceed 200 characters",
        ),
        (
            CreateProductCommand("Lamp", Decimal(1_000_001), 1),
            "price",
            "Price cannot exceed 1,000,000",
        ),
    ],
    ids=["name too long", "price too high"],
)
def test_one_bad_field_is_one_error(
    command: CreateProductCommand, field: str, message: str, handlers: Handlers, dispatch: Dispatch
) -> None:
    result = dispatch(command)
    assert result.error.fields() == {field: [message]}
    assert handlers.calls == []


# -- the guide's UpdateUserCommand, on a real user -----------------------------------------------


@pytest.mark.django_db
def test_update_user_updates_a_real_user_when_valid(handlers: Handlers, dispatch: Dispatch) -> None:
    user = User.objects.create_user("ada", email="ada@example.com")
    result = dispatch(UpdateUserCommand(user.pk, "Ada Lovelace", "ada@lovelace.example"))
    assert result == Success(UserDto(user.pk, "Ada Lovelace", "ada@lovelace.example"))
    assert User.objects.get(pk=user.pk).email == "ada@lovelace.example"
    assert handlers.calls == ["update_user"]


@pytest.mark.django_db
def test_update_user_reports_name_and_email_and_changes_nothing(
    handlers: Handlers, dispatch: Dispatch
) -> None:
    user = User.objects.create_user("ada", email="ada@example.com")
    result = dispatch(UpdateUserCommand(user.pk, " ", "ada-at-example.com"))
    assert result.error.fields() == {
        "name": ["Name is required"],
        "email": ["Invalid email format"],
    }
    assert [e.code for e in result.error.errors] == ["required", "invalid"]
    assert User.objects.get(pk=user.pk).email == "ada@example.com"
    assert handlers.calls == []


# -- other shapes --------------------------------------------------------------------------------


def test_plain_string_errors_are_errors_of_the_whole_input(
    handlers: Handlers, dispatch: Dispatch
) -> None:
    result = dispatch(ChangePassword("short", "shorter"))
    assert result.error.fields() == {
        "non_field_errors": ["Password is too short", "Passwords do not match"]
    }
    assert dispatch(ChangePassword("long enough", "long enough")) == Success(unit)
    assert handlers.calls == ["change_password"]


def test_a_message_not_returning_a_result_raises_invalid_input_error(
    handlers: Handlers, dispatch: Dispatch
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        dispatch(Subscribe("not-an-email"))
    assert refused.value.error == InvalidInput.of([FieldError("email", "Invalid email format")])
    assert handlers.calls == []
    assert dispatch(Subscribe("ada@example.com")) == 1
    assert handlers.calls == ["subscribe"]


def test_errors_of_other_types_are_reported_by_their_text(
    handlers: Handlers, dispatch: Dispatch
) -> None:
    assert dispatch(Coded()) == Failure(InvalidInput.of(["No such coupon"]))
    assert handlers.calls == []


def test_a_validate_that_returns_no_validation_is_a_clear_type_error(
    handlers: Handlers, dispatch: Dispatch
) -> None:
    with pytest.raises(TypeError, match=r"Sloppy.validate\(\) returned NoneType: return Valid"):
        dispatch(Sloppy())
    assert handlers.calls == []


# -- sync and async checks -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_async_path_uses_avalidate_and_the_sync_path_validate(
    handlers: Handlers, dispatch: Dispatch, path: str
) -> None:
    User.objects.create_user("ada")
    checked_by: list[str] = []
    result = dispatch(RegisterUsername("ada", checked_by))
    if path == "sync":
        assert checked_by == ["validate"]
        assert result == Success("ada")  # validate() checks the format only
    else:
        assert checked_by == ["avalidate"]
        assert result.error.fields() == {"username": ["This username is taken"]}
    bad = dispatch(RegisterUsername("a b", []))
    assert bad.error.fields()["username"][0] == "Letters, digits and _ only"


def test_an_async_only_check_runs_on_the_sync_path_too(
    handlers: Handlers, dispatch: Dispatch
) -> None:
    assert dispatch(ReserveSlot(9)) == Success("slot 9")
    assert dispatch(ReserveSlot(24)) == Failure(InvalidInput.of(["No such slot"]))
    assert handlers.calls == ["reserve_slot"]


@pytest.mark.django_db(transaction=True)
async def test_asend_in_an_async_test(handlers: Handlers) -> None:
    await User.objects.acreate(username="grace")
    bus = handlers.messenger()
    checked_by: list[str] = []
    taken = await bus.asend(RegisterUsername("grace", checked_by))
    assert taken.error.fields() == {"username": ["This username is taken"]}
    assert await bus.asend(RegisterUsername("ada", checked_by)) == Success("ada")
    assert checked_by == ["avalidate", "avalidate"]
    assert handlers.calls == ["register_username"]
