"""OpenAPI for message views, with drf-spectacular: the message and result types say it all.

``MessageViewSet`` and ``MessageAPIView`` use ``MessageSchema``. An action that names a message
is described from that message; any other action (an ``@action`` with a ``serializer_class``,
say) as drf-spectacular describes it.

=====================  =========================================================================
part of the operation  comes from
=====================  =========================================================================
path parameters        the message field each URL kwarg fills (``url_fields``), with its type
query parameters       GET and DELETE: the message's other fields, with their types, defaults
                       and whether they are required
request body           POST, PUT and PATCH: the message's other fields, all of them (the message
                       is built whole, also for PATCH), as the ``<Message>Request`` component
success response       ``R`` of ``Query[R]`` / ``Command[R]``, a ``Result`` unwrapped to its
                       value: 204 with no body for ``Unit`` or ``None``, DRF's paginated shape
                       for a ``PagedResult``, 201 for the view's ``created_actions``, else 200;
                       a dataclass is a component of its own name (``UserDto``)
problem responses      ``application/problem+json`` bodies, the ``Problem`` component (below)
summary, description   the message's docstring: its first paragraph, then the rest
operation id           the message's name in snake case: ``GetUserById`` is ``get_user_by_id``;
                       a message a view dispatches for two actions is ``<name>_<action>`` for
                       the second (``update_user_partial_update``)
=====================  =========================================================================

The problems an action can answer with, decided from its message and URL alone:

======  =======================================================================================
status  documented for
======  =======================================================================================
400     every action: its input can be invalid
401     a message that is ``RequiresAuthorization``, or a view whose permissions can refuse
        the operation (any but ``AllowAny``, and ``IsAuthenticatedOrReadOnly`` on a write)
403     the same
404     an action whose URL has kwargs (retrieve, update, partial_update, destroy): they name
        something that may not exist
409     a command whose result is a ``Result``: it fails with ``Conflict`` when the change
        clashes with what is there (a taken email, say)
500     every action: an unexpected error
======  =======================================================================================

A message served at two endpoints gets one operation id twice, which drf-spectacular numbers
with a warning: name one of them with ``@extend_schema(operation_id=...)``.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import inspect
import re
import sys
import types
import typing
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

from drf_spectacular.contrib.rest_framework_dataclasses import (
    OpenApiDataclassSerializerExtensions,
)
from drf_spectacular.drainage import warn
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import (
    ComponentIdentity,
    ResolvedComponent,
    UnableToProceedError,
    append_meta,
    build_array_type,
    is_serializer,
    resolve_type_hint,
)
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import Direction, OpenApiParameter, OpenApiResponse
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.viewsets import ViewSetMixin
from rest_framework_dataclasses.serializers import DataclassSerializer

from django_functionalkit.markers import RequiresAuthorization
from django_functionalkit.messages import Command, Message, Query, kind_of
from django_functionalkit.options import Option
from django_functionalkit.paging import PagedResult
from django_functionalkit.results import Result
from django_functionalkit.units import Unit

from .problems import PROBLEM_CONTENT_TYPE

if TYPE_CHECKING:
    from .views import MessageMixin

__all__ = [
    "PROBLEM_SCHEMA",
    "UNDECLARED",
    "MessageSchema",
    "declared_result",
    "request_serializer_class",
]

JSON = "application/json"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# The body of every error response: problems.problem() builds it.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An error, as RFC 9457 problem details.",
    "properties": {
        "type": {
            "type": "string",
            "description": "A URI that names the kind of problem; `about:blank` when the status "
            "says it all.",
            "example": "about:blank",
        },
        "title": {"type": "string", "description": "The status, in words.", "example": "Not Found"},
        "status": {"type": "integer", "description": "The HTTP status code.", "example": 404},
        "detail": {"type": "string", "description": "What went wrong, for a person to read."},
        "code": {
            "type": "string",
            "description": "What went wrong, for a program to check (`email_taken`, `invalid`).",
        },
        "errors": {
            "type": "object",
            "description": "The messages of each invalid field, by field name "
            "(`non_field_errors` for the input as a whole).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "detail"],
}

_PROBLEMS: dict[int, str] = {
    400: "The input is invalid: `errors` names each field's problems.",
    401: "Not authenticated: the message needs a known, active user.",
    403: "Not allowed: the user lacks a role, a permission, or the right to this object.",
    404: "Nothing matches the URL.",
    409: "The change conflicts with the current state.",
    500: "An unexpected error, logged on the server.",
}

# What a message declares when it says nothing (`class Ping(Query): ...`).
UNDECLARED: Any = object()


class MessageSchema(AutoSchema):
    """Describes a message view from its message and result types (see the module docs)."""

    # -- which message -----------------------------------------------------------------------

    def message_view(self) -> MessageMixin | None:
        """The view, when it is a message view."""
        from .views import MessageMixin

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
        for variable in _path_variables(self.path):
            field = renames.get(kwarg := _kwarg_of(variable, kwargs), kwarg)
            if field in fields:
                found[variable] = field
        return found

    # -- naming ------------------------------------------------------------------------------

    def get_operation_id(self) -> str:
        message_type, view = self.message_type(), self.message_view()
        if message_type is None or view is None:
            return super().get_operation_id()
        name, key = _snake_case(message_type.__name__), self.action_key()
        # one message for two actions (update and partial_update): the second says which
        first = next(k for k, m in view.messages.items() if m is message_type)
        return name if key == first else f"{name}_{key}"

    def get_summary(self) -> str | None:
        message_type = self.message_type()
        if message_type is None:
            return super().get_summary()
        summary, _ = _docstring(message_type)
        return summary or None

    def get_description(self) -> str:  # type: ignore[override]
        message_type = self.message_type()
        if message_type is None:
            return super().get_description()
        summary, rest = _docstring(message_type)
        if summary:
            return rest
        # else what the view says, in its action method or its class: not what the library says
        view = type(self.view)
        return _own_doc(getattr(view, self.action_key(), None)) or _own_doc(view)

    # -- inputs ------------------------------------------------------------------------------

    def get_override_parameters(self) -> list[OpenApiParameter | Any]:
        message_type = self.message_type()
        if message_type is None:
            return super().get_override_parameters()
        parameters = self._path_parameters(message_type) + self._location_header()
        if self.method not in BODY_METHODS:
            parameters += self._query_parameters(message_type)
        return [*parameters, *super().get_override_parameters()]

    def get_request_serializer(self) -> Any:
        message_type = self.message_type()
        if message_type is None:
            return super().get_request_serializer()
        if self.method not in BODY_METHODS:
            return None
        return request_serializer_class(message_type, self.path_fields(message_type).values())

    def _path_parameters(self, message_type: type[Message]) -> list[OpenApiParameter]:
        properties, _ = self._message_fields(message_type)
        return [
            OpenApiParameter(
                variable, _parameter_schema(properties[field]), OpenApiParameter.PATH, True
            )
            for variable, field in self.path_fields(message_type).items()
        ]

    def _query_parameters(self, message_type: type[Message]) -> list[OpenApiParameter]:
        properties, required = self._message_fields(message_type)
        from_url = set(self.path_fields(message_type).values())
        defaults = _defaults(message_type)
        return [
            OpenApiParameter(
                name,
                _parameter_schema(schema, defaults.get(name)),
                OpenApiParameter.QUERY,
                required=name in required,
                description=schema.get("description", ""),
            )
            for name, schema in properties.items()
            if name not in from_url
        ]

    def _location_header(self) -> list[OpenApiParameter]:
        """``Location`` on a 201, when the view says where created things are."""
        from .views import MessageMixin

        view = self.message_view()
        if view is None or not self._creates():
            return []
        if type(view).created_location is MessageMixin.created_location:
            return []  # the default says nowhere
        return [
            OpenApiParameter(
                "Location",
                str,
                OpenApiParameter.HEADER,
                description="The URL of the created resource.",
                response=[201],
            )
        ]

    def _message_fields(self, message_type: type[Message]) -> tuple[dict[str, Any], list[str]]:
        """The JSON schema of each field of the message, and the required ones."""
        from .views import message_serializer_class

        serializer = message_serializer_class(message_type)()
        mapped: dict[str, Any] = self._map_serializer(serializer, "request")  # type: ignore[no-untyped-call]
        return mapped.get("properties", {}), mapped.get("required", [])

    # -- outputs -----------------------------------------------------------------------------

    def get_response_serializers(self) -> Any:
        message_type = self.message_type()
        if message_type is None:
            return super().get_response_serializers()
        return {**self._success_responses(message_type), **self._problem_responses(message_type)}

    def _is_list_view(self, serializer: Any = None) -> bool:
        # The responses of a message are complete as built: nothing to wrap in a list or a page,
        # and no filter or paginator parameters, which the message's own fields replace.
        if self.message_type() is not None:
            return False
        return super()._is_list_view(serializer)

    def _success_responses(self, message_type: type[Message]) -> dict[Any, OpenApiResponse]:
        value = _success_value(declared_result(message_type))
        if value is UNDECLARED:
            warn(
                f"{message_type.__qualname__} does not declare what it returns: "
                f"subclass Query[R] or Command[R]. Its response is documented as any JSON."
            )
            value = Any
        if _is_empty(value):
            return {"204": OpenApiResponse(description="No response body.")}
        present, optional = _split_none(value)
        if PagedResult in (present, typing.get_origin(present)):
            (item,) = typing.get_args(present) or (Any,)
            schema = self._page_schema(self._item_schema(item))
            status = "200"
        else:
            schema = self._item_schema(present)
            status = "201" if self._creates() else "200"
        # {} is any JSON, but an empty schema reads as no body to drf-spectacular
        schema = schema or {"description": "Any JSON value."}
        responses: dict[Any, OpenApiResponse] = {(status, JSON): OpenApiResponse(schema)}
        if optional:
            responses["204"] = OpenApiResponse(description="Nothing to return: no body.")
        return responses

    def _creates(self) -> bool:
        view = self.message_view()
        return view is not None and self.action_key() in view.created_actions

    def _item_schema(self, hint: Any) -> dict[str, Any]:
        """The schema of a success value (or a page's item): through the view's serializer."""
        view = self.message_view()
        serializer = view.result_serializers.get(self.action_key()) if view else None
        if serializer is None:
            return self.type_schema(hint)
        if is_serializer(serializer):
            return self.resolve_serializer(serializer, "response").ref
        returned = _return_hint(serializer)
        if returned is None:
            warn(
                f"result serializer {serializer!r} has no return annotation: "
                f"its output is documented as any JSON."
            )
            return {}
        return self.type_schema(returned)

    def _page_schema(self, items: dict[str, Any]) -> dict[str, Any]:
        """DRF's page (count, next, previous, results): a component for a component's items."""
        schema: dict[str, Any] = PageNumberPagination().get_paginated_response_schema(
            build_array_type(items)
        )
        if "$ref" not in items:
            return schema
        item_name = items["$ref"].rsplit("/", 1)[-1]
        component = _component(self.get_paginated_name(item_name), schema, (PagedResult, item_name))
        self.registry.register_on_missing(component)
        return component.ref

    def type_schema(self, hint: Any) -> dict[str, Any]:
        """The JSON schema of a value of type ``hint``, as ``ResultEncoder`` writes it."""
        if hint is Any:
            return {}
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self.resolve_serializer(DataclassSerializer(dataclass=hint), "response").ref
        present, optional = _split_optional(hint)
        if optional:
            return append_meta(self.type_schema(present), {"nullable": True})
        return self._generic_schema(hint)

    def _generic_schema(self, hint: Any) -> dict[str, Any]:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin in _UNIONS:
            return {"oneOf": [self.type_schema(arg) for arg in args]}
        if _is_mapping(origin) and len(args) == 2:
            return {"type": "object", "additionalProperties": self.type_schema(args[1])}
        if _is_collection(origin) and (len(args) == 1 or args[1:] == (...,)):
            return build_array_type(self.type_schema(args[0]))
        return _hint_schema(hint)

    def _problem_responses(self, message_type: type[Message]) -> dict[Any, OpenApiResponse]:
        problem = _component("Problem", PROBLEM_SCHEMA, "django_functionalkit.Problem")
        self.registry.register_on_missing(problem)
        return {
            (str(status), PROBLEM_CONTENT_TYPE): OpenApiResponse(problem.ref, _PROBLEMS[status])
            for status in self.problem_statuses(message_type)
        }

    def problem_statuses(self, message_type: type[Message]) -> list[int]:
        """The error statuses this operation can answer with (see the module docs)."""
        statuses = [400]
        if issubclass(message_type, RequiresAuthorization) or self._view_restricts():
            statuses += [401, 403]
        if any(variable != "format" for variable in _path_variables(self.path)):
            statuses.append(404)
        if kind_of(message_type) == "command" and _is_result(declared_result(message_type)):
            statuses.append(409)
        return [*statuses, 500]

    def _view_restricts(self) -> bool:
        """Whether the view's permissions can refuse this operation."""
        safe = self.method in SAFE_METHODS
        return not all(
            isinstance(p, AllowAny) or (safe and isinstance(p, IsAuthenticatedOrReadOnly))
            for p in self.view.get_permissions()
        )


# -- the request body ----------------------------------------------------------------------------


class _MessageBody:
    """Marks the serializer of a message's request body: the fields the URL does not fill."""

    # The view builds the message whole from the body, also for PATCH: unlike a model's
    # serializer the body is never partial, whatever drf-spectacular sets.
    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value: bool) -> None:
        pass


