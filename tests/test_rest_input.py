"""What a message view accepts: the constraints a message declares in its types, and integers
no wider than a database's BIGINT, enforced over HTTP and published in the OpenAPI schema."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, ClassVar

import pytest
from annotated_types import Ge, Gt, Interval, Le, Len, Lt, MaxLen, MinLen, MultipleOf
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from django_functionalkit import Command, Pattern, Query, Result, Success, handler
from django_functionalkit.errors import Error
from django_functionalkit.messages import Message
from django_functionalkit.rest import MessageAPIView, message_serializer
from django_functionalkit.testing import isolated_handlers
from example_project.catalog.models import Category, Product
from tests.problems import problem

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class FindBooks(Query[dict[str, Any]]):
    """Books by their title, a page at a time."""

    title: Annotated[str, MinLen(1), MaxLen(20)]
    isbn: Annotated[str, Pattern(r"^\d{13}$")] | None = None
    page: Annotated[int, Ge(1)] = 1
    page_size: Annotated[int, Interval(ge=1, le=100)] = 20
    rating: Annotated[float, Gt(0), Lt(5)] = 1.0
    tags: Annotated[list[Annotated[str, Len(1, 5)]], MaxLen(3)] = field(default_factory=list)
    shelf: Annotated[int, Gt(0), Lt(10)] | None = None


@dataclass(frozen=True)
class StockBook(Command[Result[int, Error]]):
    """Put ``copies`` of a book on the shelves: a row with a 32-bit column."""

    name: str
    copies: Annotated[int, Ge(0), Le(2**31 - 1)]  # PositiveIntegerField: 32 bits in PostgreSQL
    price: Annotated[Decimal, Gt(0)] = Decimal(1)


@dataclass(frozen=True)
class ShelveBook(Command[Result[int, Error]]):
    """The same write, with ``copies`` declared as a plain ``int``."""

    name: str
    copies: int
    shelves: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class CountCopies(Query[int]):
    copies: int


def find_books(query: FindBooks) -> dict[str, Any]:
    return {"title": query.title, "page_size": query.page_size, "tags": query.tags}


def stock(name: str, copies: int) -> Result[int, Error]:
    category, _ = Category.objects.get_or_create(name="Books")
    product = Product.objects.create(name=name, price=1, stock=copies, category=category)
    return Success(product.pk)


def stock_book(command: StockBook) -> Result[int, Error]:
    return stock(command.name, command.copies)


def shelve_book(command: ShelveBook) -> Result[int, Error]:
    return stock(command.name, command.copies)


def count_copies(query: CountCopies) -> int:
    return Product.objects.filter(stock=query.copies).count()


class BooksView(MessageAPIView):
    messages: ClassVar[dict[str, type[Message]]] = {"get": FindBooks, "post": StockBook}


class ShelvesView(MessageAPIView):
    messages: ClassVar[dict[str, type[Message]]] = {"get": CountCopies, "post": ShelveBook}


urlpatterns = [path("books/", BooksView.as_view()), path("shelves/", ShelvesView.as_view())]


@pytest.fixture(autouse=True)
def handlers() -> Iterator[None]:
    with isolated_handlers():
        for function in (find_books, stock_book, shelve_book, count_copies):
            handler(function)
        yield


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    generated: dict[str, Any] = SchemaGenerator(patterns=urlpatterns).get_schema(public=True)
    validate_schema(generated)
    return generated


# -- constraints declared in the type, enforced --------------------------------------------------


def test_a_query_string_within_the_declared_constraints_is_served(api: APIClient) -> None:
    response = api.get("/books/?title=Dune&page_size=100&tags=sf&tags=novel&rating=4.9&shelf=9")
    assert response.status_code == 200, response.content
    assert response.json() == {"title": "Dune", "page_size": 100, "tags": ["sf", "novel"]}


def test_every_broken_constraint_is_a_field_error_in_one_400(api: APIClient) -> None:
    query = (
        "title=" + "x" * 21 + "&isbn=97801&page=0&page_size=101&rating=5&shelf=0"
        "&tags=a&tags=toolong&tags=b&tags=c"
    )
    body = problem(api.get(f"/books/?{query}"), 400)
    assert body["errors"] == {
        "title": ["Ensure this field has no more than 20 characters."],
        "isbn": ["Enter a valid value."],
        "page": ["Ensure this value is greater than or equal to 1."],
        "page_size": ["Ensure this value is less than or equal to 100."],
        "rating": ["Ensure this value is less than 5."],
        "shelf": ["Ensure this value is greater than or equal to 1."],
        "tags.1": ["Ensure this field has no more than 5 characters."],
    }
    body = problem(api.get("/books/?title=Dune&tags=a&tags=b&tags=c&tags=d&rating=0"), 400)
    assert body["errors"] == {
        "tags": ["Ensure this field has no more than 3 elements."],
        "rating": ["Ensure this value is greater than 0."],
    }


def test_blank_text_is_refused_where_the_type_forbids_it(api: APIClient) -> None:
    body = problem(api.get("/books/?title=&isbn="), 400)
    assert body["errors"] == {
        "title": ["This field may not be blank."],
        "isbn": ["This field may not be blank."],
    }


def test_a_body_is_held_to_the_same_constraints(api: APIClient) -> None:
    body = problem(api.post("/books/", {"name": "Dune", "copies": -1, "price": "0"}, "json"), 400)
    assert body["errors"] == {
        "copies": ["Ensure this value is greater than or equal to 0."],
        "price": ["Ensure this value is greater than 0."],
    }
    assert not Product.objects.exists()
    response = api.post("/books/", {"name": "Dune", "copies": 2**31 - 1}, "json")
    assert response.status_code == 201, response.content
    assert Product.objects.get().stock == 2**31 - 1


def test_an_optional_constrained_field_takes_null_and_a_valid_value() -> None:
    serializer = message_serializer(FindBooks, data={"title": "Dune", "isbn": None})
    assert serializer.is_valid(), serializer.errors
    serializer = message_serializer(FindBooks, data={"title": "Dune", "isbn": "9780441013593"})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data.isbn == "9780441013593"


def test_serializer_kwargs_win_over_the_type() -> None:
    @dataclass(frozen=True)
    class Pick(Query[int]):
        n: Annotated[int, Le(5)] = field(metadata={"serializer_kwargs": {"max_value": 9}})

    assert message_serializer(Pick, data={"n": 9}).is_valid()
    assert not message_serializer(Pick, data={"n": 10}).is_valid()


def test_a_constraint_that_cannot_be_enforced_is_an_error_not_ignored() -> None:
    @dataclass(frozen=True)
    class Odd(Query[int]):
        n: Annotated[int, MultipleOf(2)]

    @dataclass(frozen=True)
    class Misplaced(Query[int]):
        n: Annotated[int, Pattern(r"^\d+$")]

    for message_type in (Odd, Misplaced):
        with pytest.raises(TypeError, match="n"):
            message_serializer(message_type, data={"n": 2})


def test_a_pattern_fails_where_it_is_declared() -> None:
    import re

    with pytest.raises(re.error):
        Pattern("[unclosed")


# -- constraints published in the schema ---------------------------------------------------------


def parameter(schema: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = (p for p in schema["paths"]["/books/"]["get"]["parameters"] if p["name"] == name)
    return found["schema"]  # type: ignore[no-any-return]


def test_the_schema_publishes_the_declared_constraints(schema: dict[str, Any]) -> None:
    assert parameter(schema, "title") == {"type": "string", "minLength": 1, "maxLength": 20}
    assert parameter(schema, "isbn") == {"type": "string", "pattern": r"^\d{13}$"}
    assert parameter(schema, "page_size") == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 20,
    }
    assert parameter(schema, "rating") == {
        "type": "number",
        "format": "double",
        "minimum": 0,
        "exclusiveMinimum": True,
        "maximum": 5,
        "exclusiveMaximum": True,
        "default": 1.0,
    }
    assert parameter(schema, "tags") == {
        "type": "array",
        "items": {"type": "string", "minLength": 1, "maxLength": 5},
        "maxItems": 3,
    }
    assert parameter(schema, "shelf") == {"type": "integer", "minimum": 1, "maximum": 9}
    body = schema["components"]["schemas"]["StockBookRequest"]["properties"]
    assert body["copies"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}


# -- integers no wider than a BIGINT -------------------------------------------------------------


@pytest.mark.parametrize("copies", [99999999999999999999, INT64_MAX + 1, INT64_MIN - 1])
def test_an_integer_out_of_range_is_a_400_not_a_database_error(api: APIClient, copies: int) -> None:
    body = problem(api.post("/shelves/", {"name": "Dune", "copies": copies}, "json"), 400)
    assert set(body["errors"]) == {"copies"}
    assert not Product.objects.exists()
    body = problem(api.get(f"/shelves/?copies={copies}"), 400)
    assert set(body["errors"]) == {"copies"}


def test_the_items_of_an_int_list_are_bounded_too(api: APIClient) -> None:
    data = {"name": "Dune", "copies": 1, "shelves": [1, 2**64]}
    body = problem(api.post("/shelves/", data, "json"), 400)
    assert body["errors"] == {
        "shelves.1": [f"Ensure this value is less than or equal to {INT64_MAX}."]
    }


def test_the_values_of_a_mapping_are_bounded_and_constrained() -> None:
    @dataclass(frozen=True)
    class Scores(Query[int]):
        counts: dict[str, int]
        scores: dict[str, Annotated[int, Ge(0)]]

    serializer = message_serializer(Scores, data={"counts": {"a": 2**64}, "scores": {"x": -1}})
    assert not serializer.is_valid()
    assert set(serializer.errors) == {"counts", "scores"}

    @dataclass(frozen=True)
    class Sized(Query[int]):
        scores: Annotated[dict[str, int], MaxLen(3)]

    with pytest.raises(TypeError, match="MaxLen"):
        message_serializer(Sized, data={})


def test_the_64_bit_bounds_are_accepted() -> None:
    for copies in (INT64_MIN, INT64_MAX):
        serializer = message_serializer(ShelveBook, data={"name": "Dune", "copies": copies})
        assert serializer.is_valid(), serializer.errors


def test_the_schema_publishes_the_64_bit_bounds(schema: dict[str, Any]) -> None:
    int64 = {"type": "integer", "format": "int64", "minimum": INT64_MIN, "maximum": INT64_MAX}
    body = schema["components"]["schemas"]["ShelveBookRequest"]["properties"]
    assert body["copies"] == int64
    assert body["shelves"] == {"type": "array", "items": int64}
    (copies,) = schema["paths"]["/shelves/"]["get"]["parameters"]
    assert copies["schema"] == int64
