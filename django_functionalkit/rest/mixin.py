"""``MessageMixin``: an action that builds its message from the request, dispatches it, answers.

The views (``views.py``) add it to DRF's ``GenericViewSet`` and ``GenericAPIView``; the schema
(``schema/``) reads it to tell a message view and its defaults from others.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from typing import Any, ClassVar

from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.request import Request

from django_functionalkit.context import current_context, use_context
from django_functionalkit.messages import Message, kind_of
from django_functionalkit.messenger import Messenger, messenger
from django_functionalkit.results import Success

from .exceptions import flat_field_errors
from .input_types import body_type_errors, text_type_errors
from .responses import Serializer, result_response
from .serializers import BODY_METHODS, input_fields, message_serializer, message_serializer_class

__all__ = ["STANDARD_ACTIONS", "MessageMixin", "action_method"]

# The actions a router knows.
STANDARD_ACTIONS = ("list", "create", "retrieve", "update", "partial_update", "destroy")


def _list_fields(message_type: type[Message]) -> frozenset[str]:
    """Fields a query string repeats (``?tag=a&tag=b``): those typed as lists, sets, tuples."""
    hints = typing.get_type_hints(message_type)
    return frozenset(
        name
        for name, hint in hints.items()
        if typing.get_origin(hint) in (list, set, frozenset, tuple)
        or any(
            typing.get_origin(arg) in (list, set, frozenset, tuple) for arg in typing.get_args(hint)
        )
    )


def _query_data(request: Request, message_type: type[Message]) -> dict[str, Any]:
    """The query parameters as fields: a list field takes every value, any other field one
    (given twice, it is a 400: which value would be meant?)."""
    params = request.query_params
    lists = _list_fields(message_type)
    fields = {f.name for f in input_fields(message_type)}  # marker options are ignored
    repeated = {
        name: ["Give this parameter once."]
        for name in params
        if name in fields and name not in lists and len(params.getlist(name)) > 1
    }
    if repeated:
        raise ValidationError(repeated)
    return {k: params.getlist(k) if k in lists else params[k] for k in params}


def _input_type_errors(
    message_type: type[Message], data: Mapping[str, Any], text: set[str]
) -> dict[str, list[str]]:
    """Values of another type than the schema gives their field (see input_types.py)."""
    errors = text_type_errors(message_type, {k: v for k, v in data.items() if k in text})
    return errors | body_type_errors(message_type, {k: v for k, v in data.items() if k not in text})


def action_method(name: str) -> Any:
    """A method of its own for one action of one view, so that decorating it (drf-spectacular's
    ``extend_schema_view``) changes that action only."""

    def action(self: MessageMixin, request: Request, *args: Any, **kwargs: Any) -> Any:
        return self.handle_message(request, *args, **kwargs)

    action.__name__ = action.__qualname__ = name
    return action


class MessageMixin:
    """Builds an action's message from the request, dispatches it, and returns its result."""

    messenger: ClassVar[Messenger] = messenger
    # action -> message type it dispatches
    messages: ClassVar[Mapping[str, type[Message]]] = {}
    # URL kwarg -> message field, where the names differ ({"pk": "user_id"})
    url_fields: ClassVar[Mapping[str, str]] = {}
    # actions whose success creates a resource: 201 (with Location from created_location)
    created_actions: ClassVar[frozenset[str]] = frozenset({"create"})
    # action -> serializer of the success value (for model instances); default: as is
    result_serializers: ClassVar[Mapping[str, Serializer]] = {}

    action: str

    def message_type(self, action: str) -> type[Message]:
        """The message an action dispatches."""
        try:
            return self.messages[action]
        except KeyError:
            raise LookupError(
                f"{type(self).__qualname__} dispatches no message for the action {action!r}: "
                f"add it to `messages`."
            ) from None

    def message_data(self, request: Request, url_kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """The raw fields of the message: query parameters or body, then the URL kwargs."""
        if request.method in BODY_METHODS:
            try:
                body: object = request.data  # a list or a scalar parses as well as an object
            except RecursionError:  # json's decoder, on input nested deeper than its stack
                raise ParseError("The request body is nested too deeply.") from None
            if not isinstance(body, Mapping):
                raise ParseError("The request body must be a JSON object.")
            data = dict(body.items())
        else:
            data = _query_data(request, self.message_type(self.action))
        for kwarg, value in url_kwargs.items():
            data[self.url_fields.get(kwarg, kwarg)] = value
        return data

    def build_message(self, request: Request, url_kwargs: Mapping[str, Any]) -> Message:
        """The message of this request; an invalid one raises DRF's ValidationError (400)."""
        message_type = self.message_type(self.action)
        data = self.message_data(request, url_kwargs)
        fields = {f.name for f in input_fields(message_type)}
        serializer = message_serializer(
            message_type, data={k: v for k, v in data.items() if k in fields}
        )
        valid = serializer.is_valid()
        wrong_types = _input_type_errors(
            message_type, data, self._text_fields(request, url_kwargs, data)
        )
        if wrong_types or not valid:
            # Every problem at once; a value of the wrong type is told so once, in these words.
            errors = flat_field_errors(serializer.errors) if not valid else {}
            raise ValidationError({**errors, **wrong_types})
        message: Message = serializer.validated_data
        return message

    def _text_fields(
        self, request: Request, url_kwargs: Mapping[str, Any], data: Mapping[str, Any]
    ) -> set[str]:
        """The fields given as text: all of a query's, and those the URL fills."""
        if request.method not in BODY_METHODS:
            return set(data)
        return {self.url_fields.get(kwarg, kwarg) for kwarg in url_kwargs}

    def get_serializer_class(self) -> Any:
        """The serializer of the message the action (or the method) dispatches: DRF's browsable
        API builds a form for each allowed method with it, as it renders ``OPTIONS``."""
        method = (self.request.method or "").lower()  # type: ignore[attr-defined]
        message_type = self.messages.get(getattr(self, "action", None) or method)
        message_type = message_type or self.messages.get(method)
        if message_type is None:  # an action of the view's own: its serializer_class
            return super().get_serializer_class()  # type: ignore[misc]
        return message_serializer_class(message_type)

    def send_message(self, request: Request, message: Message) -> Any:
        """Dispatch ``message`` as the request's authenticated user."""
        context = dataclasses.replace(current_context(), actor=request.user)
        with use_context(context):
            if kind_of(type(message)) == "query":
                return self.messenger.query(message)  # type: ignore[arg-type]
            return self.messenger.send(message)  # type: ignore[arg-type]

    def created_location(self, value: Any) -> str | None:
        """The URL of a resource an action created; override it to send ``Location``."""
        return None

    def handle_message(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        """The whole action: build, dispatch, respond."""
        message = self.build_message(request, kwargs)
        result = self.send_message(request, message)
        action = self.action
        created = action in self.created_actions
        value = result.value if created and isinstance(result, Success) else None
        return result_response(
            result,
            created=created,
            location=self.created_location(value) if created and value is not None else None,
            request=request,
            serializer=self.result_serializers.get(action),
        )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Only the actions that name a message exist, so routers route only those.
        for action in STANDARD_ACTIONS:
            if action in cls.messages and not hasattr(cls, action):  # keep a view's own
                setattr(cls, action, action_method(action))
