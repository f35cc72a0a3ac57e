"""OpenAPI for message views: drf-spectacular describes them from their message and result types.

The example project's users API is checked shape by shape; views declared here cover the rest
(a ``MessageAPIView``, PATCH, plain and optional values, result serializers).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.test import Client
from django.urls import URLPattern, include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import patched_settings
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.validation import validate_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from django_functionalkit import Command, Option, PagedResult, Query, Result, Unit
from django_functionalkit.errors import Error
from django_functionalkit.messages import Message
from django_functionalkit.rest import MessageAPIView, MessageViewSet
from django_functionalkit.rest.schema import PROBLEM_SCHEMA, request_serializer_class

ROOT = Path(__file__).resolve().parent.parent
PROBLEM = {"$ref": "#/components/schemas/Problem"}
USER_DTO = {"$ref": "#/components/schemas/UserDto"}
# An int field of a message: bounded to what a BIGINT column holds.
INT64 = {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1, "format": "int64"}
# The example's user fields, as their types declare them (example_project/users/messages.py).
# (drf-spectacular writes Python's \x escapes as the ECMA-262 \u ones)
_VISIBLE = r"\s\u0000-\u001f\u007f-\u009f\ufeff"
NAME = {"type": "string", "pattern": rf"[^{_VISIBLE}]", "maxLength": 100}
EMAIL = {
    "type": "string",
    "pattern": rf"^[^@{_VISIBLE}]+@[^@{_VISIBLE}]+\.[^@{_VISIBLE}]+$",
    "maxLength": 150,
}

Schema = dict[str, Any]


def generate(patterns: list[Any] | None = None, *, warnings: bool = False) -> Schema:
    """The schema of ``patterns``, or of the example project's URLconf: valid, and with no
    warnings or errors from drf-spectacular unless ``warnings``."""
    if patterns is None:
        generator = SchemaGenerator(urlconf="example_project.urls")
    else:
        generator = SchemaGenerator(patterns=patterns)
    schema: Schema = generator.get_schema(request=None, public=True)
    validate_schema(schema)
    assert warnings or not GENERATOR_STATS, "drf-spectacular warned: see the captured stderr"
    return schema


@pytest.fixture(scope="module")
def schema() -> Schema:
    return generate()


def problem_statuses(operation: Schema) -> list[str]:
    """The statuses an operation documents as problems, each as application/problem+json."""
    found = []
    for status, response in operation["responses"].items():
        if "application/problem+json" in response.get("content", {}):
            assert response["content"] == {"application/problem+json": {"schema": PROBLEM}}
            found.append(status)
    return found


def successes(operation: Schema) -> dict[str, Schema]:
    return {s: r for s, r in operation["responses"].items() if s.startswith("2")}


def parameters(operation: Schema) -> dict[tuple[str, str], Schema]:
    return {(p["in"], p["name"]): p for p in operation.get("parameters", [])}


# -- the example project's users API --------------------------------------------------------------


def test_list_takes_the_message_fields_as_query_parameters(schema: Schema) -> None:
    operation = schema["paths"]["/api/users/"]["get"]
    assert operation["parameters"] == [
        {
            "in": "query",
            "name": "created_after",
            "schema": {"type": "string", "format": "date-time"},
        },
        {"in": "query", "name": "is_active", "schema": {"type": "boolean"}},
        {"in": "query", "name": "name", "schema": {"type": "string", "maxLength": 150}},
        {"in": "query", "name": "page", "schema": {**INT64, "minimum": 1, "default": 1}},
        {
            "in": "query",
            "name": "page_size",
            "schema": {"type": "integer", "maximum": 100, "minimum": 1, "default": 20},
        },
    ]
    assert "requestBody" not in operation


def test_list_answers_drfs_page_of_user_dtos(schema: Schema) -> None:
    operation = schema["paths"]["/api/users/"]["get"]
    page = {"$ref": "#/components/schemas/PaginatedUserDtoList"}
    assert successes(operation) == {
        "200": {"content": {"application/json": {"schema": page}}, "description": ""}
    }
    component = schema["components"]["schemas"]["PaginatedUserDtoList"]
    assert component["type"] == "object"
    assert component["required"] == ["count", "results"]
    properties = component["properties"]
    assert list(properties) == ["count", "next", "previous", "results"]
    assert properties["count"]["type"] == "integer"
    for link in ("next", "previous"):
        assert properties[link]["type"] == "string"
        assert properties[link]["nullable"] is True
        assert properties[link]["format"] == "uri"
    assert properties["results"] == {"type": "array", "items": USER_DTO}


def test_list_fails_on_its_input_a_page_past_the_last_or_unexpectedly(schema: Schema) -> None:
    assert problem_statuses(schema["paths"]["/api/users/"]["get"]) == ["400", "404", "500"]


def test_retrieve_types_the_path_parameter_from_the_field_it_fills(schema: Schema) -> None:
    operation = schema["paths"]["/api/users/{id}/"]["get"]
    assert operation["parameters"] == [
        {"in": "path", "name": "id", "schema": INT64, "required": True}
    ]
    assert successes(operation) == {
        "200": {"content": {"application/json": {"schema": USER_DTO}}, "description": ""}
    }
    assert problem_statuses(operation) == ["400", "404", "500"]
    assert "requestBody" not in operation


def test_the_user_dto_is_a_component_of_its_dataclass(schema: Schema) -> None:
    assert schema["components"]["schemas"]["UserDto"] == {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "email": {"type": "string"},
            "is_active": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"},
        },
        "required": ["created_at", "email", "id", "is_active", "name"],
    }


def test_create_answers_201_with_the_user_and_where_it_is(schema: Schema) -> None:
    operation = schema["paths"]["/api/users/"]["post"]
    assert successes(operation) == {
        "201": {
            "headers": {
                "Location": {
                    "schema": {"type": "string"},
                    "description": "The URL of the created resource.",
                }
            },
            "content": {"application/json": {"schema": USER_DTO}},
            "description": "",
        }
    }
    assert problem_statuses(operation) == ["400", "409", "500"]


def test_create_takes_the_message_fields_as_its_body(schema: Schema) -> None:
    body = schema["paths"]["/api/users/"]["post"]["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"] == {
        "schema": {"$ref": "#/components/schemas/CreateUserRequest"}
    }
    assert schema["components"]["schemas"]["CreateUserRequest"] == {
        "type": "object",
        "properties": {
            "name": NAME,
            "email": EMAIL,
            "password": {"type": "string", "minLength": 8},
        },
        "required": ["email", "name", "password"],
    }


def test_update_body_leaves_out_the_field_the_url_fills(schema: Schema) -> None:
    operation = schema["paths"]["/api/users/{id}/"]["put"]
    assert parameters(operation) == {
        ("path", "id"): {
            "in": "path",
            "name": "id",
            "schema": INT64,
            "required": True,
        }
    }
    assert operation["requestBody"]["content"]["application/json"] == {
        "schema": {"$ref": "#/components/schemas/UpdateUserRequest"}
    }
    assert schema["components"]["schemas"]["UpdateUserRequest"] == {
        "type": "object",
        "properties": {"name": NAME, "email": EMAIL},
        "required": ["email", "name"],
    }
    assert successes(operation) == {
        "200": {"content": {"application/json": {"schema": USER_DTO}}, "description": ""}
    }
    # UpdateUser requires authorization: the user themselves or a user manager.
    assert problem_statuses(operation) == ["400", "401", "403", "404", "409", "500"]


def test_destroy_answers_204_with_no_body_and_its_authorization_problems(schema: Schema) -> None:
    operation = schema["paths"]["/api/users/{id}/"]["delete"]
    assert successes(operation) == {"204": {"description": "No response body."}}
    # DeleteUser is RequiresAuthorization; it returns Unit, not a Result, so it never conflicts
    assert problem_statuses(operation) == ["400", "401", "403", "404", "500"]
    assert "requestBody" not in operation
    assert parameters(operation) == {
        ("path", "id"): {
            "in": "path",
            "name": "id",
            "schema": INT64,
            "required": True,
        }
    }


def test_the_problem_component_is_the_problem_details_shape(schema: Schema) -> None:
    component = schema["components"]["schemas"]["Problem"]
    assert component == PROBLEM_SCHEMA
    assert component["required"] == ["type", "title", "status", "detail"]
    properties = component["properties"]
    assert {name: properties[name]["type"] for name in properties} == {
        "type": "string",
        "title": "string",
        "status": "integer",
        "detail": "string",
        "code": "string",
        "errors": "object",
    }
    assert properties["errors"]["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
    }


def test_operations_are_named_and_summed_up_by_their_messages(schema: Schema) -> None:
    named = {
        (path, method): (operation["operationId"], operation.get("summary"))
        for path, methods in schema["paths"].items()
        if path.startswith("/api/users/")
        for method, operation in methods.items()
    }
    assert named == {
        ("/api/users/", "get"): (
            "get_users",
            "A page of users, filtered by name, activity and creation date.",
        ),
        ("/api/users/", "post"): ("create_user", "A new user; the email must not be taken."),
        ("/api/users/{id}/", "get"): ("get_user_by_id", "The user with this id, or `NotFound`."),
        ("/api/users/{id}/", "put"): (
            "update_user",
            "A new name and email for a user (the guide's UpdateUserCommand): by that user, or by "
            "a user manager with the change permission.",
        ),
        ("/api/users/{id}/", "delete"): (
            "delete_user",
            "Only an admin or a user manager with the delete permission may delete a user.",
        ),
        ("/api/users/{id}/profile/", "get"): (
            "get_user_profile",
            "A user's profile, cached for 15 minutes; raises NotFoundError as the guide's handler.",
        ),
        ("/api/users/statistics/", "get"): (
            "get_user_statistics",
            "Counts of users over a period (default: the last 12 months), computed concurrently.",
        ),
    }


def test_manage_py_spectacular_validates_with_no_warnings() -> None:
    run = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--format",
            "openapi-json",
        ],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "example_project.settings"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert set(json.loads(run.stdout)["paths"]) >= {"/api/users/", "/api/users/{id}/"}


# -- other shapes, on views of this module ---------------------------------------------------------


@dataclass(frozen=True)
class Item:
    id: int
    label: str


@dataclass(frozen=True)
class ListLabels(Query[list[str]]):
    """Every label, in order.

    Labels starting with ``prefix`` only, when it is given.
    """

    prefix: str = ""


@dataclass(frozen=True)
class TouchItems(Command[Unit]):
    """Mark every item as seen."""


@dataclass(frozen=True)
class FindItem(Query[Option[Item]]):
    item_id: int
    label: str


@dataclass(frozen=True)
class RenameItem(Command[Result["LaterItem", Error]]):
    """Rename an item."""

    item_id: int
    label: str


@dataclass(frozen=True)
class LatestItem(Query[Item | None]):
    item_id: int


@dataclass(frozen=True)
class ItemLabel(Query[Item | None]):
    item_id: int


@dataclass(frozen=True)
class LaterItem:
    """Declared after the message that returns it, which names it in a string."""

    id: int


@dataclass(frozen=True)
class CountItems(Query[PagedResult[int]]):
    pass


@dataclass(frozen=True)
class Ping(Query):  # type: ignore[type-arg]
    pass


@dataclass(frozen=True)
class CountLabels(Query[int]):
    pass


@dataclass(frozen=True)
class ClearLabels(Command[Result[int, Error]]):
    pass


class ItemRowSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()


def item_label(item: Item) -> str:
    return item.label


class ItemsView(MessageAPIView):
    messages: ClassVar[dict[str, type[Message]]] = {"get": ListLabels, "post": TouchItems}


class ItemView(MessageAPIView):
    messages: ClassVar[dict[str, type[Message]]] = {
        "get": FindItem,
        "put": RenameItem,
        "patch": RenameItem,
    }
    url_fields: ClassVar[dict[str, str]] = {"item": "item_id"}
    permission_classes = (IsAuthenticated,)


class LabelsView(MessageAPIView):
    """Labels anyone may count and only users may clear."""

    messages: ClassVar[dict[str, type[Message]]] = {"get": CountLabels, "post": ClearLabels}
    permission_classes = (IsAuthenticatedOrReadOnly,)


class ItemViewSet(MessageViewSet):
    messages: ClassVar[dict[str, type[Message]]] = {
        "list": CountItems,
        "retrieve": LatestItem,
    }
    url_fields: ClassVar[dict[str, str]] = {"pk": "item_id"}
    result_serializers: ClassVar[dict[str, Any]] = {"retrieve": ItemRowSerializer}

    @action(detail=False, methods=["get"], serializer_class=ItemRowSerializer)
    def first(self, request: Request) -> Response:
        """The first item, by a plain DRF action."""
        return Response({"id": 1, "title": "a"})


class PingViewSet(MessageViewSet):
    messages: ClassVar[dict[str, type[Message]]] = {"create": Ping}


class LabelViewSet(MessageViewSet):
    messages: ClassVar[dict[str, type[Message]]] = {"retrieve": ItemLabel}
    url_fields: ClassVar[dict[str, str]] = {"pk": "item_id"}
    result_serializers: ClassVar[dict[str, Any]] = {"retrieve": item_label}


router = SimpleRouter()
router.register("things", ItemViewSet, basename="thing")
router.register("labels", LabelViewSet, basename="label")

PATTERNS: list[URLPattern | Any] = [
    path("items/", ItemsView.as_view()),
    path("items/<int:item>/", ItemView.as_view()),
    path("label-counts/", LabelsView.as_view()),
    path("", include(router.urls)),
]


@pytest.fixture(scope="module")
def shapes() -> Schema:
    return generate(PATTERNS)


def test_an_api_view_dispatches_a_message_per_method(shapes: Schema) -> None:
    operation = shapes["paths"]["/items/"]["get"]
    assert operation["operationId"] == "list_labels"
    assert operation["summary"] == "Every label, in order."
    assert operation["description"] == "Labels starting with `prefix` only, when it is given."
    assert operation["parameters"] == [
        {"in": "query", "name": "prefix", "schema": {"type": "string", "default": ""}}
    ]
    assert successes(operation)["200"]["content"] == {
        "application/json": {"schema": {"type": "array", "items": {"type": "string"}}}
    }


def test_a_created_unit_is_still_204_with_no_body(shapes: Schema) -> None:
    operation = shapes["paths"]["/items/"]["post"]
    assert successes(operation) == {"204": {"description": "No response body."}}
    assert "requestBody" not in operation  # TouchItems has no fields
    assert problem_statuses(operation) == ["400", "500"]  # Unit: no Conflict


def test_a_path_converter_kwarg_fills_its_field(shapes: Schema) -> None:
    operation = shapes["paths"]["/items/{item}/"]["get"]
    assert parameters(operation) == {
        ("path", "item"): {
            "in": "path",
            "name": "item",
            "schema": INT64,
            "required": True,
        },
        ("query", "label"): {
            "in": "query",
            "name": "label",
            "schema": {"type": "string"},
            "required": True,
        },
    }


def test_an_option_is_a_nullable_value(shapes: Schema) -> None:
    operation = shapes["paths"]["/items/{item}/"]["get"]
    assert successes(operation)["200"]["content"]["application/json"]["schema"] == {
        "allOf": [{"$ref": "#/components/schemas/Item"}],
        "nullable": True,
    }


def test_view_permissions_add_authorization_problems(shapes: Schema) -> None:
    assert problem_statuses(shapes["paths"]["/items/{item}/"]["get"]) == [
        "400",
        "401",
        "403",
        "404",
        "500",
    ]


def test_read_only_permissions_refuse_only_writes(shapes: Schema) -> None:
    read = shapes["paths"]["/label-counts/"]["get"]
    write = shapes["paths"]["/label-counts/"]["post"]
    assert problem_statuses(read) == ["400", "500"]
    assert problem_statuses(write) == ["400", "401", "403", "409", "500"]
    assert successes(read)["200"]["content"] == {
        "application/json": {"schema": {"type": "integer"}}
    }
    assert successes(write)["201"]["content"] == {
        "application/json": {"schema": {"type": "integer"}}
    }


def test_a_message_without_a_docstring_leaves_it_to_the_view(shapes: Schema) -> None:
    count = shapes["paths"]["/label-counts/"]["get"]
    assert "summary" not in count
    assert count["description"] == "Labels anyone may count and only users may clear."
    find = shapes["paths"]["/items/{item}/"]["get"]  # neither ItemView nor FindItem says
    assert "summary" not in find
    assert "description" not in find


def test_patch_takes_the_whole_message_as_views_build_it(shapes: Schema) -> None:
    ids = {"put": "rename_item", "patch": "rename_item_patch"}
    for method in ("put", "patch"):
        operation = shapes["paths"]["/items/{item}/"][method]
        assert operation["operationId"] == ids[method]
        assert operation["requestBody"]["required"] is True
        assert operation["requestBody"]["content"]["application/json"] == {
            "schema": {"$ref": "#/components/schemas/RenameItemRequest"}
        }
    assert shapes["components"]["schemas"]["RenameItemRequest"] == {
        "type": "object",
        "properties": {"label": {"type": "string"}},
        "required": ["label"],
    }
    assert "PatchedRenameItemRequest" not in shapes["components"]["schemas"]


def test_a_result_declared_in_a_string_is_read_in_its_module(shapes: Schema) -> None:
    operation = shapes["paths"]["/items/{item}/"]["put"]
    assert successes(operation)["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LaterItem"
    }
    assert "409" in problem_statuses(operation)


def test_a_page_of_plain_values_is_drfs_page_inline(shapes: Schema) -> None:
    operation = shapes["paths"]["/things/"]["get"]
    page = successes(operation)["200"]["content"]["application/json"]["schema"]
    assert page["properties"]["results"] == {"type": "array", "items": {"type": "integer"}}
    assert page["required"] == ["count", "results"]


def test_a_result_serializer_class_describes_the_value(shapes: Schema) -> None:
    # LatestItem returns Item | None: None is a 204
    operation = shapes["paths"]["/things/{id}/"]["get"]
    assert successes(operation) == {
        "200": {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ItemRow"}}},
            "description": "",
        },
        "204": {"description": "Nothing to return: no body."},
    }


def test_a_result_serializer_function_describes_the_value_by_its_annotation(
    shapes: Schema,
) -> None:
    operation = shapes["paths"]["/labels/{id}/"]["get"]
    assert successes(operation) == {
        "200": {"content": {"application/json": {"schema": {"type": "string"}}}, "description": ""},
        "204": {"description": "Nothing to return: no body."},
    }


def test_an_action_without_a_message_is_described_as_drf_spectacular_does(
    shapes: Schema,
) -> None:
    operation = shapes["paths"]["/things/first/"]["get"]
    assert operation["operationId"] == "things_first_retrieve"
    assert operation["description"] == "The first item, by a plain DRF action."
    assert successes(operation)["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ItemRow"
    }


def test_an_undeclared_result_warns_and_is_any_json(capsys: pytest.CaptureFixture[str]) -> None:
    router = SimpleRouter()
    router.register("pings", PingViewSet, basename="ping")
    schema = generate(router.urls, warnings=True)
    operation = schema["paths"]["/pings/"]["post"]
    assert successes(operation)["201"]["content"]["application/json"]["schema"] == {
        "description": "Any JSON value."
    }
    assert "Ping does not declare what it returns" in capsys.readouterr().err


def test_extend_schema_view_changes_one_action_of_one_view() -> None:
    @extend_schema_view(retrieve=extend_schema(operation_id="read_label"))
    class Annotated(MessageViewSet):
        messages: ClassVar[dict[str, type[Message]]] = {"retrieve": ItemLabel, "list": ListLabels}
        url_fields: ClassVar[dict[str, str]] = {"pk": "item_id"}

    router = SimpleRouter()
    router.register("annotated", Annotated, basename="annotated")
    router.register("things", ItemViewSet, basename="thing")
    schema = generate(router.urls)
    assert schema["paths"]["/annotated/{id}/"]["get"]["operationId"] == "read_label"
    assert schema["paths"]["/annotated/"]["get"]["operationId"] == "list_labels"
    assert schema["paths"]["/things/{id}/"]["get"]["operationId"] == "latest_item"


def test_split_components_keep_the_request_names() -> None:
    with patched_settings({"COMPONENT_SPLIT_REQUEST": True}):
        schema = generate()
    components = schema["components"]["schemas"]
    assert {"CreateUserRequest", "UpdateUserRequest", "UserDto"} <= set(components)
    assert "CreateUserRequestRequest" not in components


def test_request_serializers_are_built_once_per_message_and_url_fields() -> None:
    whole = request_serializer_class(RenameItem)
    assert request_serializer_class(RenameItem) is whole
    without_id = request_serializer_class(RenameItem, ["item_id"])
    assert without_id is not whole
    assert set(without_id().fields) == {"label"}
    assert set(whole().fields) == {"item_id", "label"}


def test_the_schema_view_serves_the_schema(client: Client) -> None:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/users/{id}/" in json.loads(response.content)["paths"]
