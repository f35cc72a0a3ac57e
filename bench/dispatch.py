"""Messenger dispatch against a direct call of the same handler, measured in one run.

Run with ``make bench``. Prints nanoseconds per call and the ratio to the baseline. The
budget (docs/performance.md): dispatch to a function handler with no behavior applying at most
10x a direct call, each applying no-op behavior at most 0.2 us more, publish to 3 handlers at
most 1.5 us. Figures are printed, never asserted: the machines are shared and noisy.
"""

from __future__ import annotations

import asyncio
import sys
import timeit
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import django
from django.conf import settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
settings.configure(INSTALLED_APPS=["django_functionalkit.apps.FunctionalKitSimpleConfig"])
django.setup()

from django_functionalkit import (  # noqa: E402 - Django must be set up first
    Behavior,
    Messenger,
    Notification,
    Query,
    QueryHandler,
)
from django_functionalkit.registry import Registry, make_spec  # noqa: E402

NUMBER = 200_000


@dataclass(frozen=True)
class GetUser(Query[int]):
    user_id: int


@dataclass(frozen=True)
class GetUserByClass(Query[int]):
    user_id: int


@dataclass(frozen=True)
class AGetUser(Query[int]):
    user_id: int


@dataclass(frozen=True)
class UserCreated(Notification):
    user_id: int


@dataclass(frozen=True)
class AUserCreated(Notification):
    user_id: int


@dataclass(frozen=True)
class Unrelated(Query[int]):
    """A message type the no-op behaviors do not apply to."""


def get_user(query: GetUser) -> int:
    return query.user_id


class GetUserHandler(QueryHandler[GetUserByClass, int]):
    def handle(self, query: GetUserByClass) -> int:
        return query.user_id


async def aget_user(query: AGetUser) -> int:
    return query.user_id


def on_created_1(event: UserCreated) -> None:
    pass


def on_created_2(event: UserCreated) -> None:
    pass


def on_created_3(event: UserCreated) -> None:
    pass


async def aon_created_1(event: AUserCreated) -> None:
    pass


async def aon_created_2(event: AUserCreated) -> None:
    pass


async def aon_created_3(event: AUserCreated) -> None:
    pass


def unrelated_handler(query: Unrelated) -> int:
    return 0


class NoOp(Behavior):
    """Applies to every message except ``Unrelated`` and does nothing but call the next step."""

    def applies_to(self, message_type: type) -> bool:
        return message_type is not Unrelated


def messenger_with(behaviors: int) -> Messenger:
    registry = Registry()
    for target in (get_user, GetUserHandler, aget_user, on_created_1, on_created_2, on_created_3):
        registry.register(make_spec(target))
    for target in (aon_created_1, aon_created_2, aon_created_3):
        registry.register(make_spec(target))
    registry.register(make_spec(unrelated_handler))
    return Messenger(registry, behaviors=[NoOp() for _ in range(behaviors)])


def ns(fn: Callable[[], object]) -> float:
    return min(timeit.repeat(fn, number=NUMBER, repeat=5)) / NUMBER * 1e9


def ans(make: Callable[[], Awaitable[Any]]) -> float:
    async def run(n: int) -> None:
        for _ in range(n):
            await make()

    best = float("inf")
    for _ in range(5):
        start = timeit.default_timer()
        asyncio.run(run(NUMBER // 4))
        best = min(best, timeit.default_timer() - start)
    return best / (NUMBER // 4) * 1e9


def main() -> None:
    plain, three = messenger_with(0), messenger_with(3)
    query, by_class, aquery, unrelated = GetUser(1), GetUserByClass(1), AGetUser(1), Unrelated()
    event, aevent = UserCreated(1), AUserCreated(1)
    for m in (plain, three):  # build the pipelines before timing
        m.query(query), m.query(by_class), m.query(unrelated), m.publish(event)

    def direct_publish() -> None:
        on_created_1(event), on_created_2(event), on_created_3(event)

    async def direct_apublish() -> None:
        await aon_created_1(aevent)
        await aon_created_2(aevent)
        await aon_created_3(aevent)

    rows = [
        ("query, function handler", ns(lambda: get_user(query)), ns(lambda: plain.query(query))),
        (
            "query, class handler",
            ns(lambda: GetUserHandler().handle(by_class)),
            ns(lambda: plain.query(by_class)),
        ),
        (
            "query, 3 no-op behaviors",
            ns(lambda: get_user(query)),
            ns(lambda: three.query(query)),
        ),
        (
            "query, 3 behaviors, none apply",
            ns(lambda: unrelated_handler(unrelated)),
            ns(lambda: three.query(unrelated)),
        ),
        ("publish to 3 handlers", ns(direct_publish), ns(lambda: plain.publish(event))),
        (
            "aquery, async function handler",
            ans(lambda: aget_user(aquery)),
            ans(lambda: plain.aquery(aquery)),
        ),
        (
            "aquery, 3 no-op behaviors",
            ans(lambda: aget_user(aquery)),
            ans(lambda: three.aquery(aquery)),
        ),
        # Concurrency has a price: asyncio.gather runs each handler in a task of its own.
        ("apublish to 3 async handlers", ans(direct_apublish), ans(lambda: plain.apublish(aevent))),
    ]
    print(f"{'case':34} {'direct ns':>10} {'messenger ns':>13} {'ratio':>7} {'extra ns':>9}")
    for name, direct, dispatched in rows:
        extra = dispatched - direct
        print(
            f"{name:34} {direct:10.0f} {dispatched:13.0f} {dispatched / direct:7.2f} {extra:9.0f}"
        )


if __name__ == "__main__":
    main()
