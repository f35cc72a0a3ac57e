"""The users API: the guide's UsersController as a viewset of messages."""

from __future__ import annotations

from typing import Any, ClassVar

from django.urls import reverse

from django_functionalkit.messages import Message
from django_functionalkit.rest import MessageViewSet

from .messages import CreateUser, DeleteUser, GetUserById, GetUsers, UpdateUser


class UserViewSet(MessageViewSet):
    """List, read, create, update and delete users, each through its message."""

    messages: ClassVar[dict[str, type[Message]]] = {
        "list": GetUsers,
        "retrieve": GetUserById,
        "create": CreateUser,
        "update": UpdateUser,
        "destroy": DeleteUser,
    }
    url_fields: ClassVar[dict[str, str]] = {"pk": "user_id"}

    def created_location(self, value: Any) -> str:
        return reverse("user-detail", args=[value.id])
