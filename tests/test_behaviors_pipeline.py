"""Pipeline behaviors: order, which types they wrap, short-circuits, context, rebuilding."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from asgiref.sync import sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from django_functionalkit import (
    Command,
    Failure,
    Messenger,
    Notification,
    Query,
    Result,
    Success,
    current_context,
    set_actor,
)
from django_functionalkit.registry import Registry, make_spec
from tests import behaviors
from tests.behaviors import MembersOnly

Log = list[tuple[str, str, str, object]]


@dataclass(frozen=True)
class GetBalance(Query[int]):
    account_id: int


@dataclass(frozen=True)
class FindAccounts(Query[list[int]]):
    pass


@dataclass(frozen=True)
class Deposit(Command[Result[int, str]], MembersOnly):
    account_id: int
    amount: int


@dataclass(frozen=True)
class Deposited(Notification):
    account_id: int


@dataclass(frozen=True)
class MembersNews(Notification, MembersOnly):
    text: str


class Bank:
    """Handlers of this module's messages, recording what they ran and who acted."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []
        self.handlers = Registry()
        for target in self.targets():
            self.handlers.register(make_spec(target))

    def targets(self) -> list[Callable[..., object]]:
        def get_balance(query: GetBalance) -> int:
            self.calls.append(("get_balance", current_context().actor))
            return 100

        def find_accounts(query: FindAccounts) -> list[int]:
            self.calls.append(("find_accounts", current_context().actor))
            return [1, 2]

        async def deposit(command: Deposit) -> Result[int, str]:
            await asyncio.sleep(0)
            self.calls.append(("deposit", current_context().actor))
            return Success(100 + command.amount)

        def on_deposited(event: Deposited) -> None:
            self.calls.append(("on_deposited", current_context().actor))

        async def also_on_deposited(event: Deposited) -> None:
            self.calls.append(("also_on_deposited", current_context().actor))

        def on_news(event: MembersNews) -> None:
            self.calls.append(("on_news", current_context().actor))

        return [get_balance, find_accounts, deposit, on_deposited, also_on_deposited, on_news]

    def messenger(self) -> Messenger:
        return Messenger(self.handlers)


def configured(*entries: object) -> override_settings:
    return override_settings(FUNCTIONALKIT={"BEHAVIORS": list(entries)})


# -- order and kinds -------------------------------------------------------------------------------


def test_behaviors_run_outermost_first_around_the_handler(behavior_log: Log) -> None:
    bank = Bank()
    with configured("tests.behaviors.Outer", "tests.behaviors.Inner"):
        assert bank.messenger().query(GetBalance(1)) == 100
    assert [entry[:2] for entry in behavior_log] == [
        ("Outer", "before"),
        ("Inner", "before"),
        ("Inner", "after"),
        ("Outer", "after"),
    ]
    assert bank.calls == [("get_balance", None)]


async def test_behaviors_run_outermost_first_on_the_async_path(behavior_log: Log) -> None:
    bank = Bank()
    with configured("tests.behaviors.Inner", "tests.behaviors.Outer"):
        assert await bank.messenger().asend(Deposit(1, 5)) == Success(105)
    assert [entry[:2] for entry in behavior_log] == [
        ("Inner", "before async"),
        ("Outer", "before async"),
        ("Outer", "after async"),
        ("Inner", "after async"),
    ]


def test_behaviors_may_be_listed_as_classes(behavior_log: Log) -> None:
    with configured(behaviors.Outer, behaviors.Inner):
        Bank().messenger().query(GetBalance(1))
    assert [entry[0] for entry in behavior_log] == ["Outer", "Inner", "Inner", "Outer"]


def test_behaviors_see_the_kind_of_each_message(behavior_log: Log) -> None:
    bus = Bank().messenger()
    with configured("tests.behaviors.Outer"), set_actor("ada"):
        bus.query(GetBalance(1))
        bus.send(Deposit(1, 5))
        bus.publish(Deposited(1))
    assert [kind for _, event, kind, _ in behavior_log if event == "before"] == [
        "query",
        "command",
        "notification",
    ]