class _MessageBodyExtension(OpenApiDataclassSerializerExtensions):  # type: ignore[no-untyped-call]
    """Names a body ``<Message>Request`` and tells bodies of one message with other fields apart."""

    target_class = "django_functionalkit.rest.schema._MessageBody"
    match_subclasses = True
    priority = 1

    def get_name(self) -> str:  # type: ignore[override]
        name: str = self.target.message_type.__name__
        # drf-spectacular appends "Request" itself when it splits components
        return name if spectacular_settings.COMPONENT_SPLIT_REQUEST else f"{name}Request"

    def get_identity(self, auto_schema: AutoSchema, direction: Direction) -> Any:
        return ComponentIdentity(type(self.target))  # type: ignore[no-untyped-call]


_BodyKey = tuple[type[Message], frozenset[str]]
_REQUEST_SERIALIZERS: dict[_BodyKey, type[DataclassSerializer[Any]]] = {}


def request_serializer_class(
    message_type: type[Message], exclude: Collection[str] = ()
) -> type[DataclassSerializer[Any]]:
    """The serializer of ``message_type``'s fields but ``exclude`` (those the URL fills)."""
    key = (message_type, frozenset(exclude))
    known = _REQUEST_SERIALIZERS.get(key)
    if known is None:
        known = _REQUEST_SERIALIZERS[key] = _build_request_serializer(message_type, key[1])
    return known


