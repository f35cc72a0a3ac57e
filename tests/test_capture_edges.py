"""A capture ends with its block.

A task or thread started inside a ``capture_notifications()`` block copies its context, and with
it the open capture; what it publishes after the block has ended is no longer the block's.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from django_functionalkit import Messenger, Notification
from django_functionalkit.registry import Registry, make_spec
from django_functionalkit.testing import capture_notifications

WAIT = 10  # seconds


@dataclass(frozen=True)
class Tick(Notification):
    n: int


async def test_a_task_that_outlives_the_block_is_delivered_after_it() -> None:
    heard: list[Tick] = []
    handlers = Registry()

    def on_tick(event: Tick) -> None:
        heard.append(event)

    handlers.register(make_spec(on_tick))
    bus = Messenger(handlers, behaviors=[])
    block_over = asyncio.Event()

    async def later() -> None:
        await bus.apublish(Tick(1))
        await block_over.wait()
        await bus.apublish(Tick(2))

    with capture_notifications(messenger=bus) as published:
        task = asyncio.create_task(later())
        await asyncio.sleep(0)
    block_over.set()
    await asyncio.wait_for(task, WAIT)
    assert published == [Tick(1)]
    assert heard == [Tick(2)]