def test_what_a_behavior_returns_is_the_result(behavior_log: Log) -> None:
    @dataclass(frozen=True)
    class GetName(Query[str]):
        pass

    handlers = Registry()
    handlers.register(make_spec(lambda query: "ada", message_type=GetName))
    with configured("tests.behaviors.Upper"):
        assert Messenger(handlers).query(GetName()) == "ADA"


# -- which types a behavior wraps ------------------------------------------------------------------


def test_a_behavior_wraps_only_the_types_it_applies_to(behavior_log: Log) -> None:
    bank = Bank()
    bus = bank.messenger()
    with configured(
        "tests.behaviors.QueriesOnly",
        "tests.behaviors.CommandsOnly",
        "tests.behaviors.NotificationsOnly",
    ):
        bus.query(GetBalance(1))
        bus.send(Deposit(1, 5))
        bus.publish(Deposited(1))
        assert bus.behaviors_for(GetBalance) == [bus.behaviors()[0]]
    assert [(name, kind) for name, event, kind, _ in behavior_log if event == "before"] == [
        ("QueriesOnly", "query"),
        ("CommandsOnly", "command"),
        ("NotificationsOnly", "notification"),
    ]


def test_a_behavior_may_apply_by_a_predicate_on_the_type(behavior_log: Log) -> None:
    bus = Bank().messenger()
    with configured("tests.behaviors.GetsOnly"):
        bus.query(GetBalance(1))
        bus.query(FindAccounts())
    assert {entry[0] for entry in behavior_log} == {"GetsOnly"}
    assert len(behavior_log) == 2  # before and after GetBalance, nothing around FindAccounts


def test_applies_to_is_decided_once_per_message_type_and_cached(behavior_log: Log) -> None:
    bus = Bank().messenger()
    with configured("tests.behaviors.Outer", "tests.behaviors.QueriesOnly"):
        for _ in range(3):
            bus.query(GetBalance(1))
            bus.send(Deposit(1, 5))
    assert behaviors.applies_to_calls == {
        ("Outer", GetBalance): 1,
        ("QueriesOnly", GetBalance): 1,
        ("Outer", Deposit): 1,
        ("QueriesOnly", Deposit): 1,
    }
    # The behavior that does not apply to Deposit was never called around it.
    assert [e[0] for e in behavior_log if e[2] == "command"] == ["Outer", "Outer"] * 3


async def test_applies_to_is_decided_once_per_message_type_on_the_async_path(
    behavior_log: Log,
) -> None:
    bus = Bank().messenger()
    with configured("tests.behaviors.Outer"):
        for _ in range(3):
            await bus.aquery(GetBalance(1))
            await bus.apublish(Deposited(1))
    assert behaviors.applies_to_calls == {("Outer", GetBalance): 1, ("Outer", Deposited): 1}


# -- short-circuit ---------------------------------------------------------------------------------


def test_a_behavior_short_circuits_with_a_failure_and_the_handler_never_runs(
    behavior_log: Log,
) -> None:
    bank = Bank()
    bus = bank.messenger()
    with configured("tests.behaviors.RequireActor"):
        assert bus.send(Deposit(1, 5)) == Failure("sign in first")
        assert bank.calls == []
        with set_actor("ada"):
            assert bus.send(Deposit(1, 5)) == Success(105)
    assert bank.calls == [("deposit", "ada")]
    assert [(e[1], e[3]) for e in behavior_log] == [("refused", None)]


async def test_a_behavior_short_circuits_on_the_async_path_too(behavior_log: Log) -> None:
    bank = Bank()
    bus = bank.messenger()
    with configured("tests.behaviors.RequireActor"):
        assert await bus.asend(Deposit(1, 5)) == Failure("sign in first")
        with set_actor("grace"):
            assert await bus.asend(Deposit(1, 5)) == Success(105)
    assert bank.calls == [("deposit", "grace")]


