"""Marker options are no request input in any way a client sends them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import User
from django.urls import path
from rest_framework.test import APIClient

from django_functionalkit import Cacheable, Command, Query, RequiresAuthorization, Unit, unit
from django_functionalkit.registry import make_spec
from django_functionalkit.rest import MessageAPIView
from django_functionalkit.testing import isolated_handlers

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls(__name__),
    pytest.mark.usefixtures("default_stack"),
]


@dataclass(frozen=True)
class GetCatalog(Query[str], Cacheable):
    cache_key: str = "catalog"  # E007: a marker option written as a field


class CatalogView(MessageAPIView):
    messages = {"get": GetCatalog}  # noqa: RUF012 - as users write it


@dataclass(frozen=True)
class ReturnBook(Command[Unit], RequiresAuthorization):
    book_id: int
    required_permissions: list[str] = field(default_factory=lambda: ["auth.delete_user"])


@dataclass(frozen=True)
class LibrarianOnly(RequiresAuthorization):
    """A dataclass base of the user's own declaring the option as a field."""

    required_roles: tuple[str, ...] = ("Librarian",)


@dataclass(frozen=True)
class RenewLoan(LibrarianOnly, Command[Unit]):
    loan_id: int = 0


@dataclass(frozen=True)
class TagBook(Command[Unit]):
    """No RequiresAuthorization: a field of that name is the message's data, read by nobody."""

    required_roles: tuple[str, ...] = ()


def post_view(message_type: type) -> object:
    return type("View", (MessageAPIView,), {"messages": {"post": message_type}}).as_view()


urlpatterns = [
    path("catalog/", CatalogView.as_view()),
    *(path(f"{t.__name__.lower()}/", post_view(t)) for t in (ReturnBook, RenewLoan, TagBook)),
]


@pytest.fixture(autouse=True)
def handlers() -> Iterator[None]:
    with isolated_handlers() as registry:
        registry.register(make_spec(lambda query: "the catalog", message_type=GetCatalog))
        for message_type in (ReturnBook, RenewLoan, TagBook):
            registry.register(make_spec(lambda command: unit, message_type=message_type))
        yield


def test_a_marker_option_given_twice_in_the_query_string_is_ignored_too() -> None:
    """Not "give this parameter once": a client cannot even tell the option is there."""
    response = APIClient().get("/catalog/?cache_key=a&cache_key=b")
    assert response.status_code == 200
    assert response.json() == "the catalog"


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/returnbook/", {"book_id": 1, "required_permissions": []}),
        ("/renewloan/", {"loan_id": 1, "required_roles": []}),
    ],
    ids=["default_factory", "a dataclass base"],
)
def test_marker_options_declared_as_fields_in_other_ways_stay_the_messages(
    url: str, body: dict[str, object]
) -> None:
    client = APIClient()
    client.force_authenticate(User.objects.create_user("reader"))
    assert client.post(url, body, "json").status_code == 403


def test_a_field_named_like_an_option_of_a_marker_the_message_lacks_is_its_data() -> None:
    assert APIClient().post("/tagbook/", {"required_roles": ["x"]}, "json").status_code == 204
