"""Handlers of the users app, discovered at start-up because the module is named handlers.py."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from django_functionalkit import (
    Failure,
    Option,
    PagedResult,
    Result,
    Success,
    Unit,
    handler,
    messenger,
    unit,
)
from django_functionalkit.delivery.policy import RetryPolicy
from django_functionalkit.errors import Conflict, Error, NotFound, NotFoundError

from .mail import send_once
from .messages import (
    CreateUser,
    DatePeriod,
    DeleteUser,
    GetUserById,
    GetUserProfile,
    GetUsers,
    GetUserStatistics,
    PreferencesDto,
    UpdateUser,
    UserCreated,
    UserDeleted,
    UserDto,
    UserProfileDto,
    UserStatisticsDto,
)
from .models import SignupCounter, UserProfile


@handler
def get_user_by_id(query: GetUserById) -> Result[UserDto, Error]:
    return (
        Option.of(User.objects.filter(pk=query.user_id).first())
        .to_result(NotFound(f"User with ID {query.user_id} not found"))
        .map(UserDto.from_model)
    )


@handler
def get_users(query: GetUsers) -> PagedResult[UserDto]:
    users = User.objects.order_by("pk")
    if query.name:
        users = users.filter(username__icontains=query.name) | users.filter(
            first_name__icontains=query.name
        )
    if query.is_active is not None:
        users = users.filter(is_active=query.is_active)
    if query.created_after is not None:
        users = users.filter(date_joined__gt=query.created_after)
    return PagedResult.of(users, query.page, query.page_size).map(UserDto.from_model)


@handler
def create_user(command: CreateUser) -> Result[UserDto, Error]:
    if _email_taken(command.email):
        return Failure(Conflict("Email already exists", code="email_taken"))
    first, _, last = command.name.partition(" ")
    try:
        with transaction.atomic():  # a savepoint: a concurrent sign-up may win the race
            user = User.objects.create_user(
                username=command.email,
                email=command.email,
                password=command.password,
                first_name=first,
                last_name=last,
            )
    except IntegrityError:
        return Failure(Conflict("Email already exists", code="email_taken"))
    messenger.publish(UserCreated(user.pk, command.name, user.email))
    return Success(UserDto.from_model(user))


def _email_taken(email: str, but: int | None = None) -> bool:
    """Whether another user has this email, as their email or as their sign-in name."""
    users = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
    return users.exclude(pk=but).exists() if but is not None else users.exists()


@handler
def update_user(command: UpdateUser) -> Result[UserDto, Error]:
    def unique_email(user: User) -> Result[User, Error]:
        taken = _email_taken(command.email, but=user.pk)
        return (
            Failure(Conflict("Email already exists", code="email_taken"))
            if taken
            else Success(user)
        )

    def apply(user: User) -> User:
        user.first_name, _, user.last_name = command.name.partition(" ")
        user.email = user.username = command.email  # the email is the sign-in name
        user.save(update_fields=["first_name", "last_name", "email", "username"])
        return user

    return (
        Option.of(User.objects.filter(pk=command.user_id).first())
        .to_result(NotFound(f"User {command.user_id} not found"))
        .then(unique_email)
        .map(apply)
        .map(UserDto.from_model)
    )


@handler
def delete_user(command: DeleteUser) -> Unit:
    user = User.objects.filter(pk=command.user_id).first()
    if user is None:
        raise NotFoundError(f"User {command.user_id} not found")
    email = user.email
    user.delete()
    messenger.publish(UserDeleted(command.user_id, email))
    return unit


@handler(background=True, retry=RetryPolicy(attempts=8, backoff_base=1, backoff_cap=120))
def send_welcome_email(event: UserCreated) -> None:
    """Sent by a worker, once per sign-up: the delivery's idempotency key is logged with it."""
    send_once("Welcome", f"Hello {event.name}, welcome aboard.", "noreply@example.com", event.email)


@handler
def get_user_profile(query: GetUserProfile) -> UserProfileDto:
    user = User.objects.select_related("profile").filter(pk=query.user_id).first()
    if user is None:
        raise NotFoundError(f"User {query.user_id} not found")
    profile = getattr(user, "profile", None)
    preferences = (profile.preferences if profile else None) or {}
    return UserProfileDto(
        id=user.pk,
        name=user.get_full_name() or user.get_username(),
        email=user.email,
        bio=profile.bio if profile else None,
        avatar_url=profile.avatar_url if profile else None,
        preferences=PreferencesDto(
            **{k: v for k, v in preferences.items() if k in ("theme", "newsletter")}
        ),
    )


@handler
async def get_user_statistics(query: GetUserStatistics) -> UserStatisticsDto:
    to_date = query.to_date or timezone.now()
    from_date = query.from_date or to_date - timedelta(days=365)
    users = User.objects.all()
    total, active, new, with_profiles = await asyncio.gather(
        users.acount(),
        users.filter(is_active=True).acount(),
        users.filter(date_joined__range=(from_date, to_date)).acount(),
        users.filter(profile__isnull=False).acount(),
    )
    return UserStatisticsDto(total, active, new, with_profiles, DatePeriod(from_date, to_date))


@handler
def create_default_profile(event: UserCreated) -> None:
    UserProfile.objects.get_or_create(
        user_id=event.user_id, defaults={"preferences": {"theme": "light", "newsletter": False}}
    )


@handler
def count_signup(event: UserCreated) -> None:
    today = timezone.localdate()
    counter, _ = SignupCounter.objects.get_or_create(day=today)
    SignupCounter.objects.filter(pk=counter.pk).update(signups=F("signups") + 1)
