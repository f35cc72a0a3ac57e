"""What the package works out once is forgotten when settings or registrations change.

Every module-level cache is a ``memos.memo()``: a message's serializers, whether its handler
returns a ``Result``, which cache methods a backend implements.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.cache.backends.locmem import LocMemCache
from django.test import override_settings

from django_functionalkit import PagedResult, Query, Result, Success
from django_functionalkit.behaviors.caching.queries import _async_call
from django_functionalkit.declarations import returns_result
from django_functionalkit.memos import memo
from django_functionalkit.rest import message_serializer_class
from django_functionalkit.rest.schema import request_serializer_class
from django_functionalkit.testing import override_handler


@dataclass(frozen=True)
class ListBooks(Query[PagedResult[str]]):
    page: int = 1
    page_size: int = 10


def test_a_memo_is_emptied_by_a_settings_change_and_a_registration() -> None:
    remembered: dict[str, int] = memo()
    remembered["answer"] = 42
    with override_settings(FUNCTIONALKIT={"MAX_PAGE_SIZE": 5}):
        assert remembered == {}
    remembered["answer"] = 42
    with override_handler(ListBooks, lambda query: None):
        assert remembered == {}


@pytest.mark.parametrize(
    "serializer_class",
    [message_serializer_class, request_serializer_class],
    ids=["view", "schema's request body"],
)
def test_a_serializer_follows_the_page_size_setting(serializer_class: Any) -> None:
    def largest_page() -> Any:
        return serializer_class(ListBooks)().fields["page_size"].max_value

    assert largest_page() == 100
    with override_settings(FUNCTIONALKIT={"MAX_PAGE_SIZE": 5}):
        assert largest_page() == 5
    assert largest_page() == 100


@dataclass(frozen=True)
class AskedEarly(Query["LaterResult"]):  # a name defined later, by the test
    """Declares its result by a name its module defines further down."""


def test_whether_a_handler_returns_a_result_is_decided_again_after_registration() -> None:
    assert not returns_result(AskedEarly)  # the name does not exist yet
    globals()["LaterResult"] = Result[int, str]
    try:
        with override_handler(AskedEarly, lambda query: Success(1)):
            assert returns_result(AskedEarly)
    finally:
        del globals()["LaterResult"]


def test_a_cache_backends_own_async_methods_are_found_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = LocMemCache("memos", {})
    seen: list[str] = []

    async def native_get(
        self: LocMemCache, key: str, default: Any = None, version: Any = None
    ) -> Any:
        seen.append(key)
        return self.get(key, default, version)

    async def get(key: str) -> Any:
        return await _async_call(cache, "get", key)

    async_to_sync(get)("before")  # Django's fallback: a hop to the sync method
    monkeypatch.setattr(LocMemCache, "aget", native_get)
    with override_settings(FUNCTIONALKIT={"CACHE_VERSION": 2}):
        async_to_sync(get)("after")
    assert seen == ["after"]