def test_a_short_circuit_around_a_notification_stops_all_its_handlers(behavior_log: Log) -> None:
    bank = Bank()
    with configured("tests.behaviors.RequireActor"):
        bank.messenger().publish(MembersNews("hello"))
        with set_actor("ada"):
            bank.messenger().publish(MembersNews("hello"))
    assert bank.calls == [("on_news", "ada")]


# -- the context -----------------------------------------------------------------------------------


def test_behaviors_and_handlers_see_the_actor(behavior_log: Log) -> None:
    bank = Bank()
    with configured("tests.behaviors.Outer"), set_actor("ada"):
        bank.messenger().query(GetBalance(1))
    assert {entry[3] for entry in behavior_log} == {"ada"}
    assert bank.calls == [("get_balance", "ada")]


async def test_the_actor_reaches_async_and_sync_handlers_from_async_callers(
    behavior_log: Log,
) -> None:
    bank = Bank()
    bus = bank.messenger()
    with configured("tests.behaviors.Outer"), set_actor("grace"):
        await bus.aquery(GetBalance(1))  # sync handler, run in a worker thread
        await bus.asend(Deposit(1, 1))
        await bus.apublish(Deposited(1))  # handlers run concurrently, in tasks
    assert {entry[3] for entry in behavior_log} == {"grace"}
    assert sorted(bank.calls) == [
        ("also_on_deposited", "grace"),
        ("deposit", "grace"),
        ("get_balance", "grace"),
        ("on_deposited", "grace"),
    ]


def test_set_actor_is_undone_after_the_block() -> None:
    with set_actor("ada"):
        with set_actor("grace"):
            assert current_context().actor == "grace"
        assert current_context().actor == "ada"
    assert current_context().actor is None


# -- notifications ---------------------------------------------------------------------------------


def test_a_behavior_wraps_a_publish_once_around_all_its_handlers(behavior_log: Log) -> None:
    bank = Bank()
    with configured("tests.behaviors.NotificationsOnly"):
        bank.messenger().publish(Deposited(1))
    assert [e[1] for e in behavior_log] == ["before", "after"]
    assert [name for name, _ in bank.calls] == ["on_deposited", "also_on_deposited"]


async def test_a_behavior_wraps_an_async_publish(behavior_log: Log) -> None:
    bank = Bank()
    with configured("tests.behaviors.NotificationsOnly"):
        await bank.messenger().apublish(Deposited(1))
    assert [e[1] for e in behavior_log] == ["before async", "after async"]
    assert len(bank.calls) == 2


def test_a_publish_failure_passes_through_the_behaviors(
    behavior_log: Log, caplog: pytest.LogCaptureFixture
) -> None:
    handlers = Registry()

    def broken(event: Deposited) -> None:
        raise ValueError("broken")

    handlers.register(make_spec(broken))
    with configured("tests.behaviors.Outer"), pytest.raises(ExceptionGroup):
        Messenger(handlers).publish(Deposited(1))
    assert [e[1] for e in behavior_log] == ["before"]


class Overdrawn(Exception):
    pass


def overdrawn_bank() -> tuple[Messenger, list[Exception]]:
    raised: list[Exception] = []
    handlers = Registry()

    def get_balance(query: GetBalance) -> int:
        error = Overdrawn(query.account_id)
        raised.append(error)
        raise error

    handlers.register(make_spec(get_balance))
    return Messenger(handlers), raised


def test_a_handler_exception_passes_through_the_behaviors_unchanged(behavior_log: Log) -> None:
    bus, raised = overdrawn_bank()
    with (
        configured("tests.behaviors.Outer", "tests.behaviors.Inner"),
        pytest.raises(Overdrawn) as excinfo,
    ):
        bus.query(GetBalance(1))
    assert excinfo.value is raised[0]
    assert "get_balance" in [f.name for f in traceback.extract_tb(excinfo.value.__traceback__)]
    assert [e[:2] for e in behavior_log] == [("Outer", "before"), ("Inner", "before")]