def _build_request_serializer(
    message_type: type[Message], exclude: frozenset[str]
) -> type[DataclassSerializer[Any]]:
    from .views import message_serializer_class

    base = message_serializer_class(message_type)
    meta = type("Meta", (base.Meta,), {"exclude": sorted(exclude)} if exclude else {})  # type: ignore[attr-defined]
    namespace = {
        "Meta": meta,
        "message_type": message_type,
        "__doc__": None,  # no description: as for the components of other dataclasses
        "__module__": message_type.__module__,
    }
    return type(f"{message_type.__name__}RequestSerializer", (base, _MessageBody), namespace)


# -- reading the types ---------------------------------------------------------------------------

_UNIONS = (typing.Union, types.UnionType)


def declared_result(message_type: type) -> Any:
    """``R`` of ``Query[R]`` / ``Command[R]``, or ``UNDECLARED``."""
    for klass in message_type.__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            if typing.get_origin(base) in (Query, Command):
                (declared,) = typing.get_args(base) or (UNDECLARED,)
                return _evaluated(declared, klass)
    return UNDECLARED


def _evaluated(hint: Any, owner: type) -> Any:
    """``hint`` with any forward references in it evaluated in ``owner``'s module."""
    holder = types.SimpleNamespace(__annotations__={"r": hint})
    module = sys.modules.get(owner.__module__)
    try:
        return typing.get_type_hints(holder, globalns=vars(module) if module else {})["r"]
    except (NameError, SyntaxError, TypeError):
        return UNDECLARED


