"""Marker options are never request input, even written as dataclass fields (with an annotation).

Each message here declares one marker option the way a new user might, as an annotated field;
a client that sends that option in the query string or the body changes nothing: the 403 stays,
the cache key, per-user entry, tags, timeout and alias stay the message's, and a command still
invalidates what it declares. ``manage.py check`` names such a message (E007).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from rest_framework.routers import SimpleRouter
from rest_framework.test import APIClient

from django_functionalkit import (
    Cacheable,
    Command,
    InvalidatesCache,
    Query,
    RequiresAuthorization,
    Unit,
    current_context,
    unit,
)
from django_functionalkit.markers import marker_options
from django_functionalkit.messages import Message
from django_functionalkit.registry import make_spec
from django_functionalkit.rest import MessageAPIView, MessageViewSet, message_serializer_class
from django_functionalkit.testing import isolated_handlers
from tests.problems import problem

# Real commits (the cache is skipped inside a transaction) and the default stack of behaviors.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls(__name__),
    pytest.mark.usefixtures("default_stack"),
]

CALLS: list[str] = []  # the queries whose handler ran, in order


# -- authorization ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BorrowBook(Command[Unit], RequiresAuthorization):
    book_id: int
    required_roles: tuple[str, ...] = ("Librarian",)


@dataclass(frozen=True)
class ReturnBook(Command[Unit], RequiresAuthorization):
    book_id: int
    required_permissions: tuple[str, ...] = ("auth.delete_user",)


# -- caching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GetReport(Query[str], Cacheable):
    """Another query's entry, under the key ``report``."""

    cache_key = "report"


@dataclass(frozen=True)
class GetCatalog(Query[str], Cacheable):
    cache_key: str = "catalog"


@dataclass(frozen=True)
class GetLoans(Query[str], Cacheable):
    cache_key = "loans"
    cache_per_user: bool = True


@dataclass(frozen=True)
class GetShelf(Query[int], Cacheable):
    cache_key = "shelf"
    cache_tags: tuple[str, ...] = ("books",)


@dataclass(frozen=True)
class GetStock(Query[int], Cacheable):
    cache_key = "stock"
    cache_timeout: int = 300


@dataclass(frozen=True)
class GetAuthors(Query[int], Cacheable):
    cache_key = "authors"
    cache_alias: str = "default"


@dataclass(frozen=True)
class RelabelShelf(Command[Unit], InvalidatesCache):
    invalidates_keys: tuple[str, ...] = ("shelf",)


@dataclass(frozen=True)
class RetagBooks(Command[Unit], InvalidatesCache):
    invalidates_tags: tuple[str, ...] = ("books",)


@dataclass(frozen=True)
class MoveShelf(Command[Unit], InvalidatesCache):
    invalidates_keys = ("shelf",)
    cache_alias: str = "default"


def done(command: Any) -> Unit:
    return unit


def counted(query: Any) -> int:
    CALLS.append(type(query).__name__)
    return CALLS.count(type(query).__name__)


def get_report(query: GetReport) -> str:
    return "secret report"


def get_catalog(query: GetCatalog) -> str:
    return "the catalog"


def get_loans(query: GetLoans) -> str:
    return f"loans of {current_context().actor}"


HANDLERS: dict[type[Message], Any] = {
    BorrowBook: done,
    ReturnBook: done,
    RelabelShelf: done,
    RetagBooks: done,
    MoveShelf: done,
    GetReport: get_report,
    GetCatalog: get_catalog,
    GetLoans: get_loans,
    GetShelf: counted,
    GetStock: counted,
    GetAuthors: counted,
}


class BookViewSet(MessageViewSet):
    messages: ClassVar[dict[str, type[Message]]] = {"create": BorrowBook}


def api_view(message_type: type[Message], method: str) -> Any:
    view = type(
        f"{message_type.__name__}View", (MessageAPIView,), {"messages": {method: message_type}}
    )
    return view.as_view()


router = SimpleRouter()
router.register("books", BookViewSet, basename="book")
urlpatterns = [
    path("", include(router.urls)),
    *(
        path(f"{message_type.__name__.lower()}/", api_view(message_type, method))
        for message_type in HANDLERS
        if message_type is not BorrowBook
        for method in ["get" if issubclass(message_type, Query) else "post"]
    ),
]


@pytest.fixture(autouse=True)
def handlers() -> Iterator[None]:
    CALLS.clear()
    with isolated_handlers() as registry:
        for message_type, function in HANDLERS.items():
            registry.register(make_spec(function, message_type=message_type))
        yield


def signed_in(name: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.create_user(name, f"{name}@example.com"))
    return client


# -- one test per marker option -------------------------------------------------------------------


def test_required_roles_from_the_body_are_ignored() -> None:
    reader = signed_in("reader")
    body = problem(reader.post("/books/", {"book_id": 1, "required_roles": []}, "json"), 403)
    assert "Librarian" in body["detail"]
    librarian = User.objects.create_user("librarian")
    librarian.groups.add(Group.objects.create(name="Librarian"))
    client = APIClient()
    client.force_authenticate(librarian)
    response = client.post("/books/", {"book_id": 1, "required_roles": ["Nobody"]}, "json")
    assert response.status_code == 204  # nor can a client demand more than the message does


