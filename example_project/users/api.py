"""The users API: the guide's UsersController as a viewset of messages."""

from __future__ import annotations

from typing import Any, ClassVar

from django.urls import reverse
from rest_framework.decorators import action
from rest_framework.request import Request

from django_functionalkit.messages import Message
from django_functionalkit.rest import MessageViewSet

from .messages import (
    CreateUser,
    DeleteUser,
    GetUserById,
    GetUserProfile,
    GetUsers,
    GetUserStatistics,
    UpdateUser,
)


class UserViewSet(MessageViewSet):
    """List, read, create, update and delete users, each through its message."""

    messages: ClassVar[dict[str, type[Message]]] = {
        "list": GetUsers,
        "retrieve": GetUserById,
        "create": CreateUser,
        "update": UpdateUser,
        "destroy": DeleteUser,
        "profile": GetUserProfile,
        "statistics": GetUserStatistics,
    }
    url_fields: ClassVar[dict[str, str]] = {"pk": "user_id"}

    def created_location(self, value: Any) -> str:
        return reverse("user-detail", args=[value.id])

    @action(detail=True)
    def profile(self, request: Request, pk: str) -> Any:
        """GET /api/users/<id>/profile/: the cached profile."""
        return self.handle_message(request, pk=pk)

    @action(detail=False)
    def statistics(self, request: Request) -> Any:
        """GET /api/users/statistics/?from_date=...&to_date=...: counts over a period."""
        return self.handle_message(request)
