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


class SentEmail(models.Model):
    """An email a background handler sent, under its delivery's idempotency key: a retried
    delivery finds it and does not send again (see example_project/users/mail.py)."""

    key = models.CharField(max_length=100, unique=True)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=255)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.subject} to {self.to}"
