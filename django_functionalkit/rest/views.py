"""Views whose actions name the message they dispatch: the guide's controllers, the DRF way.

::

    class UserViewSet(MessageViewSet):
        messages = {
            "list": GetUsers,          # query parameters -> fields
            "retrieve": GetUserById,   # URL kwargs -> fields
            "create": CreateUser,      # body -> fields
            "destroy": DeleteUser,
        }
        url_fields = {"pk": "user_id"}

Each message is built from the URL kwargs, the query parameters (reads) or the body (writes),
its fields coerced and checked by a dataclass serializer: bad input is a 400 with field errors
before the messenger is called. The request's authenticated user is the actor the behaviors
see. Routers, permissions, throttling, authentication and schema generation work as for any
``GenericViewSet``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.exceptions import APIException
from rest_framework.generics import GenericAPIView
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request, clone_request
from rest_framework.viewsets import GenericViewSet

from .mixin import MessageMixin, action_method
from .schema import MessageSchema
from .serializers import input_fields, message_serializer, message_serializer_class

__all__ = [
    "MessageAPIView",
    "MessageMetadata",
    "MessageMixin",
    "MessageViewSet",
    "input_fields",
    "message_serializer",
    "message_serializer_class",
]


class MessageMetadata(SimpleMetadata):
    """``OPTIONS`` of a message view: for ``POST`` and ``PUT``, the fields of their message.

    DRF's ``SimpleMetadata`` asks the view for a serializer and, for ``PUT``, for the object it
    changes (``get_object()``): a message view has neither, and answered a 500. Here the
    message the method dispatches says what the body holds; the fields the URL fills are left
    out, and a method whose permissions refuse the user is left out, as DRF does.
    """

    def determine_actions(self, request: Request, view: Any) -> dict[str, Any]:
        actions: dict[str, Any] = {}
        for method in ("POST", "PUT"):
            message_type = view.messages.get(_action_for(view, method))
            if method not in view.allowed_methods or message_type is None:
                continue
            view.request = clone_request(request, method)
            try:
                view.check_permissions(view.request)
            except (APIException, PermissionDenied, Http404):
                continue
            finally:
                view.request = request
            from_url = {view.url_fields.get(kwarg, kwarg) for kwarg in view.kwargs}
            fields = self.get_serializer_info(message_serializer(message_type))
            actions[method] = {k: v for k, v in fields.items() if k not in from_url}
        return actions


def _action_for(view: Any, method: str) -> str:
    """The action a method runs: from a viewset's action map, or the method of an APIView."""
    action_map: Mapping[str, str] = getattr(view, "action_map", None) or {}
    return action_map.get(method.lower(), method.lower())


class MessageViewSet(MessageMixin, GenericViewSet):  # type: ignore[type-arg]
    """A viewset for routers: ``messages`` maps its actions to the messages they dispatch."""

    schema = MessageSchema()
    metadata_class = MessageMetadata  # type: ignore[assignment]  # the stubs type an instance


class MessageAPIView(MessageMixin, GenericAPIView):  # type: ignore[type-arg]
    """One URL, a message per HTTP method: ``messages = {"get": GetUsers, "post": CreateUser}``."""

    schema = MessageSchema()
    metadata_class = MessageMetadata  # type: ignore[assignment]  # the stubs type an instance
    created_actions: ClassVar[frozenset[str]] = frozenset({"post"})

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        method = (request.method or "").lower()
        # Django answers HEAD with get() (a view has no head()): the get message, then.
        self.action = "get" if method == "head" else method

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super(MessageMixin, cls).__init_subclass__(**kwargs)
        for method in ("get", "post", "put", "patch", "delete"):
            if method in cls.messages and not hasattr(cls, method):
                setattr(cls, method, action_method(method))
