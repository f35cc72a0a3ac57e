"""The users app's messages and what they return: the guide's GetUserById."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User

from django_functionalkit import Query, Result
from django_functionalkit.errors import Error


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
