"""Input the fuzzer (tests/test_fuzz.py) found message views judging unlike their schema."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

import pytest
from annotated_types import Ge, MaxLen
from django.contrib.auth.models import User
from django.test import Client
from django.urls import path
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.test import APIClient

from django_functionalkit import Command, Pattern, Query, handler, messenger
from django_functionalkit.rest import MessageAPIView, message_serializer
from django_functionalkit.rest.constraints import as_python
from django_functionalkit.rest.schema.decimals import decimal_pattern
from django_functionalkit.testing import isolated_handlers
from tests.problems import problem

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@dataclass(frozen=True)
class Line:
    sku: Annotated[str, Pattern(r"^[A-Z]{3}$")]
    quantity: Annotated[int, Ge(1)]
    note: str = ""


@dataclass(frozen=True)
class PlaceOrder(Command[int]):
    lines: list[Line]
    gift: Line | None = None


@dataclass(frozen=True)
class FindLines(Query[list[str]]):
    sku: str | None = None
    tags: list[str] = field(default_factory=list)
    code: Annotated[str, MaxLen(3)] = "ABC"


class LinesView(MessageAPIView):
    messages = {"get": FindLines, "post": PlaceOrder}  # noqa: RUF012 - as users write it


urlpatterns = [path("lines/", LinesView.as_view())]


def place_order(command: PlaceOrder) -> int:
    return len(command.lines)


def find_lines(query: FindLines) -> list[str]:
    return [query.code]


def test_a_nested_dataclass_is_held_to_its_declared_constraints(api: APIClient) -> None:
    body = {"lines": [{"sku": "abc", "quantity": 0}], "gift": {"sku": "ABCD", "quantity": 1}}
    errors = problem(api.post("/lines/", body, "json"), 400)["errors"]
    assert set(errors) == {"lines.0.sku", "lines.0.quantity", "gift.sku"}


def test_a_nested_int_takes_the_64_bit_range_only(api: APIClient) -> None:
    body = {"lines": [{"sku": "ABC", "quantity": 2**63}]}
    errors = problem(api.post("/lines/", body, "json"), 400)["errors"]
    assert errors == {
        "lines.0.quantity": ["Ensure this value is less than or equal to 9223372036854775807."]
    }


def test_a_nested_blank_text_still_reaches_the_message(api: APIClient) -> None:
    body = {"lines": [{"sku": "ABC", "quantity": 2, "note": ""}]}
    assert api.post("/lines/", body, "json").json() == 1


def test_constrained_text_is_judged_as_sent_not_trimmed() -> None:
    serializer = message_serializer(FindLines, data={"code": "ABC "})  # 4 characters
    assert not serializer.is_valid()
    assert set(serializer.errors) == {"code"}
    unconstrained = message_serializer(FindLines, data={"sku": " x "})
    assert unconstrained.is_valid()


@pytest.mark.parametrize("query", ["sku=a&sku=b", "code=A&code=B"])
def test_a_single_value_field_given_twice_in_the_query_is_a_400(api: APIClient, query: str) -> None:
    errors = problem(api.get(f"/lines/?{query}"), 400)["errors"]
    assert errors == {query.split("=", maxsplit=1)[0]: ["Give this parameter once."]}


def test_a_list_field_takes_every_value_and_other_parameters_are_ignored(api: APIClient) -> None:
    assert api.get("/lines/?tags=a&tags=b&other=1&other=2").status_code == 200


@pytest.mark.urls("example_project.urls")
def test_the_api_fallback_needs_no_csrf_token(client: Client) -> None:
    # A signed-in browser's unsafe request to an unrouted URL: Django's CSRF check would answer
    # its HTML 403 page, though there is nothing to protect.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(User.objects.create_user("ada", password="long-enough"))
    problem(browser.delete("/api/nothing/"), 404)


@pytest.mark.urls("example_project.urls")
def test_the_example_api_takes_json_bodies_only(client: Client) -> None:
    response = client.post("/api/users/", {"name": "Ada", "email": "a@b.co", "password": "x" * 8})
    assert problem(response, 415)["code"] == "unsupported_media_type"


@dataclass(frozen=True)
class Typed(Command[str]):
    name: str
    count: int
    ratio: float = 0.5
    on: bool = False
    price: Decimal = Decimal(0)
    when: datetime.date | None = None


@dataclass(frozen=True)
class FindTyped(Query[list[str]]):
    count: int = 0
    on: bool | None = None
    price: Decimal | None = None


class TypedView(MessageAPIView):
    messages = {"get": FindTyped, "post": Typed}  # noqa: RUF012 - as users write it


urlpatterns += [path("typed/", TypedView.as_view())]


def take_typed(command: Typed) -> str:
    return "ok"


def find_typed(query: FindTyped) -> list[str]:
    return ["ok"]


@pytest.fixture
def api() -> Iterator[APIClient]:
    with isolated_handlers():
        for function in (place_order, find_lines, take_typed, find_typed):
            handler(function)
        messenger.reset()
        yield APIClient()
    messenger.reset()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", 0, "Not a valid string."),
        ("count", "5", "A whole number is required."),
        ("count", 5.0, "A whole number is required."),
        ("count", True, "A whole number is required."),
        ("ratio", "0.5", "A number is required."),
        ("on", "true", "Must be true or false."),
        ("on", 1, "Must be true or false."),
        ("price", 9.99, "Not a valid string."),  # a decimal travels as a string, as DRF writes it
        ("when", 20240101, "Not a valid string."),
    ],
)
def test_a_json_body_takes_each_fields_json_type_only(
    api: APIClient, field: str, value: object, message: str
) -> None:
    body = {"name": "x", "count": 1, field: value}
    assert problem(api.post("/typed/", body, "json"), 400)["errors"] == {field: [message]}


def test_a_json_body_of_the_right_types_is_taken(api: APIClient) -> None:
    body = {"name": "x", "count": 1, "ratio": 2, "on": True, "price": "9.99", "when": None}
    assert api.post("/typed/", body, "json").json() == "ok"


def test_a_wrong_type_is_reported_with_every_other_problem_once(api: APIClient) -> None:
    errors = problem(api.post("/typed/", {"count": "x"}, "json"), 400)["errors"]
    assert errors == {"name": ["This field is required."], "count": ["A whole number is required."]}


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("count=1.0", {"count": ["A whole number is required."]}),
        ("count=%2B5", {"count": ["A whole number is required."]}),
        ("on=null", {"on": ["Must be true or false."]}),
        ("on=1", {"on": ["Must be true or false."]}),
        ("price=1e3", {"price": ["A number is required."]}),
    ],
)
def test_a_query_value_is_spelled_as_the_schema_says(
    api: APIClient, query: str, errors: dict[str, list[str]]
) -> None:
    assert problem(api.get(f"/typed/?{query}"), 400)["errors"] == errors


def test_a_query_of_the_right_spelling_is_taken(api: APIClient) -> None:
    assert api.get("/typed/?count=-3&on=false&price=9.99").json() == ["ok"]


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        (
            {"max_digits": 8, "decimal_places": 2, "min_value": 0},
            r"^(?:0*[0-9]{1,6}(?:\.[0-9]{0,2})?|\.[0-9]{1,2})$",
        ),
        (
            {"max_digits": 28, "decimal_places": 2},
            r"^-?(?:0*[0-9]{1,26}(?:\.[0-9]{0,2})?|\.[0-9]{1,2})$",
        ),
        ({"max_digits": 5, "decimal_places": 0}, r"^-?0*[0-9]{1,5}$"),
        ({"max_digits": 3, "decimal_places": 3}, r"^-?0*\.[0-9]{1,3}$"),
    ],
)
def test_a_decimal_strings_pattern_admits_exactly_what_its_field_parses(
    kwargs: dict[str, Any], pattern: str
) -> None:
    decimal_field = serializers.DecimalField(**kwargs)
    assert decimal_pattern(decimal_field) == pattern
    for text in ("", "-", ".", "-.", "1e3", " 1"):
        assert not re.search(pattern, text)

    @settings(max_examples=200, derandomize=True, database=None)
    @given(st.from_regex(pattern, fullmatch=True))
    def parses(text: str) -> None:
        decimal_field.run_validation(text)

    parses()


def test_a_pattern_ends_where_json_schema_says_not_before_a_final_newline(
    api: APIClient,
) -> None:
    # Python's $ also matches before a final newline; ECMA-262's, which the schema speaks, not.
    body = {"lines": [{"sku": "ABC\n", "quantity": 1}]}
    assert set(problem(api.post("/lines/", body, "json"), 400)["errors"]) == {"lines.0.sku"}
    assert api.post("/lines/", {"lines": [{"sku": "ABC", "quantity": 1}]}, "json").json() == 1


@pytest.mark.parametrize(
    ("pattern", "python"),
    [
        (r"^[A-Z]{3}$", r"^[A-Z]{3}\Z"),
        (r"^a[$]b$", r"^a[$]b\Z"),  # a $ in a class is a dollar sign
        (r"x\$y$", r"x\$y\Z"),  # so is an escaped one
        (r"^(?:a|b$)", r"^(?:a|b\Z)"),
    ],
)
def test_as_python_reads_dollar_as_the_very_end(pattern: str, python: str) -> None:
    assert as_python(pattern) == python
