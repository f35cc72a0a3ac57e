"""Query, Command and Notification: base classes for frozen dataclasses and plain classes."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass
from typing import ClassVar

import pytest

from django_functionalkit import (
    Command,
    Messenger,
    Notification,
    Query,
    Result,
    Success,
    Unit,
    unit,
)
from django_functionalkit.messages import kind_of
from django_functionalkit.registry import Registry, make_spec


@dataclass(frozen=True)
class GetPrice(Query[Result[int, str]]):
    product_id: int


@dataclass(frozen=True)
class ArchiveProduct(Command[Unit]):
    product_id: int


@dataclass(frozen=True)
class ProductArchived(Notification):
    product_id: int


@dataclass(frozen=True, slots=True)
class GetStock(Query[int]):
    product_id: int


@dataclass(frozen=True)
class TagProducts(Command[list[str]]):
    """Holds unhashable fields: a message is never hashed."""

    tags: list[str]
    filters: dict[str, str]


@dataclass(frozen=True)
class ProductsTagged(Notification):
    tags: list[str]


class Cached:
    """A marker mixin with an option, as the design's Cacheable: not a constructor field."""

    cache_timeout = 60


@dataclass(frozen=True)
class GetCatalog(Query[list[str]], Cached):
    page: int
    per_page: ClassVar[int] = 20


class PlainQuery(Query[str]):
    """A plain class, not a dataclass."""

    def __init__(self, text: str) -> None:
        self.text = text


class PlainNotification(Notification):
    def __init__(self, text: str) -> None:
        self.text = text


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        (GetPrice(1), "query"),
        (ArchiveProduct(1), "command"),
        (ProductArchived(1), "notification"),
        (GetStock(1), "query"),
        (PlainQuery("x"), "query"),
        (PlainNotification("x"), "notification"),
    ],
)
def test_every_message_says_its_kind_on_the_class_and_the_instance(
    message: object, kind: str
) -> None:
    assert message.kind == kind  # type: ignore[attr-defined]
    assert type(message).kind == kind  # type: ignore[attr-defined]
    assert kind_of(type(message)) == kind


@pytest.mark.parametrize("not_a_message", [int, str, object, Cached, 3, "GetPrice", None])
def test_kind_of_anything_that_is_not_a_message_class_is_none(not_a_message: object) -> None:
    assert kind_of(not_a_message) is None


def test_frozen_dataclass_messages_keep_their_own_fields_only() -> None:
    assert [f.name for f in dataclasses.fields(GetPrice)] == ["product_id"]
    assert [f.name for f in dataclasses.fields(GetCatalog)] == ["page"]
    assert GetCatalog(2).cache_timeout == 60
    assert GetCatalog(2).per_page == 20
    with pytest.raises(TypeError):
        GetPrice(1, kind="command")  # type: ignore[call-arg]


def test_frozen_dataclass_messages_are_values() -> None:
    assert GetPrice(1) == GetPrice(1)
    assert GetPrice(1) != GetPrice(2)
    assert repr(ArchiveProduct(4)) == "ArchiveProduct(product_id=4)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        GetPrice(1).product_id = 2  # type: ignore[misc]


def test_slots_dataclass_messages_have_no_instance_dict() -> None:
    stock = GetStock(3)
    assert not hasattr(stock, "__dict__")
    assert stock.kind == "query"


def test_messages_pickle_round_trip() -> None:
    for message in (GetPrice(1), ArchiveProduct(2), ProductArchived(3), GetStock(4)):
        assert pickle.loads(pickle.dumps(message)) == message  # noqa: S301 - our own data


def test_a_message_with_unhashable_fields_dispatches_without_being_hashed() -> None:
    with pytest.raises(TypeError):
        hash(TagProducts(["a"], {}))
    registry = Registry()
    heard: list[ProductsTagged] = []

    def tag_products(command: TagProducts) -> list[str]:
        return sorted(command.tags)

    def on_tagged(event: ProductsTagged) -> None:
        heard.append(event)

    registry.register(make_spec(tag_products))
    registry.register(make_spec(on_tagged))
    messenger = Messenger(registry)
    assert messenger.send(TagProducts(["b", "a"], {"shop": "x"})) == ["a", "b"]
    messenger.publish(ProductsTagged(["a"]))
    assert heard == [ProductsTagged(["a"])]


async def test_a_message_with_unhashable_fields_dispatches_on_the_async_path_too() -> None:
    registry = Registry()

    def tag_products(command: TagProducts) -> list[str]:
        return sorted(command.tags)

    registry.register(make_spec(tag_products))
    assert await Messenger(registry).asend(TagProducts(["b", "a"], {})) == ["a", "b"]


def test_a_command_with_nothing_to_return_gives_unit() -> None:
    registry = Registry()
    archived: list[int] = []

    def archive(command: ArchiveProduct) -> Unit:
        archived.append(command.product_id)
        return unit

    registry.register(make_spec(archive))
    assert Messenger(registry).send(ArchiveProduct(9)) is unit
    assert archived == [9]


def test_the_result_type_of_a_query_is_what_its_handler_returns() -> None:
    registry = Registry()

    def get_price(query: GetPrice) -> Result[int, str]:
        return Success(query.product_id * 100)

    registry.register(make_spec(get_price))
    assert Messenger(registry).query(GetPrice(3)) == Success(300)


def test_a_field_named_kind_is_refused_clearly_when_the_class_is_defined() -> None:
    """``kind`` says what a message is; a field of that name would hide it from the messenger."""
    with pytest.raises(TypeError, match="Reacted defines `kind`"):

        @dataclass(frozen=True)
        class Reacted(Notification):
            kind: str = "like"

    with pytest.raises(TypeError, match="Rated defines `kind`"):

        @dataclass(frozen=True)
        class Rated(Notification):
            kind: str  # without a default too
