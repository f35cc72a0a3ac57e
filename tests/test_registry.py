"""@handler and the registry: what registers, what is refused, and how handlers are found.

This module deliberately has no ``from __future__ import annotations``: some handlers here use
explicit string annotations, the others real classes, and tests/testapp/handlers.py covers the
``__future__`` form.
"""

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django_functionalkit import (
    Command,
    CommandHandler,
    Messenger,
    Notification,
    NotificationHandler,
    Query,
    QueryHandler,
    Unit,
    handler,
    unit,
)
from django_functionalkit.registry import (
    DuplicateHandlerError,
    HandlerRegistrationError,
    Registry,
    make_spec,
    registry,
)
from tests.behaviors import Recording
from tests.testapp.messages import (
    CountItems,
    DomainEvent,
    GetGreeting,
    OrderPlaced,
    PlaceOrder,
)


@dataclass(frozen=True)
class GetUser(Query[str]):
    user_id: int


@dataclass(frozen=True)
class RenameUser(Command[Unit]):
    user_id: int
    name: str


@dataclass(frozen=True)
class Happened(Notification):
    what: str


@dataclass(frozen=True)
class UserEvent(Notification):
    user_id: int


@dataclass(frozen=True)
class UserRenamed(UserEvent):
    name: str


@dataclass(frozen=True)
class UserRenamedTwice(UserRenamed):
    pass


class Marker:
    """A plain mixin: not a message."""


# -- what @handler registers -----------------------------------------------------------------------


def test_handler_registers_a_function_by_its_first_parameter_and_returns_it_unchanged(
    restore_registry: None,
) -> None:
    def get_user(query: GetUser) -> str:
        return f"user {query.user_id}"

    assert handler(get_user) is get_user
    spec = registry.handler_for(GetUser)
    assert spec is not None
    assert spec.target is get_user
    assert spec.message_type is GetUser
    assert not spec.is_async
    assert not spec.is_class
    assert spec.name == f"{__name__}.{get_user.__qualname__}"


def test_handler_with_parentheses_and_no_options_registers_too(restore_registry: None) -> None:
    @handler()
    def get_user(query: GetUser) -> str:
        return "ada"

    assert registry.handler_for(GetUser) is not None
    assert registry.handler_for(GetUser).target is get_user  # type: ignore[union-attr]
    assert Messenger(registry).query(GetUser(1)) == "ada"


def test_an_unknown_handler_option_is_a_type_error_naming_it(restore_registry: None) -> None:
    with pytest.raises(TypeError, match=r"unknown option\(s\) retries; known: background, retry"):

        @handler(retries=3)
        def get_user(query: GetUser) -> str:
            return "ada"

    assert registry.handler_for(GetUser) is None


def test_explicit_string_annotations_are_resolved() -> None:
    def get_user(query: "GetUser") -> str:
        return "ada"

    def heard(event: "Happened") -> None:
        pass

    assert make_spec(get_user).message_type is GetUser
    assert make_spec(heard).message_type is Happened


def test_handlers_in_a_module_with_future_annotations_are_registered() -> None:
    # tests/testapp/handlers.py starts with `from __future__ import annotations`.
    # (No test module imports it: discovery did, at start-up.)
    greeting, order = registry.handler_for(GetGreeting), registry.handler_for(PlaceOrder)
    assert greeting is not None
    assert greeting.name == "tests.testapp.handlers.get_greeting"
    assert order is not None
    assert order.name == "tests.testapp.handlers.PlaceOrderHandler"
    assert order.is_class


def test_a_positional_only_first_parameter_is_read_too() -> None:
    def get_user(query: GetUser, /) -> str:
        return "ada"

    assert make_spec(get_user).message_type is GetUser


def test_async_functions_are_registered_as_async() -> None:
    async def get_user(query: GetUser) -> str:
        await asyncio.sleep(0)
        return "ada"

    spec = make_spec(get_user)
    assert spec.is_async
    assert registry.handler_for(CountItems).is_async  # type: ignore[union-attr]


def test_handler_classes_register_by_the_annotation_of_handle() -> None:
    class GetUserHandler(QueryHandler[GetUser, str]):
        def handle(self, query: GetUser) -> str:
            return "ada"

    class RenameUserHandler(CommandHandler[RenameUser, Unit]):
        async def handle(self, command: RenameUser) -> Unit:
            return unit

    class HappenedHandler(NotificationHandler[Happened]):
        def handle(self, notification: Happened) -> None:
            pass

    query_spec = make_spec(GetUserHandler)
    command_spec = make_spec(RenameUserHandler)
    notification_spec = make_spec(HappenedHandler)
    assert (query_spec.message_type, query_spec.is_class, query_spec.is_async) == (
        GetUser,
        True,
        False,
    )
    assert (command_spec.message_type, command_spec.is_async) == (RenameUser, True)
    assert notification_spec.message_type is Happened


