"""Input an attacker sends a message view, found in a review of issue 9: never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.urls import path
from rest_framework.test import APIClient

from django_functionalkit import Command, handler
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
