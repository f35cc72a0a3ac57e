"""capture_notifications() belongs to the thread or task that opened it, and records only what
would be delivered: a notification of a transaction that rolls back is never recorded.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from pytest_django import DjangoCaptureOnCommitCallbacks

from django_functionalkit import (
    Behavior,
    Command,
    Failure,
    Messenger,
    Notification,
    Result,
    Success,
)
from django_functionalkit.behaviors.transaction import TransactionBehavior
from django_functionalkit.messages import Message
from django_functionalkit.registry import Registry, make_spec
from django_functionalkit.testing import capture_notifications

WAIT = 10  # seconds; a thread that does not answer by then has failed the test


@dataclass(frozen=True)
class Tick(Notification):
    n: int


@dataclass(frozen=True)
class CreateGroup(Command[Result[int, str]]):
    name: str
    fail: bool = False


@dataclass(frozen=True)
class GroupCreated(Notification):
    name: str


def ticking(*behaviors: Behavior) -> tuple[Messenger, list[Tick]]:
    """A messenger of its own whose ``Tick`` handler appends to the list returned with it."""
    heard: list[Tick] = []
    handlers = Registry()

    def on_tick(event: Tick) -> None:
        heard.append(event)

    handlers.register(make_spec(on_tick))
    return Messenger(handlers, behaviors=list(behaviors)), heard


class Worker(threading.Thread):
    """Runs ``target`` on a new thread; ``finish()`` joins it and raises what it raised."""

    def __init__(self, target: Callable[[], None]) -> None:
        super().__init__()
        self._target_fn = target
        self._failure: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self._target_fn()
        except BaseException as exc:
            self._failure = exc

    def finish(self) -> None:
        self.join(WAIT)
        assert not self.is_alive(), "the thread did not finish"
        if self._failure is not None:
            raise self._failure


# -- one context's capture -------------------------------------------------------------------------


def test_a_capture_in_one_thread_does_not_swallow_another_threads_publishes() -> None:
    bus, heard = ticking()
    opened, published_elsewhere = threading.Event(), threading.Event()
    captured: list[Notification] = []

    def capture_in_a_thread() -> None:
        with capture_notifications(messenger=bus) as published:
            bus.publish(Tick(1))
            opened.set()
            assert published_elsewhere.wait(WAIT)
            bus.publish(Tick(3))
        captured.extend(published)

    capturing = Worker(capture_in_a_thread)
    assert opened.wait(WAIT)
    bus.publish(Tick(2))  # this thread has no capture open
    published_elsewhere.set()
    capturing.finish()
    assert captured == [Tick(1), Tick(3)]
    assert heard == [Tick(2)]


def test_a_pipeline_built_while_another_thread_captures_delivers_after_the_capture() -> None:
    """The pipeline is built while a capture is open elsewhere, then that capture ends before
    the pipeline is cached: no trace of the capture may stay in it."""
    building, capture_closed = threading.Event(), threading.Event()

    class Gate(Behavior):
        """Holds the build of the first pipeline until the other thread's capture is over."""

        def applies_to(self, message_type: type[Message]) -> bool:
            building.set()
            assert capture_closed.wait(WAIT)
            return False

    bus, heard = ticking(Gate())
    opened = threading.Event()
    leave = threading.Event()

    def capture_in_a_thread() -> None:
        with capture_notifications(messenger=bus):
            opened.set()
            assert leave.wait(WAIT)
        capture_closed.set()

    capturing = Worker(capture_in_a_thread)
    assert opened.wait(WAIT)
    publishing = Worker(lambda: bus.publish(Tick(1)))  # builds the pipeline
    assert building.wait(WAIT)
    leave.set()
    capturing.finish()
    publishing.finish()
    bus.publish(Tick(2))
    assert heard == [Tick(1), Tick(2)]


async def test_a_capture_in_one_task_does_not_swallow_another_tasks_publishes() -> None:
    bus, heard = ticking()
    opened, published_elsewhere = asyncio.Event(), asyncio.Event()

    async def capturing() -> list[Notification]:
        with capture_notifications(messenger=bus) as published:
            await bus.apublish(Tick(1))
            opened.set()
            await published_elsewhere.wait()
            await bus.apublish(Tick(3))
        return published

    async def publishing() -> None:
        await opened.wait()
        await bus.apublish(Tick(2))
        published_elsewhere.set()

    captured, _ = await asyncio.wait_for(asyncio.gather(capturing(), publishing()), WAIT)
    assert captured == [Tick(1), Tick(3)]
    assert heard == [Tick(2)]


async def publish_async(bus: Messenger, notification: Notification) -> None:
    await bus.apublish(notification)


