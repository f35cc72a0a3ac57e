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

import dataclasses
import types
import typing
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request, clone_request
from rest_framework.viewsets import GenericViewSet
from rest_framework_dataclasses.serializers import DataclassSerializer

from django_functionalkit.conf import on_change
from django_functionalkit.context import current_context, use_context
from django_functionalkit.markers import marker_options
from django_functionalkit.messages import Message, kind_of
from django_functionalkit.messenger import Messenger, messenger
from django_functionalkit.results import Success

from .constraints import DECIMAL_DIGITS, constraint_kwargs
from .exceptions import flat_field_errors
from .input_types import body_type_errors, text_type_errors
from .paging import page_field_kwargs
from .responses import Serializer, result_response
from .schema import MessageSchema

__all__ = [
    "MessageAPIView",
    "MessageMetadata",
    "MessageMixin",
    "MessageViewSet",
    "input_fields",
    "message_serializer",
    "message_serializer_class",
]

# The actions a router knows, and the HTTP methods whose body carries the message's fields.
STANDARD_ACTIONS = ("list", "create", "retrieve", "update", "partial_update", "destroy")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def message_serializer(message_type: type[Message], **kwargs: Any) -> DataclassSerializer[Any]:
    """A serializer that builds ``message_type`` from data (``serializer.validated_data``)."""
    return message_serializer_class(message_type)(**kwargs)


_SERIALIZERS: dict[type[Message], type[DataclassSerializer[Any]]] = {}
on_change(_SERIALIZERS.clear)  # they read settings (MAX_PAGE_SIZE)


def message_serializer_class(message_type: type[Message]) -> type[DataclassSerializer[Any]]:
    """The serializer class of a message type, built once.

    The serializer coerces and checks types; blank strings pass it, so that the message's own
    validation (``Validatable``) reports every problem of the input at once, with its words.
    """
    known = _SERIALIZERS.get(message_type)
    if known is None:
        known = _SERIALIZERS[message_type] = _build_serializer_class(message_type)
    return known


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


def input_fields(message_type: type[Message]) -> list[dataclasses.Field[Any]]:
    """The fields a request fills: every field of the message but its marker options."""
    options = marker_options(message_type)
    return [f for f in dataclasses.fields(message_type) if f.name not in options]  # type: ignore[arg-type]


def _build_serializer_class(message_type: type[Message]) -> type[DataclassSerializer[Any]]:
    hints = typing.get_type_hints(message_type)
    declared = typing.get_type_hints(message_type, include_extras=True)  # with Annotated's
    extra: dict[str, dict[str, Any]] = {}
    fields = input_fields(message_type)
    for f in fields:
        given = f.metadata.get("serializer_kwargs", {})
        kwargs: dict[str, Any] = {}
        if _is_text(hints[f.name]) and "allow_blank" not in given:
            kwargs["allow_blank"] = True
        kwargs.update(constraint_kwargs(declared[f.name], given))
        if _is_decimal(hints[f.name]) and "max_digits" not in given:
            # Without a bound, DRF quantizes "1e400" and fails with an error of its own (a 500).
            kwargs["max_digits"] = DECIMAL_DIGITS
        extra[f.name] = kwargs
    for name, bounds in page_field_kwargs(message_type, declared).items():
        if name in extra:  # not a marker option left out below
            extra[name] = {**extra[name], **bounds}
    # A marker option declared as a field (`required_permissions: tuple[str, ...] = (...)`)
    # keeps its default: a client that could send it would choose its own permissions.
    names = {f.name for f in fields}
    left_out = [f.name for f in dataclasses.fields(message_type) if f.name not in names]  # type: ignore[arg-type]
    options = {"dataclass": message_type, "extra_kwargs": extra}
    meta = type("Meta", (), {**options, "exclude": left_out} if left_out else options)
    name = f"{message_type.__name__}Serializer"
    namespace = {
        "Meta": meta,
        "__module__": message_type.__module__,
        "build_dataclass_field": _build_nested_field,
    }
    return type(name, (DataclassSerializer,), namespace)


def _build_nested_field(self: DataclassSerializer[Any], field_name: str, type_info: Any) -> Any:
    """A nested dataclass of a message (an order's items) is built by the message's rules too:
    its constraints, the 64-bit bounds of its ints, its decimals' digits."""
    field_class, kwargs = DataclassSerializer.build_dataclass_field(self, field_name, type_info)
    if field_class is DataclassSerializer:  # not a serializer the project mapped itself
        field_class = message_serializer_class(kwargs.pop("dataclass"))
    return field_class, kwargs


def _is_decimal(hint: Any) -> bool:
    return hint is Decimal or (
        typing.get_origin(hint) in (typing.Union, types.UnionType)
        and Decimal in typing.get_args(hint)
    )


def _is_text(hint: Any) -> bool:
    """``str`` or ``str | None``: the fields whose blank value the message's validation judges."""
    return hint is str or (
        typing.get_origin(hint) in (typing.Union, types.UnionType)
        and str in typing.get_args(hint)
        and all(arg in (str, type(None)) for arg in typing.get_args(hint))
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


def _action_method(name: str) -> Any:
    """A method of its own for one action of one view, so that decorating it (drf-spectacular's
    ``extend_schema_view``) changes that action only."""

    def action(self: MessageMixin, request: Request, *args: Any, **kwargs: Any) -> Any:
        return self.handle_message(request, *args, **kwargs)

    action.__name__ = action.__qualname__ = name
    return action


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
                setattr(cls, action, _action_method(action))


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
                setattr(cls, method, _action_method(method))
