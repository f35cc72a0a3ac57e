"""TransactionBehavior and delivery after commit, with real transactions on the test database.

The tests use ``transaction=True``: each really commits or rolls back, as in production.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from django_functionalkit import (
    Command,
    Failure,
    Messenger,
    Notification,
    Result,
    Success,
)
from django_functionalkit.behaviors.transaction import TransactionBehavior
from django_functionalkit.registry import Registry, make_spec

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass(frozen=True)
class CreateGroup(Command[Result[int, str]]):
    name: str
    fail: bool = False
    explode: bool = False


@dataclass(frozen=True)
class CreateTwoGroups(Command[Result[int, str]]):
    outer: str
    inner: str


@dataclass(frozen=True)
class GroupCreated(Notification):
    name: str


heard: list[str] = []


def on_group_created(event: GroupCreated) -> None:
    heard.append(event.name)


def make_messenger() -> Messenger:
    handlers = Registry()
    bus = Messenger(handlers, behaviors=[TransactionBehavior()])

    def create_group(command: CreateGroup) -> Result[int, str]:
        group = Group.objects.create(name=command.name)
        bus.publish(GroupCreated(command.name))
        if command.explode:
            raise RuntimeError("boom")
        if command.fail:
            return Failure("refused after writing")
        return Success(group.pk)

    async def acreate_group(command: CreateGroup) -> Result[int, str]:
        group = await Group.objects.acreate(name=command.name)
        await bus.apublish(GroupCreated(command.name))
        if command.explode:
            raise RuntimeError("boom")
        if command.fail:
            return Failure("refused after writing")
        return Success(group.pk)

    def create_two(command: CreateTwoGroups) -> Result[int, str]:
        Group.objects.create(name=command.outer)
        inner = bus.send(CreateGroup(command.inner, fail=True))
        assert inner == Failure("refused after writing")
        return Success(Group.objects.count())

    handlers.register(make_spec(create_group))
    handlers.register(make_spec(create_two))
    handlers.register(make_spec(on_group_created))
    bus.acreate_group = acreate_group  # type: ignore[attr-defined]
    return bus


@pytest.fixture(autouse=True)
def _clear_heard() -> None:
    heard.clear()


def names() -> list[str]:
    return sorted(Group.objects.values_list("name", flat=True))


def test_a_successful_command_commits_and_then_delivers_its_notification() -> None:
    bus = make_messenger()
    result = bus.send(CreateGroup("editors"))
    assert isinstance(result, Success)
    assert names() == ["editors"]
    assert heard == ["editors"]


def test_a_failure_rolls_back_and_its_notification_is_never_delivered() -> None:
    bus = make_messenger()
    assert bus.send(CreateGroup("editors", fail=True)) == Failure("refused after writing")
    assert names() == []
    assert heard == []


def test_an_exception_rolls_back_and_reaches_the_caller_unchanged() -> None:
    bus = make_messenger()
    with pytest.raises(RuntimeError, match="boom"):
        bus.send(CreateGroup("editors", explode=True))
    assert names() == []
    assert heard == []


def test_notifications_wait_for_the_outermost_commit() -> None:
    bus = make_messenger()
    with transaction.atomic():
        bus.send(CreateGroup("editors"))
        assert heard == []  # committed only when the outer block commits
    assert heard == ["editors"]


def test_an_outer_rollback_takes_the_command_and_its_notification_with_it() -> None:
    bus = make_messenger()
    with transaction.atomic():
        bus.send(CreateGroup("editors"))
        transaction.set_rollback(True)
    assert names() == []
    assert heard == []


def test_a_nested_command_that_fails_undoes_only_its_own_writes() -> None:
    bus = make_messenger()
    # Counted inside the outer command, after the inner one rolled back to its savepoint.
    assert bus.send(CreateTwoGroups("outer", "inner")) == Success(1)
    assert names() == ["outer"]
    assert heard == []  # the inner command's notification went with its savepoint


def test_publish_outside_any_transaction_is_delivered_at_once() -> None:
    bus = make_messenger()
    bus.publish(GroupCreated("now"))
    assert heard == ["now"]


# -- async path -------------------------------------------------------------------------------


async def asend_with_async_handler(bus: Messenger, command: CreateGroup) -> object:
    with bus.registry.override(CreateGroup, bus.acreate_group):  # type: ignore[attr-defined]
        return await bus.asend(command)


async def anames() -> list[str]:
    return sorted([name async for name in Group.objects.values_list("name", flat=True)])


async def test_an_async_command_commits_and_then_delivers() -> None:
    bus = make_messenger()
    result = await asend_with_async_handler(bus, CreateGroup("editors"))
    assert isinstance(result, Success)
    assert await anames() == ["editors"]
    assert heard == ["editors"]


async def test_an_async_command_failure_rolls_back_its_async_orm_writes() -> None:
    bus = make_messenger()
    result = await asend_with_async_handler(bus, CreateGroup("editors", fail=True))
    assert result == Failure("refused after writing")
    assert await anames() == []
    assert heard == []


async def test_an_async_command_exception_rolls_back() -> None:
    bus = make_messenger()
    with pytest.raises(RuntimeError, match="boom"):
        await asend_with_async_handler(bus, CreateGroup("editors", explode=True))
    assert await anames() == []
    assert heard == []


async def test_a_sync_handler_sent_with_asend_runs_inside_the_transaction() -> None:
    bus = make_messenger()
    assert await bus.asend(CreateGroup("editors", fail=True)) == Failure("refused after writing")
    assert await anames() == []
    assert heard == []
    assert isinstance(await bus.asend(CreateGroup("writers")), Success)
    assert await anames() == ["writers"]
    assert heard == ["writers"]


async def test_concurrent_async_commands_on_one_connection_do_not_undo_each_other() -> None:
    """Two commands gathered in one context share Django's database thread and connection:
    the failing one must not roll back the other's committed write."""
    import asyncio

    bus = make_messenger()

    async def slowly(command: CreateGroup) -> Result[int, str]:
        group = await Group.objects.acreate(name=command.name)
        await asyncio.sleep(0.05 if command.fail else 0)
        if command.fail:
            return Failure("refused after writing")
        return Success(group.pk)

    with bus.registry.override(CreateGroup, slowly):
        outcomes = await asyncio.gather(
            bus.asend(CreateGroup("slow", fail=True)), bus.asend(CreateGroup("fast"))
        )
    assert outcomes[0] == Failure("refused after writing")
    assert isinstance(outcomes[1], Success)
    assert await anames() == ["fast"]