async def test_a_task_started_inside_the_block_is_part_of_it() -> None:
    """A task copies the context it is created in, as it would copy a request's."""
    bus, heard = ticking()
    with capture_notifications(messenger=bus) as published:
        await asyncio.create_task(publish_async(bus, Tick(1)))
        await asyncio.to_thread(bus.publish, Tick(2))  # to_thread copies the context too
    assert published == [Tick(1), Tick(2)]
    assert heard == []


def test_nested_blocks_in_two_threads_stay_apart() -> None:
    bus, heard = ticking()
    barrier = threading.Barrier(2, timeout=WAIT)
    results: dict[str, tuple[list[Notification], list[Notification]]] = {}

    def nest(name: str, n: int) -> None:
        with capture_notifications(messenger=bus) as outer:
            barrier.wait()
            with capture_notifications(messenger=bus, deliver=True) as inner:
                bus.publish(Tick(n))
                barrier.wait()
        results[name] = (outer, inner)

    threads = [Worker(lambda: nest("a", 1)), Worker(lambda: nest("b", 2))]
    for thread in threads:
        thread.finish()
    assert results == {"a": ([Tick(1)], [Tick(1)]), "b": ([Tick(2)], [Tick(2)])}
    assert sorted(t.n for t in heard) == [1, 2]


# -- only what would be delivered ------------------------------------------------------------------


def group_messenger() -> tuple[Messenger, list[str]]:
    """Commands in real transactions; ``CreateGroup`` writes, publishes, then maybe fails."""
    handlers = Registry()
    bus = Messenger(handlers, behaviors=[TransactionBehavior()])

    delivered: list[str] = []

    def create_group(command: CreateGroup) -> Result[int, str]:
        group = Group.objects.create(name=command.name)
        bus.publish(GroupCreated(command.name))
        return Failure("refused after publishing") if command.fail else Success(group.pk)

    def on_group_created(event: GroupCreated) -> None:
        delivered.append(event.name)

    handlers.register(make_spec(create_group))
    handlers.register(make_spec(on_group_created))
    return bus, delivered


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("deliver", [False, True])
def test_a_rolled_back_command_publishes_nothing_a_capture_sees(deliver: bool) -> None:
    bus, delivered = group_messenger()
    with capture_notifications(messenger=bus, deliver=deliver) as published:
        assert bus.send(CreateGroup("refused", fail=True)) == Failure("refused after publishing")
        assert isinstance(bus.send(CreateGroup("editors")), Success)
    assert published == [GroupCreated("editors")]
    assert delivered == (["editors"] if deliver else [])


def send_then_raise(bus: Messenger, command: CreateGroup) -> None:
    """Send ``command`` in a transaction of the caller's, which an exception then rolls back."""
    with transaction.atomic():
        bus.send(command)
        raise ZeroDivisionError


@pytest.mark.django_db(transaction=True)
def test_a_capture_records_at_the_commit_of_the_callers_transaction() -> None:
    bus, _ = group_messenger()
    with capture_notifications(messenger=bus) as published:
        with transaction.atomic():
            bus.send(CreateGroup("editors"))
            assert published == []  # not delivered yet: the outer block has not committed
        assert published == [GroupCreated("editors")]
        with pytest.raises(ZeroDivisionError):
            send_then_raise(bus, CreateGroup("writers"))
    assert published == [GroupCreated("editors")]


@pytest.mark.django_db(transaction=True)
async def test_a_rolled_back_async_command_publishes_nothing_a_capture_sees() -> None:
    handlers = Registry()
    bus = Messenger(handlers, behaviors=[TransactionBehavior()])

    async def create_group(command: CreateGroup) -> Result[int, str]:
        group = await Group.objects.acreate(name=command.name)
        await bus.apublish(GroupCreated(command.name))
        return Failure("refused after publishing") if command.fail else Success(group.pk)

    handlers.register(make_spec(create_group))
    with capture_notifications(messenger=bus) as published:
        assert await bus.asend(CreateGroup("refused", fail=True)) == Failure(
            "refused after publishing"
        )
        assert isinstance(await bus.asend(CreateGroup("editors")), Success)
    assert published == [GroupCreated("editors")]


@pytest.mark.django_db
def test_in_a_tests_own_transaction_the_commit_callbacks_deliver_to_the_capture(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    """pytest-django's ``db`` never commits: run the commit callbacks, as the docs say."""
    bus, _ = group_messenger()
    with (
        capture_notifications(messenger=bus) as published,
        django_capture_on_commit_callbacks(execute=True),
    ):
        bus.send(CreateGroup("refused", fail=True))
        bus.send(CreateGroup("editors"))
    assert published == [GroupCreated("editors")]