def _is_result(declared: Any) -> bool:
    origin = typing.get_origin(declared) or declared
    return isinstance(origin, type) and issubclass(origin, Result)


def _success_value(declared: Any) -> Any:
    """What a success holds: ``T`` of ``Result[T, E]``, else the declared type itself."""
    if _is_result(declared):
        args = typing.get_args(declared)
        return args[0] if args else Any
    return declared


def _is_empty(hint: Any) -> bool:
    """Whether a value of ``hint`` is answered with 204 and no body."""
    return hint in (None, type(None)) or (isinstance(hint, type) and issubclass(hint, Unit))


def _split_optional(hint: Any) -> tuple[Any, bool]:
    """``(X, True)`` for ``X | None`` and ``Option[X]`` (``Nothing()`` is ``null``)."""
    if typing.get_origin(hint) is Option:
        (inner,) = typing.get_args(hint) or (Any,)
        return inner, True
    return _split_none(hint)


def _split_none(hint: Any) -> tuple[Any, bool]:
    """``(X, True)`` for ``X | None``, else ``(hint, False)``."""
    if typing.get_origin(hint) in _UNIONS:
        args = typing.get_args(hint)
        present = tuple(arg for arg in args if not _is_empty(arg))
        if len(present) < len(args):
            return (present[0] if len(present) == 1 else typing.Union[present]), True  # noqa: UP007
    return hint, False


