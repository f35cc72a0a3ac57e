"""Which message an operation dispatches, and which of its fields the URL fills."""

from __future__ import annotations

import re
from collections.abc import Collection

from rest_framework.viewsets import ViewSetMixin

from django_functionalkit.messages import Message
from django_functionalkit.rest.compat import AutoSchemaHooks
from django_functionalkit.rest.mixin import MessageMixin
from django_functionalkit.rest.serializers import input_fields


class OperationSchema(AutoSchemaHooks):
    """The base of ``MessageSchema``'s parts: the operation's message and URL."""

    def message_view(self) -> MessageMixin | None:
        """The view, when it is a message view."""
        return self.view if isinstance(self.view, MessageMixin) else None

    def action_key(self) -> str:
        """The key of this operation in ``messages``: the action, or the method of an APIView."""
        if isinstance(self.view, ViewSetMixin):
            return str(self.view.action)
        return self.method.lower()

    def message_type(self) -> type[Message] | None:
        """The message this operation dispatches, or ``None`` for an action without one."""
        view = self.message_view()
        return view.messages.get(self.action_key()) if view else None

    def path_fields(self, message_type: type[Message]) -> dict[str, str]:
        """Path variable -> the message field it fills, for the variables that fill one."""
        view = self.message_view()
        renames = view.url_fields if view else {}
        kwargs = _url_kwargs(self.path_regex)
        fields = _field_names(message_type)
        found = {}
        for variable in path_variables(self.path):
            field = renames.get(kwarg := _kwarg_of(variable, kwargs), kwarg)
            if field in fields:
                found[variable] = field
        return found

    def _creates(self) -> bool:
        view = self.message_view()
        return view is not None and self.action_key() in view.created_actions


def path_variables(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def _field_names(message_type: type[Message]) -> set[str]:
    return {f.name for f in input_fields(message_type)}


def _url_kwargs(path_regex: str) -> set[str]:
    """The URL kwargs of a route, a regex (``(?P<pk>...)``) or a path (``<int:pk>``)."""
    return set(re.findall(r"<(?:\w+:)?(\w+)>", path_regex))


def _kwarg_of(variable: str, kwargs: Collection[str]) -> str:
    """The URL kwarg behind a path variable: drf-spectacular shows ``{pk}`` as ``{id}``."""
    if variable in kwargs:
        return variable
    if variable == "id" and "pk" in kwargs:
        return "pk"
    if variable.endswith("_id") and f"{variable[:-3]}_pk" in kwargs:
        return f"{variable[:-3]}_pk"
    return variable
