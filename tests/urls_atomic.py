"""A cached query and a command over HTTP, for the tests of the cache under ATOMIC_REQUESTS."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path

from django_functionalkit import (
    Cacheable,
    Command,
    InvalidatesCache,
    Query,
    Result,
    Success,
    messenger,
)
from django_functionalkit.errors import Error

CALLS: list[str] = []


@dataclass(frozen=True)
class ListTeams(Query[list[str]], Cacheable):
    cache_key = "teams"


@dataclass(frozen=True)
class CreateTeam(Command[Result[int, Error]], InvalidatesCache):
    name: str
    invalidates_keys = ("teams",)


def list_teams(query: ListTeams) -> list[str]:
    CALLS.append("list_teams")
    return sorted(Group.objects.values_list("name", flat=True))


def create_team(command: CreateTeam) -> Result[int, Error]:
    return Success(Group.objects.create(name=command.name).pk)


def teams(request: HttpRequest) -> JsonResponse:
    """GET: the cached list (``phantom``: after a write of its own; ``rollback``: then rolled
    back). POST: create a team, then list them in the same transaction."""
    if request.method == "POST":
        messenger.send(CreateTeam(request.POST["name"]))
    if "phantom" in request.GET:
        Group.objects.create(name="phantom")  # not through a command
    names = messenger.query(ListTeams())
    atomic = connection.in_atomic_block
    if "rollback" in request.GET:
        transaction.set_rollback(True)
    return JsonResponse({"teams": names, "atomic": atomic})


urlpatterns = [path("teams/", teams)]
