"""Custom actions of a MessageViewSet, as docs/views.md ("Actions of your own") tells them.

The page's own sample runs in tests/test_docs.py (201 with Location, a 400 before the handler,
the result serializer, the schema); here, what the page says around it: the key of an action is
its method's name whatever its URL, an action that calls ``handle_message`` without an entry is
a 500, and an entry no route reaches is ``functionalkit.E009`` in the words the page shows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, override_settings
from django.urls import include, path
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.routers import SimpleRouter

from django_functionalkit import Command, Query, Result, Success, handler
from django_functionalkit.messages import Message
from django_functionalkit.rest import MessageViewSet
from django_functionalkit.testing import isolated_handlers

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class CountShelves(Query[int]):
    floor: int = 0


@dataclass(frozen=True)
class ReturnBook(Command[Result[int, str]]):
    book_id: int


class ShelfViewSet(MessageViewSet):
    messages: ClassVar[dict[str, type[Message]]] = {
        "count": CountShelves,  # reached at /shelves/how-many/: the key is the method's name
        "return_book": ReturnBook,  # no @action of that name: never reached
    }
    url_fields: ClassVar[dict[str, str]] = {"pk": "book_id"}

    @action(detail=False, url_path="how-many")
    def count(self, request: Request) -> Any:
        return self.handle_message(request)

    @action(detail=True, methods=["post"])
    def renew(self, request: Request, pk: str) -> Any:
        return self.handle_message(request, pk=pk)  # no entry in messages


router = SimpleRouter()
router.register("shelves", ShelfViewSet, basename="shelf")
urlpatterns = [path("api/", include(router.urls))]


@pytest.fixture(autouse=True)
def _handlers() -> Any:
    with isolated_handlers():

        @handler
        def count_shelves(query: CountShelves) -> int:
            return 3 + query.floor

        @handler
        def return_book(command: ReturnBook) -> Result[int, str]:
            return Success(command.book_id)

        yield


@override_settings(ROOT_URLCONF=__name__)
def test_the_key_of_an_action_is_its_methods_name_whatever_its_url() -> None:
    assert Client().get("/api/shelves/how-many/", {"floor": "2"}).json() == 5


@override_settings(ROOT_URLCONF=__name__)
def test_an_action_without_an_entry_in_messages_is_a_500() -> None:
    response = Client(raise_request_exception=False).post(
        "/api/shelves/1/renew/", {}, content_type="application/json"
    )
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"


@override_settings(ROOT_URLCONF=__name__)
def test_an_entry_no_route_reaches_is_e009_as_the_page_shows_it() -> None:
    out = io.StringIO()
    with pytest.raises(SystemCheckError) as excinfo:
        call_command("check", stdout=out, stderr=out)
    report = " ".join(str(excinfo.value).split())
    name = f"{__name__}.ShelfViewSet"
    assert (
        f"{name}: (functionalkit.E009) {name}.messages maps 'return_book' to "
        f"{__name__}.ReturnBook, but no route reaches that action (routed: count, renew)."
    ) in report
    assert (
        "HINT: Name a standard action (list, create, retrieve, update, partial_update, destroy) "
        "or an @action of the viewset, or route the action."
    ) in report
