"""Input the fuzzer (tests/test_fuzz.py) found message views judging unlike their schema."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated

import pytest
from annotated_types import Ge, MaxLen
from django.contrib.auth.models import User
from django.test import Client
from django.urls import path
from rest_framework.test import APIClient

from django_functionalkit import Command, Pattern, Query, handler, messenger
from django_functionalkit.rest import MessageAPIView, message_serializer
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


@pytest.fixture
def api() -> Iterator[APIClient]:
    with isolated_handlers():
        handler(place_order)
        handler(find_lines)
        messenger.reset()
        yield APIClient()
    messenger.reset()


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