async def test_a_handler_exception_passes_through_async_behaviors_unchanged(
    behavior_log: Log,
) -> None:
    bus, raised = overdrawn_bank()
    with configured("tests.behaviors.Outer"), pytest.raises(Overdrawn) as excinfo:
        await bus.aquery(GetBalance(1))
    assert excinfo.value is raised[0]
    assert "get_balance" in [f.name for f in traceback.extract_tb(excinfo.value.__traceback__)]


# -- rebuilding ------------------------------------------------------------------------------------


def test_changing_the_setting_rebuilds_the_pipelines(behavior_log: Log) -> None:
    bus = Bank().messenger()
    with configured("tests.behaviors.Outer"):
        bus.query(GetBalance(1))
        with configured("tests.behaviors.Inner"):
            bus.query(GetBalance(1))
        bus.query(GetBalance(1))
    bus.query(GetBalance(1))
    assert [e[0] for e in behavior_log if e[1] == "before"] == ["Outer", "Inner", "Outer"]


def test_the_global_messenger_rebuilds_its_pipelines_with_the_setting(behavior_log: Log) -> None:
    from django_functionalkit import messenger
    from tests.testapp.messages import GetGreeting

    assert messenger.query(GetGreeting("Ada")) == "Hello, Ada!"
    with configured("tests.behaviors.Upper"):
        assert messenger.query(GetGreeting("Ada")) == "HELLO, ADA!"
    assert messenger.query(GetGreeting("Ada")) == "Hello, Ada!"


def test_registering_a_handler_rebuilds_the_pipelines() -> None:
    bank = Bank()
    bus = bank.messenger()
    bus.publish(Deposited(1))

    def late(event: Deposited) -> None:
        bank.calls.append(("late", None))

    bank.handlers.register(make_spec(late))
    bus.publish(Deposited(2))
    assert [name for name, _ in bank.calls] == [
        "on_deposited",
        "also_on_deposited",
        "on_deposited",
        "also_on_deposited",
        "late",
    ]


def test_overriding_a_handler_rebuilds_the_pipelines() -> None:
    bank = Bank()
    bus = bank.messenger()
    assert bus.query(GetBalance(1)) == 100
    with bank.handlers.override(GetBalance, lambda query: -1):
        assert bus.query(GetBalance(1)) == -1
    assert bus.query(GetBalance(1)) == 100


def test_a_messenger_given_behaviors_ignores_the_setting(behavior_log: Log) -> None:
    bank = Bank()
    bus = Messenger(bank.handlers, behaviors=["tests.behaviors.Inner"])
    with configured("tests.behaviors.Outer"):
        bus.query(GetBalance(1))
    assert {e[0] for e in behavior_log} == {"Inner"}


@pytest.mark.parametrize(
    "entry", ["tests.behaviors.DoesNotExist", "tests.behaviors.NotABehavior", 42]
)
def test_a_bad_behavior_entry_is_improperly_configured_at_dispatch(entry: object) -> None:
    with configured(entry), pytest.raises(ImproperlyConfigured, match="BEHAVIORS"):
        Bank().messenger().query(GetBalance(1))


async def test_applies_to_is_decided_once_for_both_paths_together(behavior_log: Log) -> None:
    bus = Bank().messenger()
    with configured("tests.behaviors.Outer"):
        await bus.aquery(GetBalance(1))
        await sync_to_async(bus.query)(GetBalance(1))
        bus.behaviors_for(GetBalance)
    assert behaviors.applies_to_calls == {("Outer", GetBalance): 1}


async def test_a_behavior_with_only_a_sync_path_is_refused_on_the_async_path() -> None:
    bus = Bank().messenger()
    with configured("tests.behaviors.SyncOnly"):
        assert await sync_to_async(bus.query)(GetBalance(1)) is not None
        with pytest.raises(ImproperlyConfigured, match=r"SyncOnly .* define ahandle\(\) too"):
            await bus.aquery(GetBalance(1))
