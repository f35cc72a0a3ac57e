"""The users app's messages and what they return, as in the guide's user examples."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, ClassVar

from annotated_types import MaxLen, MinLen
from django.contrib.auth.models import User

from django_functionalkit import (
    Cacheable,
    Command,
    DomainEvent,
    FieldError,
    Invalid,
    InvalidatesCache,
    Notification,
    PagedResult,
    Pattern,
    Query,
    RequiresAuthorization,
    Result,
    Unit,
    Valid,
    Validatable,
    Validation,
    unit,
)
from django_functionalkit.errors import Error
from example_project.text import EMAIL as EMAIL_PATTERN
from example_project.text import NOT_BLANK

EMAIL = re.compile(EMAIL_PATTERN)
MAX_EMAIL = 150
MAX_NAME = 100
MIN_PASSWORD = 8

# What a request may hold, declared in the types: the message serializer refuses anything else
# with a 400 and the OpenAPI schema says it. validate() below keeps the same rules (in the
# app's own words) for messages sent without a view.
Name = Annotated[str, MaxLen(MAX_NAME), NOT_BLANK]
Email = Annotated[str, MaxLen(MAX_EMAIL), Pattern(EMAIL.pattern)]


@dataclass(frozen=True)
class UserDto:
    """What a client sees of a user."""

    id: int
    name: str
    email: str
    is_active: bool
    created_at: datetime

    @classmethod
    def from_model(cls, user: User) -> UserDto:
        return cls(
            id=user.pk,
            name=user.get_full_name() or user.get_username(),
            email=user.email,
            is_active=user.is_active,
            created_at=user.date_joined,
        )


@dataclass(frozen=True)
class GetUserById(Query[Result[UserDto, Error]]):
    """The user with this id, or ``NotFound``."""

    user_id: int


@dataclass(frozen=True)
class PreferencesDto:
    theme: str = "light"
    newsletter: bool = False


@dataclass(frozen=True)
class UserProfileDto:
    """The guide's UserProfileDto."""

    id: int
    name: str
    email: str
    bio: str | None
    avatar_url: str | None
    preferences: PreferencesDto


@dataclass(frozen=True)
class GetUserProfile(Query[UserProfileDto], Cacheable):
    """A user's profile, cached for 15 minutes; raises NotFoundError as the guide's handler."""

    user_id: int
    cache_timeout = 15 * 60

    @property
    def cache_key(self) -> str:
        return f"user-profile:{self.user_id}"


@dataclass(frozen=True)
class DatePeriod:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class UserStatisticsDto:
    """The guide's UserStatisticsDto."""

    total_users: int
    active_users: int
    new_users: int
    users_with_profiles: int
    period: DatePeriod


@dataclass(frozen=True)
class GetUserStatistics(Query[UserStatisticsDto]):
    """Counts of users over a period (default: the last 12 months), computed concurrently."""

    from_date: datetime | None = None
    to_date: datetime | None = None


@dataclass(frozen=True)
class GetUsers(Query[PagedResult[UserDto]], Validatable):
    """A page of users, filtered by name, activity and creation date."""

    name: Annotated[str, MaxLen(150)] | None = None
    is_active: bool | None = None
    created_after: datetime | None = None
    page: int = 1
    page_size: int = 20

    def validate(self) -> Validation[Unit, FieldError]:
        page = check(self.page >= 1, "page", "A page number starts at 1.")
        size = check(1 <= self.page_size <= 100, "page_size", "A page holds 1 to 100 users.")
        name = check(len(self.name or "") <= 150, "name", "Search with at most 150 characters.")
        return page.combine(size, lambda _, __: unit).combine(name, lambda _, __: unit)


@dataclass(frozen=True)
class CreateUser(Command[Result[UserDto, Error]], Validatable):
    """A new user; the email must not be taken."""

    name: Name
    email: Email
    # Taken as typed: the serializer trims other text, but a password's spaces are its own.
    password: Annotated[str, MinLen(MIN_PASSWORD)] = field(
        repr=False, metadata={"serializer_kwargs": {"trim_whitespace": False}}
    )

    def validate(self) -> Validation[Unit, FieldError]:
        return (
            validate_name(self.name)
            .combine(validate_email(self.email), lambda _, __: unit)
            .combine(
                check(
                    len(self.password) >= MIN_PASSWORD,
                    "password",
                    f"Use at least {MIN_PASSWORD} characters.",
                ),
                lambda _, __: unit,
            )
        )


@dataclass(frozen=True)
class UpdateUser(
    Command[Result[UserDto, Error]], Validatable, InvalidatesCache, RequiresAuthorization
):
    """A new name and email for a user (the guide's UpdateUserCommand): by that user, or by a
    user manager with the change permission."""

    user_id: int
    name: Name
    email: Email

    def authorize(self, actor: Any) -> bool:
        return bool(actor.pk == self.user_id or actor.has_perm("auth.change_user"))

    @property
    def invalidates_keys(self) -> list[str]:
        return [f"user-profile:{self.user_id}"]

    def validate(self) -> Validation[Unit, FieldError]:
        return validate_name(self.name).combine(validate_email(self.email), lambda _, __: unit)


@dataclass(frozen=True)
class DeleteUser(Command[Unit], RequiresAuthorization, InvalidatesCache):
    """Only an admin or a user manager with the delete permission may delete a user."""

    user_id: int
    required_roles: ClassVar[tuple[str, ...]] = ("Admin", "UserManager")
    required_permissions: ClassVar[tuple[str, ...]] = ("auth.delete_user",)

    @property
    def invalidates_keys(self) -> list[str]:
        return [f"user-profile:{self.user_id}"]


@dataclass(frozen=True)
class UserCreated(DomainEvent):
    """A user signed up: a domain event, stored, so its welcome email is sent by a worker."""

    event_type: ClassVar[str | None] = "users.UserCreated"  # its name if the class moves
    user_id: int
    name: str
    email: str


@dataclass(frozen=True)
class UserDeleted(Notification):
    user_id: int
    email: str


def check(ok: bool, name: str, message: str) -> Validation[Unit, FieldError]:
    return Valid(unit) if ok else Invalid(FieldError(name, message))


def validate_name(name: str) -> Validation[Unit, FieldError]:
    if not name.strip():
        return Invalid(FieldError("name", "Name is required", "required"))
    return check(len(name) <= MAX_NAME, "name", f"Name cannot exceed {MAX_NAME} characters")


def validate_email(email: str) -> Validation[Unit, FieldError]:
    if not email.strip():
        return Invalid(FieldError("email", "Email is required", "required"))
    if len(email) > MAX_EMAIL:  # the email is the username too, which Django caps at 150
        return Invalid(FieldError("email", f"Use at most {MAX_EMAIL} characters.", "max_length"))
    return check(bool(EMAIL.match(email)), "email", "Invalid email format")