def test_required_permissions_from_the_body_are_ignored() -> None:
    reader = signed_in("reader")
    data = {"book_id": 1, "required_permissions": []}
    body = problem(reader.post("/returnbook/", data, "json"), 403)
    assert "auth.delete_user" in body["detail"]


def test_a_cache_key_from_the_query_string_is_ignored() -> None:
    client = APIClient()
    assert client.get("/getreport/").json() == "secret report"
    response = client.get("/getcatalog/?cache_key=report")
    assert response.json() == "the catalog"  # not another query's entry


def test_cache_per_user_from_the_query_string_is_ignored() -> None:
    assert signed_in("alice").get("/getloans/?cache_per_user=false").json() == "loans of alice"
    assert signed_in("bob").get("/getloans/?cache_per_user=false").json() == "loans of bob"


def test_cache_tags_from_the_query_string_are_ignored() -> None:
    client = APIClient()
    assert client.get("/getshelf/?cache_tags=other").json() == 1
    assert client.get("/getshelf/?cache_tags=other").json() == 1  # a hit
    assert client.post("/retagbooks/", {}, "json").status_code == 204
    assert client.get("/getshelf/?cache_tags=other").json() == 2  # the tag dropped it


def test_a_cache_timeout_from_the_query_string_is_ignored() -> None:
    client = APIClient()
    assert client.get("/getstock/?cache_timeout=0").json() == 1
    assert client.get("/getstock/?cache_timeout=0").json() == 1  # still cached


def test_a_cache_alias_from_the_query_string_is_ignored() -> None:
    client = APIClient()
    assert client.get("/getauthors/?cache_alias=nowhere").json() == 1
    assert client.get("/getauthors/?cache_alias=nowhere").json() == 1
    assert any("authors" in key for key in _keys())


def test_invalidates_keys_from_the_body_are_ignored() -> None:
    client = APIClient()
    assert client.get("/getshelf/").json() == 1
    assert client.post("/relabelshelf/", {"invalidates_keys": []}, "json").status_code == 204
    assert client.get("/getshelf/").json() == 2


def test_invalidates_tags_from_the_body_are_ignored() -> None:
    client = APIClient()
    assert client.get("/getshelf/").json() == 1
    assert client.post("/retagbooks/", {"invalidates_tags": []}, "json").status_code == 204
    assert client.get("/getshelf/").json() == 2


def test_the_cache_alias_of_a_command_from_the_body_is_ignored() -> None:
    client = APIClient()
    assert client.get("/getshelf/").json() == 1
    assert client.post("/moveshelf/", {"cache_alias": "nowhere"}, "json").status_code == 204
    assert client.get("/getshelf/").json() == 2


def _keys() -> list[str]:
    cache: Any = caches["default"]
    if hasattr(cache, "_cache"):  # the local-memory cache
        return [str(key) for key in cache._cache]
    return [key.decode() for key in cache.client.get_client().keys("*")]


# -- the serializer, the schema and the check -----------------------------------------------------


def test_marker_options_are_read_from_the_markers() -> None:
    assert marker_options(BorrowBook) == {"required_roles", "required_permissions"}
    assert marker_options(MoveShelf) == {"invalidates_keys", "invalidates_tags", "cache_alias"}
    assert {"cache_key", "cache_per_user", "cache_tags", "cache_timeout", "cache_alias"} == (
        marker_options(GetLoans)
    )


def test_the_serializer_leaves_marker_options_out_and_keeps_their_defaults() -> None:
    serializer = message_serializer_class(BorrowBook)(data={"book_id": 3, "required_roles": []})
    assert list(serializer.fields) == ["book_id"]
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == BorrowBook(3, ("Librarian",))


def test_the_schema_leaves_marker_options_out() -> None:
    schema: dict[str, Any] = SchemaGenerator(patterns=urlpatterns).get_schema(public=True)
    for message_type in HANDLERS:
        for name in marker_options(message_type):
            assert name not in str(schema["paths"]), (message_type, name)
            for component in schema["components"]["schemas"].values():
                assert name not in component.get("properties", {}), (message_type, name)
    assert list(schema["components"]["schemas"]["BorrowBookRequest"]["properties"]) == ["book_id"]


def test_e007_names_a_message_with_a_marker_option_as_a_field() -> None:
    with pytest.raises(SystemCheckError) as raised:
        call_command("check")
    report = str(raised.value)
    assert "functionalkit.E007" in report
    assert f"{__name__}.BorrowBook: (functionalkit.E007)" in report
    assert "required_roles" in report
    assert "HINT: Declare a marker option unannotated" in report
    assert f"{__name__}.GetReport:" not in report  # unannotated: no field
    assert f"{__name__}.MoveShelf" in report
