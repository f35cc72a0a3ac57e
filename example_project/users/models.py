"""What the users app stores besides Django's users: profiles and a sign-up counter."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class UserProfile(models.Model):
    """The guide's user profile: created with defaults when a user signs up."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    bio = models.TextField(blank=True)
    avatar_url = models.URLField(blank=True)
    preferences = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class SignupCounter(models.Model):
    """The guide's analytics service, as simply as possible: sign-ups counted per day."""

    day = models.DateField(unique=True)
    signups = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.signups}"