def test_a_plain_class_with_a_handle_method_is_a_handler_class_too() -> None:
    class GetUserHandler:
        def handle(self, query: GetUser) -> str:
            return "ada"

    assert make_spec(GetUserHandler).message_type is GetUser


# -- what @handler refuses, at import time ---------------------------------------------------------


def missing_annotation(query):  # type: ignore[no-untyped-def]
    return "ada"


def annotated_with_int(query: int) -> str:
    return "ada"


def annotated_with_a_marker(query: Marker) -> str:
    return "ada"


def takes_nothing() -> str:
    return "ada"


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        (missing_annotation, "annotate its first parameter `query`"),
        (annotated_with_int, "annotated with int, which is not"),
        (annotated_with_a_marker, "annotated with Marker, which is not"),
        (takes_nothing, "takes no message"),
    ],
)
def test_a_function_without_a_message_annotation_is_refused_naming_it_and_what_was_expected(
    function: Any, expected: str, restore_registry: None
) -> None:
    before = registry.specs()
    with pytest.raises(HandlerRegistrationError) as excinfo:
        handler(function)
    message = str(excinfo.value)
    assert f"{__name__}.{function.__qualname__}" in message
    assert expected in message
    assert "Query, Command or Notification" in message
    assert registry.specs() == before


def test_a_registration_error_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        handler(annotated_with_int)


def test_an_annotation_that_cannot_be_resolved_is_refused_naming_the_function() -> None:
    def get_user(query: "NoSuchMessage") -> str:  # type: ignore[name-defined]  # noqa: F821
        return "ada"

    with pytest.raises(HandlerRegistrationError, match=r"get_user.*NoSuchMessage"):
        handler(get_user)


def test_a_class_without_handle_is_refused() -> None:
    class NotAHandler:
        def run(self, query: GetUser) -> str:
            return "ada"

    with pytest.raises(HandlerRegistrationError, match=r"NotAHandler.*no handle\(\) method"):
        handler(NotAHandler)


def test_a_handler_class_whose_handle_is_not_annotated_is_refused() -> None:
    class GetUserHandler(QueryHandler[GetUser, str]):
        def handle(self, query):  # type: ignore[no-untyped-def]
            return "ada"

    with pytest.raises(HandlerRegistrationError, match="GetUserHandler"):
        handler(GetUserHandler)


def test_a_handler_class_that_does_not_override_handle_is_refused() -> None:
    class Lazy(QueryHandler[GetUser, str]):
        pass

    with pytest.raises(HandlerRegistrationError, match="Lazy"):
        handler(Lazy)


def test_something_that_is_not_callable_is_refused() -> None:
    with pytest.raises(HandlerRegistrationError, match="function or a class"):
        handler(42)  # type: ignore[call-overload]


# -- one handler per query and command -------------------------------------------------------------


def first_get_user(query: GetUser) -> str:
    return "first"


def second_get_user(query: GetUser) -> str:
    return "second"


def test_a_second_different_handler_is_a_duplicate_error_at_dispatch_naming_both() -> None:
    handlers = Registry()
    handlers.register(make_spec(first_get_user))
    handlers.register(make_spec(second_get_user))
    messenger = Messenger(handlers)
    with pytest.raises(DuplicateHandlerError) as excinfo:
        messenger.query(GetUser(1))
    message = str(excinfo.value)
    assert "GetUser" in message
    assert f"{__name__}.first_get_user" in message
    assert f"{__name__}.second_get_user" in message
    # Still refused on the next dispatch: a duplicate is never cached as a working pipeline.
    with pytest.raises(DuplicateHandlerError):
        messenger.query(GetUser(1))
    assert [s.target for s in handlers.duplicates()[GetUser]] == [first_get_user, second_get_user]


async def test_a_duplicate_is_refused_on_the_async_path_too() -> None:
    handlers = Registry()
    handlers.register(make_spec(first_get_user))
    handlers.register(make_spec(second_get_user))
    with pytest.raises(DuplicateHandlerError):
        await Messenger(handlers).aquery(GetUser(1))


def test_registering_the_same_handler_twice_is_harmless() -> None:
    handlers = Registry()
    handlers.register(make_spec(first_get_user))
    handlers.register(make_spec(first_get_user))
    assert handlers.duplicates() == {}
    assert Messenger(handlers).query(GetUser(1)) == "first"


def test_the_same_handler_registered_twice_for_a_notification_runs_once() -> None:
    handlers = Registry()
    heard: list[Happened] = []

    def on_happened(event: Happened) -> None:
        heard.append(event)

    handlers.register(make_spec(on_happened))
    handlers.register(make_spec(on_happened))
    Messenger(handlers).publish(Happened("x"))
    assert heard == [Happened("x")]


# -- any number per notification -------------------------------------------------------------------