def test_apublish_from_async_code_inside_a_sync_command_waits_for_the_commit() -> None:
    from asgiref.sync import async_to_sync

    bus = make_messenger()

    def create_and_announce(command: CreateGroup) -> Result[int, str]:
        group = Group.objects.create(name=command.name)
        async_to_sync(bus.apublish)(GroupCreated(command.name))  # async code, called from sync
        return Failure("refused after writing") if command.fail else Success(group.pk)

    with bus.registry.override(CreateGroup, create_and_announce):
        assert bus.send(CreateGroup("editors", fail=True)) == Failure("refused after writing")
        assert heard == []  # rolled back: never delivered
        assert isinstance(bus.send(CreateGroup("writers")), Success)
    assert heard == ["writers"]
    assert names() == ["writers"]


def test_a_non_transactional_command_runs_outside_a_transaction() -> None:
    from django_functionalkit import NonTransactional

    @dataclass(frozen=True)
    class RunSaga(Command[Result[int, str]], NonTransactional):
        name: str

    def run_saga(command: RunSaga) -> Result[int, str]:
        Group.objects.create(name=command.name)  # a step that commits on its own
        return Failure("a later step failed")

    bus = make_messenger()
    assert bus.behaviors_for(RunSaga) == []
    assert bus.behaviors_for(CreateGroup) != []
    bus.registry.register(make_spec(run_saga, message_type=RunSaga))
    assert bus.send(RunSaga("kept")) == Failure("a later step failed")
    assert names() == ["kept"]  # not rolled back: there was no transaction to roll back


def test_a_handler_failing_after_the_commit_is_logged_and_the_command_still_succeeds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    bus = make_messenger()

    def fails(event: GroupCreated) -> None:
        raise ConnectionRefusedError("the mail server is down")

    bus.registry.register(make_spec(fails, message_type=GroupCreated))
    with caplog.at_level(logging.ERROR):
        result = bus.send(CreateGroup("editors"))
    assert isinstance(result, Success)  # committed: nothing can undo it any more
    assert names() == ["editors"]
    assert heard == ["editors"]  # the other handler ran
    assert "the mail server is down" in caplog.text


def failing_handler(event: GroupCreated) -> None:
    raise ConnectionRefusedError("the mail server is down")


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]


def test_a_handler_failing_after_the_commit_is_logged_once_by_name(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = make_messenger()
    bus.registry.register(make_spec(failing_handler))
    with caplog.at_level("ERROR"):
        assert isinstance(bus.send(CreateGroup("editors")), Success)
    assert errors_logged(caplog) == [
        f"Notification handler {__name__}.failing_handler failed for GroupCreated"
    ]


async def test_an_async_handler_failing_after_the_commit_is_logged_once_by_name(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = make_messenger()
    bus.registry.register(make_spec(failing_handler))
    with caplog.at_level("ERROR"):
        assert isinstance(await asend_with_async_handler(bus, CreateGroup("editors")), Success)
    assert errors_logged(caplog) == [
        f"Notification handler {__name__}.failing_handler failed for GroupCreated"
    ]
