"""A messenger-backed DRF endpoint against a plain DRF view doing the same work, in one run.

Run with ``make bench``. Both answer ``GET /users/<id>/`` with the same JSON, read with one
query from SQLite, through Django's test client (the whole request/response cycle: middleware,
DRF's view, authentication, rendering; no network). The budget (design): the message view
within 5 % of the plain one. Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import sys
import timeit
from pathlib import Path
from typing import Any

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
django.setup()

from django.contrib.auth.models import User  # noqa: E402 - Django must be set up first
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import include, path  # noqa: E402
from rest_framework import serializers  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.routers import SimpleRouter  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from example_project.users.api import UserViewSet  # noqa: E402

NUMBER = 2_000


class UserSerializer(serializers.ModelSerializer[User]):
    name = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="date_joined")

    class Meta:
        model = User
        fields = ("id", "name", "email", "is_active", "created_at")

    def get_name(self, user: User) -> str:
        return user.get_full_name() or user.get_username()


class PlainUserView(APIView):
    """What a team writes without the library: look up, 404 or serialize."""

    def get(self, request: Request, pk: int) -> Response:
        user = User.objects.filter(pk=pk).first()
        if user is None:
            return Response({"detail": f"User with ID {pk} not found"}, status=404)
        return Response(UserSerializer(user).data)


router = SimpleRouter()
router.register("message/users", UserViewSet, basename="user")
urlpatterns: list[Any] = [
    path("plain/users/<int:pk>/", PlainUserView.as_view()),
    path("", include(router.urls)),
]


def us_per_request(client: Client, url: str) -> float:
    if client.get(url).status_code != 200:
        raise SystemExit(f"{url} does not answer 200")
    best = min(timeit.repeat(lambda: client.get(url), number=NUMBER, repeat=5))
    return best / NUMBER * 1e6


def main() -> None:
    setup_test_environment()
    with override_settings(ROOT_URLCONF=__name__, FUNCTIONALKIT={}, DEBUG=False):
        call_command("migrate", verbosity=0)
        user = User.objects.create_user("ada", "ada@example.com", first_name="Ada")
        client = Client()
        plain = us_per_request(client, f"/plain/users/{user.pk}/")
        message = us_per_request(client, f"/message/users/{user.pk}/")
    print(f"{'endpoint':42} {'us/request':>11} {'ratio':>7}")
    print(f"{'plain DRF APIView + ModelSerializer':42} {plain:11.0f} {1:7.2f}")
    print(f"{'MessageViewSet -> messenger -> handler':42} {message:11.0f} {message / plain:7.2f}")


if __name__ == "__main__":
    main()