def test_notification_handlers_run_in_registration_order() -> None:
    handlers = Registry()
    calls: list[str] = []

    def make(name: str) -> Any:
        def on_happened(event: Happened) -> None:
            calls.append(name)

        on_happened.__qualname__ = name
        return on_happened

    for name in ("c", "a", "b"):
        handlers.register(make_spec(make(name)))
    Messenger(handlers).publish(Happened("x"))
    assert calls == ["c", "a", "b"]


@given(st.lists(st.integers(min_value=0, max_value=5), max_size=12))
def test_notification_handlers_run_once_each_in_first_registration_order(
    registrations: list[int],
) -> None:
    """Whatever order and repetition handlers are registered in, each runs once, first-come."""
    calls: list[int] = []

    def make(n: int) -> Any:
        def on_happened(event: Happened) -> None:
            calls.append(n)

        return on_happened

    pool = [make(n) for n in range(6)]
    handlers = Registry()
    for n in registrations:
        handlers.register(make_spec(pool[n]))
    Messenger(handlers).publish(Happened("x"))
    assert calls == list(dict.fromkeys(registrations))


def test_a_base_class_handler_hears_every_subclass_once() -> None:
    handlers = Registry()
    heard: list[tuple[str, UserEvent]] = []

    def audit(event: UserEvent) -> None:
        heard.append(("audit", event))

    def on_renamed(event: UserRenamed) -> None:
        heard.append(("renamed", event))

    handlers.register(make_spec(audit))
    handlers.register(make_spec(on_renamed))
    messenger = Messenger(handlers)

    messenger.publish(UserEvent(1))
    messenger.publish(UserRenamed(2, "Ada"))
    messenger.publish(UserRenamedTwice(3, "Grace"))
    assert heard == [
        ("audit", UserEvent(1)),
        ("audit", UserRenamed(2, "Ada")),
        ("renamed", UserRenamed(2, "Ada")),
        ("audit", UserRenamedTwice(3, "Grace")),
        ("renamed", UserRenamedTwice(3, "Grace")),
    ]


def test_a_handler_registered_for_a_base_and_a_subclass_hears_the_subclass_once() -> None:
    handlers = Registry()
    heard: list[UserEvent] = []

    def audit(event: UserEvent) -> None:
        heard.append(event)

    handlers.register(make_spec(audit))
    handlers.register(make_spec(audit, message_type=UserRenamed))
    Messenger(handlers).publish(UserRenamed(1, "Ada"))
    assert heard == [UserRenamed(1, "Ada")]


def test_the_event_store_of_the_test_app_hears_every_domain_event() -> None:
    heard_by = {s.name for s in registry.notification_handlers(OrderPlaced)}
    assert heard_by == {
        "tests.testapp.handlers.EventStoreHandler",
        "tests.testapp.handlers.email_customer",
    }
    assert [s.name for s in registry.notification_handlers(DomainEvent)] == [
        "tests.testapp.handlers.EventStoreHandler"
    ]


def test_a_notification_nobody_hears_is_published_without_error(
    caplog: pytest.LogCaptureFixture, behavior_log: list[tuple[str, str, str, object]]
) -> None:
    """No handler is no mistake for a notification (as it is for a query): no error, no log
    line; the behaviors still see it go by."""
    handlers = Registry()
    assert handlers.notification_handlers(Happened) == []
    bus = Messenger(handlers, behaviors=[Recording()])
    with caplog.at_level(logging.DEBUG, logger="django_functionalkit"):
        assert bus.publish(Happened("into the void")) is None  # type: ignore[func-returns-value]
    assert caplog.records == []
    assert [(event, kind) for _, event, kind, _ in behavior_log] == [
        ("before", "notification"),
        ("after", "notification"),
    ]


# -- override, for tests ---------------------------------------------------------------------------


def test_override_replaces_the_handler_inside_the_block_only() -> None:
    handlers = Registry()
    handlers.register(make_spec(first_get_user))
    messenger = Messenger(handlers)
    assert messenger.query(GetUser(1)) == "first"
    with handlers.override(GetUser, lambda query: f"fake {query.user_id}"):
        assert messenger.query(GetUser(1)) == "fake 1"
    assert messenger.query(GetUser(1)) == "first"


def test_override_hides_a_duplicate_inside_the_block_and_restores_it_after() -> None:
    handlers = Registry()
    handlers.register(make_spec(first_get_user))
    handlers.register(make_spec(second_get_user))
    messenger = Messenger(handlers)
    with handlers.override(GetUser, lambda query: "fake"):
        assert messenger.query(GetUser(1)) == "fake"
    with pytest.raises(DuplicateHandlerError):
        messenger.query(GetUser(1))


def test_override_of_a_notification_replaces_its_own_handlers() -> None:
    handlers = Registry()
    heard: list[str] = []

    def on_happened(event: Happened) -> None:
        heard.append("real")

    handlers.register(make_spec(on_happened))
    messenger = Messenger(handlers)
    with handlers.override(Happened, lambda event: heard.append("fake")):
        messenger.publish(Happened("x"))
    messenger.publish(Happened("x"))
    assert heard == ["fake", "real"]
