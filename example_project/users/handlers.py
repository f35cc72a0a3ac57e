"""Handlers of the users app, discovered at start-up because the module is named handlers.py."""

from __future__ import annotations

from django.contrib.auth.models import User

from django_functionalkit import Option, Result, handler
from django_functionalkit.errors import Error, NotFound

from .queries import GetUserById, UserDto


@handler
def get_user_by_id(query: GetUserById) -> Result[UserDto, Error]:
    return (
        Option.of(User.objects.filter(pk=query.user_id).first())
        .to_result(NotFound(f"User with ID {query.user_id} not found"))
        .map(UserDto.from_model)
    )
