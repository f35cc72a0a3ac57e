"""The query cache under ATOMIC_REQUESTS, through HTTP: every request is a transaction.

A GET hits the cache; an entry filled in a request that rolls back never stays; a query after a
command in the same request sees what the command wrote.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.test import Client

from django_functionalkit.registry import make_spec, registry
from tests import urls_atomic
from tests.urls_atomic import CALLS

pytestmark = [
    pytest.mark.django_db(transaction=True),  # each request's transaction really commits
    pytest.mark.urls("tests.urls_atomic"),
    pytest.mark.usefixtures("default_stack", "restore_registry"),
]


@pytest.fixture(autouse=True)
def atomic_requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """ATOMIC_REQUESTS on for default, read by Django's handler at each request."""
    monkeypatch.setitem(connections["default"].settings_dict, "ATOMIC_REQUESTS", True)
    for target in (urls_atomic.list_teams, urls_atomic.create_team):
        registry.register(make_spec(target))
    CALLS.clear()
    Group.objects.create(name="a")
    yield
    CALLS.clear()


def get(client: Client, query: str = "") -> list[str]:
    response = client.get(f"/teams/{query}")
    assert response.status_code == 200
    assert response.json()["atomic"]  # the view ran in the request's transaction
    teams: list[str] = response.json()["teams"]
    return teams


def test_a_get_hits_the_cache(client: Client) -> None:
    assert get(client) == ["a"]
    assert get(client) == ["a"]
    assert len(CALLS) == 1


def test_an_entry_filled_in_a_request_that_rolls_back_never_stays(client: Client) -> None:
    assert get(client, "?phantom&rollback") == ["a", "phantom"]  # its own, uncommitted row
    assert get(client) == ["a"]  # computed again: the rolled-back entry was never stored
    assert get(client) == ["a"]  # and this one, committed, was
    assert len(CALLS) == 2


def test_a_query_after_a_command_in_the_request_sees_its_write(client: Client) -> None:
    assert get(client) == ["a"]
    response = client.post("/teams/", {"name": "b"})
    assert response.json() == {"teams": ["a", "b"], "atomic": True}
    assert get(client) == ["a", "b"]  # invalidated when the request committed
    assert len(CALLS) == 3


def test_a_command_that_rolls_back_leaves_the_entry_as_it_was(client: Client) -> None:
    assert get(client) == ["a"]
    response = client.post("/teams/?rollback", {"name": "b"})
    assert response.json()["teams"] == ["a", "b"]
    assert get(client) == ["a"]  # a hit: the invalidation went with the rollback
    assert len(CALLS) == 2
