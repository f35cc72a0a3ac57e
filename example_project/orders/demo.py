"""Demo data of the orders app: a customer for each demo user; loading it again changes nothing."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User

from .models import Customer


def load(users: Iterable[User] | None = None) -> None:
    """A customer for each user given (by default every user but staff) that has none; an
    inactive user's customer is inactive too."""
    if users is None:
        users = User.objects.filter(is_staff=False).order_by("pk")
    for user in users:
        Customer.objects.get_or_create(
            user=user,
            defaults={
                "name": user.get_full_name() or user.get_username(),
                "email": user.email,
                "is_active": user.is_active,
            },
        )
