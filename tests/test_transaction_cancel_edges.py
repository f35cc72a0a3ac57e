"""A command cancelled once its transaction committed: what depends on the commit still happens.

``TransactionBehavior`` commits a command whose task is cancelled
while the block closes, and the cancellation goes on; the behaviors outside it then see a
``CancelledError``, though the command's writes are there for every reader.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group
from django.db import transaction

from django_functionalkit import Cacheable, Command, InvalidatesCache, Messenger, Query, Unit, unit
from django_functionalkit.behaviors import CacheBehavior, TransactionBehavior
from django_functionalkit.registry import Registry, make_spec

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 5  # seconds: only a broken test waits that long


@dataclass(frozen=True)
class CountGroups(Query[int], Cacheable):
    cache_key = "review-groups"
    cache_timeout = None  # only an invalidation drops it


@dataclass(frozen=True)
class AddGroup(Command[Unit], InvalidatesCache):
    name: str
    invalidates_keys: ClassVar[tuple[str, ...]] = ("review-groups",)


def count_groups(query: CountGroups) -> int:
    return Group.objects.count()


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


async def test_a_command_cancelled_while_it_commits_still_invalidates(
    release: threading.Event,
) -> None:
    closing = threading.Event()

    def hold() -> None:  # an on_commit callback: it runs in the trip that commits the block
        closing.set()
        release.wait(WAIT)

    async def add_group(command: AddGroup) -> Unit:
        await Group.objects.acreate(name=command.name)
        await sync_to_async(transaction.on_commit, thread_sensitive=True)(hold)
        return unit

    handlers = Registry()
    handlers.register(make_spec(count_groups))
    handlers.register(make_spec(add_group))
    bus = Messenger(handlers, behaviors=[CacheBehavior(), TransactionBehavior()])

    assert await bus.aquery(CountGroups()) == 0  # now cached
    task = asyncio.create_task(bus.asend(AddGroup("committed")))
    assert await asyncio.to_thread(closing.wait, WAIT)
    task.cancel()  # while the block commits
    await asyncio.sleep(0.05)
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await Group.objects.filter(name="committed").aexists()
    assert await bus.aquery(CountGroups()) == 1  # not the entry cached before the commit
