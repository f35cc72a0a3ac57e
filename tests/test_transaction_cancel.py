"""A cancelled ``asend`` (a timeout, a client gone) never leaves its transaction open.

TransactionBehavior opens the atomic block in one trip to Django's database thread and closes
it in another; the task is cancelled at each await point in turn, with the work blocked there
on an event the test controls. Afterwards the database thread's connection is in no atomic
block, and the next command's write is really committed: another connection sees it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group
from django.db import connections, transaction
from django.db.backends.signals import connection_created

from django_functionalkit import Command, Failure, Messenger, Result, Success
from django_functionalkit.behaviors.audit import CANCELLED, AuditBehavior
from django_functionalkit.behaviors.transaction import TransactionBehavior
from django_functionalkit.models import AuditEntry
from django_functionalkit.registry import Registry, make_spec
from tests.cancelling import cancel_twice_then_release

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 5  # seconds: only a broken test waits that long


@dataclass(frozen=True)
class CreateGroup(Command[Result[int, str]]):
    name: str


async def create_group(command: CreateGroup) -> Result[int, str]:
    group = await Group.objects.acreate(name=command.name)
    return Success(group.pk)


def make_messenger(*behaviors: Any) -> Messenger:
    handlers = Registry()
    handlers.register(make_spec(create_group))
    return Messenger(handlers, behaviors=list(behaviors) or [TransactionBehavior()])


async def on_db_thread(fn: Callable[..., Any], *args: Any) -> Any:
    return await sync_to_async(fn, thread_sensitive=True)(*args)


def in_atomic_block() -> bool:
    return connections["default"].in_atomic_block


def committed(name: str) -> bool:
    """Whether a connection of another thread sees ``name``: only a commit shows it there."""
    try:
        return Group.objects.filter(name=name).exists()
    finally:
        connections.close_all()


async def assert_nothing_left_open(bus: Messenger) -> None:
    assert not await on_db_thread(in_atomic_block)
    assert isinstance(await bus.asend(CreateGroup("after")), Success)
    assert await sync_to_async(committed, thread_sensitive=False)("after")


async def until(event: threading.Event) -> None:
    assert await asyncio.to_thread(event.wait, WAIT), "the blocked step never ran"


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set by the test to let the blocked step go on; set anyway at the end."""
    event = threading.Event()
    yield event
    event.set()


async def test_cancelled_while_waiting_for_its_turn(release: threading.Event) -> None:
    bus = make_messenger()
    first_running = asyncio.Event()

    async def slow(command: CreateGroup) -> Result[int, str]:
        group = await Group.objects.acreate(name=command.name)
        first_running.set()
        await asyncio.to_thread(release.wait, WAIT)
        return Success(group.pk)

    with bus.registry.override(CreateGroup, slow):
        first = asyncio.create_task(bus.asend(CreateGroup("first")))
        await first_running.wait()
        second = asyncio.create_task(bus.asend(CreateGroup("second")))
        await asyncio.sleep(0.05)  # the second waits for the first's turn to end
        second.cancel()
        release.set()
        assert isinstance(await first, Success)
        with pytest.raises(asyncio.CancelledError):
            await second
    assert await sync_to_async(committed, thread_sensitive=False)("first")
    assert not await sync_to_async(committed, thread_sensitive=False)("second")
    await assert_nothing_left_open(bus)


async def test_cancelled_while_the_block_opens(release: threading.Event) -> None:
    """The reported case: cancelled while the database thread opens the block."""
    bus = make_messenger()
    opening = threading.Event()

    def hold() -> None:
        if not opening.is_set():
            opening.set()
            release.wait(WAIT)

    async with holding_the_opening(hold):
        task = asyncio.create_task(bus.asend(CreateGroup("cancelled")))
        await until(opening)
        task.cancel()
        await asyncio.sleep(0.05)
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert not await sync_to_async(committed, thread_sensitive=False)("cancelled")
    await assert_nothing_left_open(bus)


