"""Paging over HTTP: a bad page or page size is a 400 with field errors, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client, override_settings
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from django_functionalkit import PagedResult, Query
from django_functionalkit.messenger import messenger
from django_functionalkit.registry import registry
from django_functionalkit.rest import MessageViewSet, message_serializer_class
from tests.problems import problem

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@dataclass(frozen=True)
class GetTeams(Query[PagedResult[str]]):
    """Teams by name, a page at a time, with no checks of its own (as a new user writes it)."""

    page: int = 1
    page_size: int = 20


def get_teams(query: GetTeams) -> PagedResult[str]:
    # Sliced by hand, as the paging sample once was: a page below 1 is a negative offset,
    # which Django refuses with a ValueError (a 500) unless the view stops it first.
    teams = Group.objects.order_by("name")
    start = (query.page - 1) * query.page_size
    names = [team.name for team in teams[start : start + query.page_size]]
    return PagedResult(names, teams.count(), query.page, query.page_size)


@dataclass(frozen=True)
class GetWidePage(Query[PagedResult[int]]):
    """A page size bounded by the field itself, not by the setting."""

    page_size: int = field(default=20, metadata={"serializer_kwargs": {"max_value": 500}})


@dataclass(frozen=True)
class GetSlot(Query[int]):
    """Not a page: its ``page`` field is the message's business."""

    page: int = 0


class TeamViewSet(MessageViewSet):
    messages = {"list": GetTeams}  # noqa: RUF012 - as users write it


router = SimpleRouter()
router.register("teams", TeamViewSet, basename="team")
urlpatterns = [path("api/", include(router.urls))]


@pytest.fixture(autouse=True)
def teams() -> Iterator[None]:
    Group.objects.bulk_create(Group(name=f"team {i:03}") for i in range(1, 121))
    with registry.override(GetTeams, get_teams):
        messenger.reset()
        yield
    messenger.reset()


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("page=0", {"page": ["A page number starts at 1."]}),
        ("page=-1", {"page": ["A page number starts at 1."]}),
        ("page_size=0", {"page_size": ["A page holds at least 1 item."]}),
        ("page_size=-1", {"page_size": ["A page holds at least 1 item."]}),
        ("page_size=101", {"page_size": ["A page holds at most 100 items."]}),
        (
            "page_size=99999999999999999999",
            {"page_size": ["A page holds at most 100 items."]},
        ),
        (
            "page=-3&page_size=1000",
            {
                "page": ["A page number starts at 1."],
                "page_size": ["A page holds at most 100 items."],
            },
        ),
    ],
)
def test_a_bad_page_is_a_400_with_field_errors(
    client: Client, query: str, errors: dict[str, list[str]]
) -> None:
    body = problem(client.get(f"/api/teams/?{query}"), 400)
    assert body["errors"] == errors


def test_the_bounds_themselves_are_pages(client: Client) -> None:
    response = client.get("/api/teams/?page=1&page_size=100")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 100
    assert client.get("/api/teams/?page=120&page_size=1").json()["results"] == ["team 120"]


def test_the_largest_page_size_comes_from_the_setting(client: Client) -> None:
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": [], "MAX_PAGE_SIZE": 5}):
        assert client.get("/api/teams/?page_size=5").status_code == 200
        body = problem(client.get("/api/teams/?page_size=6"), 400)
        assert body["errors"] == {"page_size": ["A page holds at most 5 items."]}
    assert client.get("/api/teams/?page_size=6").status_code == 200


def test_a_bound_the_field_declares_is_kept() -> None:
    fields: Any = message_serializer_class(GetWidePage)().fields
    assert (fields["page_size"].min_value, fields["page_size"].max_value) == (1, 500)


def test_fields_of_a_message_that_returns_no_page_are_left_alone() -> None:
    fields: Any = message_serializer_class(GetSlot)().fields
    assert fields["page"].min_value < 0  # only the int64 range every int field has


@pytest.mark.parametrize(
    "url",
    [
        "/api/users/?page=0",
        "/api/users/?page=-1",
        "/api/users/?page_size=-1",
        "/api/users/?page_size=100000",
        "/api/products/?category_id=1&page=0",
        "/api/products/?category_id=1&page_size=100000",
    ],
)
@pytest.mark.urls("example_project.urls")
def test_the_example_projects_lists_refuse_bad_pages(
    client: Client, default_stack: None, url: str
) -> None:
    body = problem(client.get(url), 400)
    assert set(body["errors"]) <= {"page", "page_size"}