def _is_mapping(origin: Any) -> bool:
    return isinstance(origin, type) and issubclass(origin, collections.abc.Mapping)


def _is_collection(origin: Any) -> bool:
    return (
        isinstance(origin, type)
        and issubclass(origin, collections.abc.Iterable)
        and not issubclass(origin, str | bytes | collections.abc.Mapping)
    )


def _component(name: str, schema: dict[str, Any], identity: object) -> ResolvedComponent:
    """A schema component of ours, told apart from others of the same name by ``identity``."""
    return ResolvedComponent(  # type: ignore[no-untyped-call]
        name=name,
        type=ResolvedComponent.SCHEMA,
        schema=schema,
        object=ComponentIdentity(identity),  # type: ignore[no-untyped-call]
    )


def _hint_schema(hint: Any) -> dict[str, Any]:
    try:
        schema: dict[str, Any] = resolve_type_hint(hint)  # type: ignore[no-untyped-call]
    except UnableToProceedError:
        warn(f"cannot describe the type {hint!r}: documented as any JSON.")
        return {}
    return schema


def _return_hint(function: Callable[..., Any]) -> Any:
    try:
        return typing.get_type_hints(function).get("return")
    except (NameError, TypeError):
        return None


# -- reading the message and the URL -------------------------------------------------------------


def _field_names(message_type: type[Message]) -> set[str]:
    return {f.name for f in dataclasses.fields(message_type)}  # type: ignore[arg-type]


def _defaults(message_type: type[Message]) -> dict[str, Any]:
    """The fields' defaults a query string can spell (no ``None``, no factories)."""
    return {
        f.name: f.default
        for f in dataclasses.fields(message_type)  # type: ignore[arg-type]
        if type(f.default) in (bool, int, float, str)
    }


def _parameter_schema(schema: Mapping[str, Any], default: Any = None) -> dict[str, Any]:
    """A field's schema as a parameter's: a URL cannot say ``null``; absent, it is the default."""
    found = {k: v for k, v in schema.items() if k not in ("nullable", "description", "default")}
    if isinstance(found.get("type"), list):
        found["type"] = next(t for t in found["type"] if t != "null")
    if default is not None:
        found["default"] = default
    return found


def _path_variables(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


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


def _own_doc(obj: object) -> str:
    """The docstring ``obj`` has itself (a class's, not its bases'), cleaned."""
    from .views import MessageMixin

    # the shared action method, maybe wrapped (drf-spectacular wraps what it decorates)
    if not callable(obj) or inspect.unwrap(obj) is MessageMixin.handle_message:
        return ""
    doc = vars(obj).get("__doc__") if isinstance(obj, type) else getattr(obj, "__doc__", None)
    if not doc or spectacular_settings.DISABLE_DOCSTRING_DESCRIPTIONS:
        return ""
    return inspect.cleandoc(doc)


def _snake_case(name: str) -> str:
    words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", words).lower()


def _docstring(message_type: type[Message]) -> tuple[str, str]:
    """The first paragraph of the message's own docstring on one line, and the rest."""
    doc = message_type.__dict__.get("__doc__") or ""
    generated = doc.startswith(f"{message_type.__name__}(")  # dataclass's signature line
    if generated or spectacular_settings.DISABLE_DOCSTRING_DESCRIPTIONS:
        return "", ""
    # reST literals (``x``) as markdown's (`x`), which Swagger UI and Redoc render
    first, _, rest = inspect.cleandoc(doc).replace("``", "`").partition("\n\n")
    return " ".join(first.split()), rest.strip()