@asynccontextmanager
async def holding_the_opening(hold: Callable[[], None]) -> AsyncIterator[None]:
    """Run ``hold`` on the database thread while the next atomic block opens there.

    SQLite begins a transaction with a BEGIN statement (it waits there for the write lock with
    ``transaction_mode`` IMMEDIATE); PostgreSQL sends nothing until the first query, but the
    block connects first when the connection is closed.
    """
    connection = await on_db_thread(lambda: connections["default"])
    if connection.vendor == "sqlite":

        def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            if sql.startswith("BEGIN"):
                hold()
            return execute(sql, params, many, context)

        connection.execute_wrappers.append(wrapper)
        try:
            yield
        finally:
            connection.execute_wrappers.remove(wrapper)
        return

    def connected(sender: Any, connection: Any, **kwargs: Any) -> None:
        if connection is expected:
            hold()

    expected = connection
    await on_db_thread(connection.close)
    connection_created.connect(connected)
    try:
        yield
    finally:
        connection_created.disconnect(connected)


async def send_stuck_until_timeout(bus: Messenger, name: str, release: threading.Event) -> None:
    """``asend`` a command whose handler writes, then waits for ``release``: it times out."""

    async def stuck(command: CreateGroup) -> Result[int, str]:
        await Group.objects.acreate(name=command.name)
        await asyncio.to_thread(release.wait, WAIT)
        return Failure("never returned")

    with bus.registry.override(CreateGroup, stuck), pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await bus.asend(CreateGroup(name))
    release.set()


async def test_timed_out_while_the_handler_runs(release: threading.Event) -> None:
    bus = make_messenger()
    await send_stuck_until_timeout(bus, "timed out", release)
    assert not await sync_to_async(committed, thread_sensitive=False)("timed out")
    await assert_nothing_left_open(bus)


async def test_cancelled_again_while_the_block_rolls_back(release: threading.Event) -> None:
    """A second cancellation (a timeout, then the client gone) while the rollback waits for the
    database thread: sync_to_async would drop the queued rollback, and the block stay open."""
    bus = make_messenger()
    handler_waiting = asyncio.Event()
    thread_busy = threading.Event()
    busy: list[asyncio.Future[None]] = []

    def occupy() -> None:
        thread_busy.set()
        release.wait(WAIT)

    async def stuck(command: CreateGroup) -> Result[int, str]:
        await Group.objects.acreate(name=command.name)
        # Something else of this request keeps the database thread busy for a while.
        busy.append(asyncio.ensure_future(on_db_thread(occupy)))
        handler_waiting.set()
        await asyncio.Event().wait()
        return Failure("never returned")

    with bus.registry.override(CreateGroup, stuck):
        task = asyncio.create_task(bus.asend(CreateGroup("cancelled")))
        await handler_waiting.wait()
        await until(thread_busy)
        await cancel_twice_then_release(task, release)  # the rollback waits for the thread
        await busy[0]
    assert not await sync_to_async(committed, thread_sensitive=False)("cancelled")
    await assert_nothing_left_open(bus)


async def test_cancelled_while_the_block_commits(release: threading.Event) -> None:
    bus = make_messenger()
    closing = threading.Event()

    def hold() -> None:  # an on_commit callback: runs in the trip that closes the block
        closing.set()
        release.wait(WAIT)

    async def commits_slowly(command: CreateGroup) -> Result[int, str]:
        group = await Group.objects.acreate(name=command.name)
        await on_db_thread(transaction.on_commit, hold)
        return Success(group.pk)

    with bus.registry.override(CreateGroup, commits_slowly):
        task = asyncio.create_task(bus.asend(CreateGroup("committed")))
        await until(closing)
        task.cancel()
        await asyncio.sleep(0.05)
        assert not task.done()  # it waits for the block to be closed
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert await sync_to_async(committed, thread_sensitive=False)("committed")
    await assert_nothing_left_open(bus)


# -- the audit entry of a cancelled command --------------------------------------------------------


async def test_a_cancelled_command_is_audited_as_cancelled(release: threading.Event) -> None:
    bus = make_messenger(AuditBehavior(), TransactionBehavior())
    await send_stuck_until_timeout(bus, "cancelled", release)
    entry = await AuditEntry.objects.aget()
    assert entry.message_type.endswith("CreateGroup")
    assert not entry.success
    assert entry.error == CANCELLED
    assert entry.outcome == {"exception": "asyncio.exceptions.CancelledError", "message": ""}
    assert entry.request_data == {"name": "cancelled"}
    assert not await sync_to_async(committed, thread_sensitive=False)("cancelled")
