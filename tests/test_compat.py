"""The private APIs of other packages the library reads, each against the installed package.

An upgrade of asyncio, Django, asgiref or drf-spectacular that moves one fails here, by name
(see ``django_functionalkit/compat.py`` and ``django_functionalkit/rest/compat.py``).
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest
from asgiref.sync import ThreadSensitiveContext, async_to_sync, sync_to_async
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.urls import path
from django.utils.functional import SimpleLazyObject
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from rest_framework import generics, serializers

from django_functionalkit import compat
from django_functionalkit.rest.compat import AutoSchemaHooks

# -- asyncio ------------------------------------------------------------------------------------


def test_running_loop_is_none_outside_a_loop_and_the_loop_inside() -> None:
    assert compat.running_loop() is None

    async def inside() -> bool:
        return compat.running_loop() is asyncio.get_running_loop()

    assert asyncio.run(inside())


# -- asgiref ------------------------------------------------------------------------------------


def test_thread_sensitive_context_is_the_one_entered() -> None:
    async def outside() -> object | None:
        return compat.thread_sensitive_context()

    async def inside() -> tuple[object | None, object]:
        async with ThreadSensitiveContext() as entered:
            return compat.thread_sensitive_context(), entered

    assert asyncio.run(outside()) is None
    found, entered = asyncio.run(inside())
    assert found is entered


# -- Django: transactions -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_tests_atomic_block_is_not_the_codes_own() -> None:
    assert connection.in_atomic_block  # pytest-django's block around the test
    assert not compat.has_own_atomic_block(connection)
    with transaction.atomic():
        assert compat.has_own_atomic_block(connection)


@pytest.mark.django_db(transaction=True)
def test_outside_a_test_transaction_any_block_is_the_codes_own() -> None:
    with transaction.atomic():
        assert compat.has_own_atomic_block(connection)


@pytest.mark.django_db
def test_commit_callbacks_lists_what_waits_for_the_commit() -> None:
    def after() -> None:
        pass

    assert after not in compat.commit_callbacks(connection)
    with transaction.atomic():
        transaction.on_commit(after)
        assert after in compat.commit_callbacks(connection)


# -- Django: lazy objects -----------------------------------------------------------------------


def test_a_lazy_object_is_read_without_loading_it_and_loaded_on_demand() -> None:
    loads: list[int] = []

    def load() -> str:
        loads.append(1)
        return "alan"

    lazy = SimpleLazyObject(load)
    assert compat.lazy_wrapped(lazy) is compat.UNLOADED
    assert loads == []
    assert compat.load_lazy(lazy) == "alan"
    assert compat.lazy_wrapped(lazy) == "alan"
    assert compat.load_lazy(lazy) == "alan"
    assert loads == [1]


def test_a_lazy_object_loads_on_the_database_thread() -> None:
    """As ``MessageContext.aactor`` loads it: ``sync_to_async`` of ``load_lazy``."""
    lazy = SimpleLazyObject(lambda: "grace")

    async def load() -> Any:
        return await sync_to_async(compat.load_lazy, thread_sensitive=True)(lazy)

    assert async_to_sync(load)() == "grace"


# -- drf-spectacular ----------------------------------------------------------------------------


class Item(serializers.Serializer):  # type: ignore[type-arg]
    count = serializers.IntegerField(min_value=2)


class Marking(AutoSchemaHooks):
    """Overrides every public hook: the schema shows drf-spectacular called each."""

    def is_list_view(self, serializer: Any = None) -> bool:
        return super().is_list_view(serializer) and not isinstance(self.view, NotAList)

    def map_serializer_field(
        self, field: Any, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        return {**super().map_serializer_field(field, direction, bypass_extensions), "x-mapped": 1}

    def insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        super().insert_field_validators(field, schema)
        schema["x-validated"] = schema.get("minimum")


class Items(generics.ListAPIView):  # type: ignore[type-arg]
    serializer_class = Item
    queryset = Group.objects.none()
    pagination_class = None
    schema = Marking()


class NotAList(Items):
    schema = Marking()


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    generator = SchemaGenerator(
        patterns=[path("items/", Items.as_view()), path("one/", NotAList.as_view())]
    )
    found: dict[str, Any] = generator.get_schema(request=None, public=True)
    return found


def _response(schema: dict[str, Any], url: str) -> dict[str, Any]:
    found: dict[str, Any] = schema["paths"][url]["get"]["responses"]["200"]["content"]
    return found["application/json"]["schema"]  # type: ignore[no-any-return]


def test_is_list_view_decides_whether_a_response_is_a_list(schema: dict[str, Any]) -> None:
    assert _response(schema, "/items/")["type"] == "array"
    assert _response(schema, "/one/") == {"$ref": "#/components/schemas/Item"}


def test_field_hooks_map_each_field_and_add_its_validators(schema: dict[str, Any]) -> None:
    count = schema["components"]["schemas"]["Item"]["properties"]["count"]
    assert count == {"type": "integer", "minimum": 2, "x-mapped": 1, "x-validated": 2}


def test_map_serializer_gives_a_serializers_properties() -> None:
    view = Items()
    view.request = None  # type: ignore[assignment]  # as drf-spectacular builds views
    hooks = AutoSchemaHooks()
    hooks.view = view
    mapped = hooks.map_serializer(Item(), "request")
    assert mapped["properties"]["count"]["minimum"] == 2
    assert mapped["required"] == ["count"]


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("_map_serializer", ("serializer", "direction", "bypass_extensions")),
        ("_is_list_view", ("serializer",)),
        ("_map_serializer_field", ("field", "direction", "bypass_extensions")),
        ("_insert_field_validators", ("field", "schema")),
    ],
)
def test_the_private_hooks_keep_their_signatures(name: str, arguments: tuple[str, ...]) -> None:
    """``AutoSchemaHooks`` overrides three of them: a renamed parameter would go unnoticed."""
    parameters = list(inspect.signature(getattr(AutoSchema, name)).parameters)
    assert tuple(parameters[1:]) == arguments


@pytest.mark.parametrize(
    ("level", "name"),
    [(1, "READ_UNCOMMITTED"), (2, "READ_COMMITTED"), (3, "REPEATABLE_READ"), (4, "SERIALIZABLE")],
)
def test_postgresql_isolation_levels_are_named_as_django_reads_them(level: int, name: str) -> None:
    import psycopg  # the driver installed here: psycopg 3, whose numbers these are

    assert psycopg.IsolationLevel(level).name == name
    assert compat.postgresql_isolation_level(level) == name
    assert compat.postgresql_isolation_level(psycopg.IsolationLevel(level)) == name
