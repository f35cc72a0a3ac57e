"""Input an attacker sends a message view: never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.urls import path
from rest_framework.test import APIClient

from django_functionalkit import Command, Query, handler
from django_functionalkit.registry import make_spec
from django_functionalkit.rest import MessageAPIView
from django_functionalkit.testing import isolated_handlers
from tests.problems import problem

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@dataclass(frozen=True)
class AddNote(Command[int]):
    text: str


class NotesView(MessageAPIView):
    messages = {"post": AddNote}  # noqa: RUF012 - as users write it


urlpatterns = [path("notes/", NotesView.as_view())]


@pytest.fixture(autouse=True)
def handlers() -> Iterator[None]:
    with isolated_handlers():

        @handler
        def add_note(command: AddNote) -> int:
            return len(command.text)

        yield


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,  # 200 kB, far below DATA_UPLOAD_MAX_MEMORY_SIZE
        '{"text": ' * 100_000 + '"x"' + "}" * 100_000,
    ],
    ids=["arrays", "objects"],
)
def test_json_nested_too_deeply_is_a_400(body: str) -> None:
    response = APIClient().post("/notes/", body, content_type="application/json")
    assert problem(response, 400)["code"] == "parse_error"


@dataclass(frozen=True)
class CountGroupsBetween(Query[int]):
    span: tuple[int, int]


class GroupsView(MessageAPIView):
    messages = {"post": CountGroupsBetween}  # noqa: RUF012 - as users write it


urlpatterns.append(path("groups/", GroupsView.as_view()))


def count_groups_between(query: CountGroupsBetween) -> int:
    return Group.objects.filter(pk__range=query.span).count()


def test_the_ints_of_a_fixed_length_tuple_are_bounded_too() -> None:
    """A pair of ints, as a homogeneous tuple is: a database refuses an int over 64 bits."""
    with isolated_handlers() as registry:
        registry.register(make_spec(count_groups_between))
        client = APIClient()
        assert client.post("/groups/", {"span": [1, 2]}, "json").status_code == 201
        body = problem(client.post("/groups/", {"span": [1, 2**64]}, "json"), 400)
    assert body["errors"] == {
        "span.1": ["Ensure this value is less than or equal to 9223372036854775807."]
    }


@dataclass(frozen=True)
class SumPrices(Query[str]):
    prices: list[Decimal] = field(default_factory=list)
    by_name: dict[str, Decimal] = field(default_factory=dict)
    ordered: tuple[Decimal, ...] = ()


class PricesView(MessageAPIView):
    messages = {"post": SumPrices}  # noqa: RUF012 - as users write it


urlpatterns.append(path("prices/", PricesView.as_view()))


def sum_prices(query: SumPrices) -> str:
    return str(sum(query.prices) + sum(query.by_name.values()) + sum(query.ordered))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"prices": ["1e400"]}, "prices.0"),
        ({"by_name": {"tea": "1e400"}}, "by_name.tea"),
        ({"ordered": ["1", "1E+999999999"]}, "ordered.1"),
    ],
)
def test_a_huge_decimal_in_a_list_or_a_mapping_is_a_400(body: dict[str, Any], field: str) -> None:
    """Without a bound, DRF quantizes "1e400" and fails with decimal.InvalidOperation."""
    with isolated_handlers() as registry:
        registry.register(make_spec(sum_prices))
        client = APIClient()
        assert Decimal(client.post("/prices/", {"prices": ["1.5"]}, "json").json()) == Decimal(
            "1.5"
        )
        errors = problem(client.post("/prices/", body, "json"), 400)["errors"]
    assert list(errors) == [field]


@dataclass(frozen=True)
class GetNoteCount(Query[int]):
    pass


class NoteCountView(MessageAPIView):
    messages = {"get": GetNoteCount}  # noqa: RUF012 - as users write it


urlpatterns.append(path("notes/count/", NoteCountView.as_view()))


def test_head_on_an_api_view_is_its_get_without_a_body() -> None:
    """Django answers HEAD with the view's get(), as DRF's viewsets do with their list."""
    with isolated_handlers() as registry:
        registry.register(make_spec(lambda query: 3, message_type=GetNoteCount))
        response = APIClient().head("/notes/count/")
    assert response.status_code == 200
    assert response.content == b""
