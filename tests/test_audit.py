"""AuditBehavior and the audit log: what it records, redacts and caps, and what survives rollbacks.

Messages are dispatched by real messengers with real handlers; entries are read back from the
database. The rollback rule runs with real transactions (``transaction=True``), on SQLite and on
PostgreSQL (scripts/test.sh); what differs between them is said where it differs.
"""

from __future__ import annotations

import datetime
import enum
import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connections, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from django_functionalkit import (
    Audited,
    Command,
    Failure,
    MessageContext,
    Messenger,
    Nothing,
    Notification,
    Query,
    Result,
    Some,
    Success,
    Unit,
    messenger,
    set_actor,
    unit,
)
from django_functionalkit.audit_payload import REDACTED, AuditPayload, cap
from django_functionalkit.behaviors.audit import AuditBehavior, _Started, entry_fields
from django_functionalkit.behaviors.transaction import TransactionBehavior
from django_functionalkit.checks import check_audit
from django_functionalkit.context import use_context
from django_functionalkit.errors import Error, FieldError, InvalidInput, NotFound
from django_functionalkit.models import AuditEntry
from django_functionalkit.registry import Registry, make_spec
from tests.testapp.messages import CancelOrder, GetGreeting, PlaceOrder

# SQLite allows one writer at a time: a second connection cannot commit while the outer
# transaction holds the write lock (the test_on_sqlite_* tests show what happens instead).
postgres_only = pytest.mark.database("postgresql")
sqlite_only = pytest.mark.database("sqlite")
both_connections = pytest.mark.django_db(transaction=True, databases=["default", "audit"])

AUDIT = "django_functionalkit.behaviors.audit.AuditBehavior"


# -- messages and handlers ----------------------------------------------------------------------


@dataclass(frozen=True)
class CreateGroup(Command[Result[int, Error]]):
    """Writes a group, then succeeds, fails or raises as asked."""

    name: str
    new_password: str = "hunter22-secret"
    fail: bool = False
    explode: bool = False


@dataclass(frozen=True)
class CreateTwoGroups(Command[Result[int, Error]]):
    """Writes a group, then sends a ``CreateGroup`` that fails (a nested command)."""

    outer: str
    inner: str


@dataclass(frozen=True)
class GetGroupCount(Query[int]):
    pass


@dataclass(frozen=True)
class GetSecretReport(Query[Result[dict[str, Any], Error]], Audited):
    report_id: int


@dataclass(frozen=True)
class GroupRenamed(Notification):
    name: str


@dataclass(frozen=True)
class GroupDeleted(Notification, Audited):
    name: str


@dataclass(frozen=True)
class Store(Command[Any]):
    """Stores anything; its handler returns what it was given."""

    value: Any


def create_group(command: CreateGroup) -> Result[int, Error]:
    group = Group.objects.create(name=command.name)
    if command.explode:
        raise ValueError(f"boom while setting the password to {command.new_password}")
    if command.fail:
        return Failure(NotFound(f"no such group template for {command.name}"))
    return Success(group.pk)


def get_group_count(query: GetGroupCount) -> int:
    return Group.objects.count()


def get_secret_report(query: GetSecretReport) -> Result[dict[str, Any], Error]:
    return Success({"report": query.report_id, "api_key": "sk-live-123456"})


def on_renamed(event: GroupRenamed) -> None:
    pass


def on_deleted(event: GroupDeleted) -> None:
    pass


def store(command: Store) -> Any:
    return command.value


def audited_messenger(*behaviors: object) -> Messenger:
    """A messenger of this module's handlers: AuditBehavior outside TransactionBehavior."""
    handlers = Registry()
    bus = Messenger(handlers, behaviors=list(behaviors) or [AuditBehavior(), TransactionBehavior()])

    def create_two(command: CreateTwoGroups) -> Result[int, Error]:
        Group.objects.create(name=command.outer)
        bus.send(CreateGroup(command.inner, fail=True))
        return Success(Group.objects.count())

    for target in (
        create_group,
        create_two,
        get_group_count,
        get_secret_report,
        on_renamed,
        on_deleted,
        store,
    ):
        handlers.register(make_spec(target))
    return bus


def entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.order_by("id"))


def only_entry() -> AuditEntry:
    (entry,) = entries()
    return entry


def group_names() -> list[str]:
    return sorted(Group.objects.values_list("name", flat=True))


def stored_text(entry: AuditEntry) -> str:
    """Everything the entry stores, as text, to look for secrets in."""
    return json.dumps(
        [entry.request_data, entry.outcome, entry.error, entry.actor_name], ensure_ascii=False
    )


@pytest.fixture
def ada(db: None) -> User:
    return User.objects.create_user("ada", password="not-in-the-log")


# -- what an entry records ----------------------------------------------------------------------


def test_a_successful_command_is_recorded_with_its_context(ada: User) -> None:
    context = MessageContext(actor=ada, request_id="req-42", client_ip="10.1.2.3")
    with use_context(context):
        result = audited_messenger().send(CreateGroup("editors"))

    entry = only_entry()
    assert result == Success(entry.outcome)
    assert entry.success is True
    assert entry.kind == "command"
    assert entry.message_type == "tests.test_audit.CreateGroup"
    assert entry.request_data == {
        "name": "editors",
        "new_password": REDACTED,
        "fail": False,
        "explode": False,
    }
    assert entry.error == ""
    assert entry.actor == ada
    assert entry.actor_name == "ada"
    assert entry.request_id == "req-42"
    assert entry.client_ip == "10.1.2.3"
    assert 0 < entry.duration < 5
    assert "hunter22-secret" not in stored_text(entry)


def test_a_failure_is_recorded_with_its_error_value(db: None) -> None:
    result = audited_messenger().send(CreateGroup("editors", fail=True))

    assert result == Failure(NotFound("no such group template for editors"))
    entry = only_entry()
    assert entry.success is False
    assert entry.outcome == {"detail": "no such group template for editors", "code": "not_found"}
    assert entry.error == "no such group template for editors"
    assert entry.actor is None
    assert entry.actor_name == ""


def test_an_exception_is_recorded_and_reaches_the_caller_unchanged(db: None) -> None:
    with pytest.raises(ValueError, match="boom") as raised:
        audited_messenger().send(CreateGroup("editors", explode=True))

    entry = only_entry()
    assert entry.success is False
    assert entry.outcome == {
        "exception": "builtins.ValueError",
        "message": f"boom while setting the password to {REDACTED}",
    }
    assert entry.error == f"ValueError: boom while setting the password to {REDACTED}"
    # The secret echoed by the message is scrubbed from the entry, not from the exception.
    assert "hunter22-secret" not in stored_text(entry)
    assert "hunter22-secret" in str(raised.value)
    assert raised.value.__traceback__ is not None
    assert any(frame.name == "create_group" for frame in raised.traceback)


def test_the_entry_outlives_its_actor_by_name(ada: User) -> None:
    with set_actor(ada):
        audited_messenger().send(CreateGroup("editors"))
    ada.delete()

    entry = only_entry()
    assert entry.actor is None
    assert entry.actor_name == "ada"


def test_an_actor_that_is_not_a_user_is_kept_by_name(db: None) -> None:
    with set_actor("nightly-import"):
        audited_messenger().send(CreateGroup("editors"))

    entry = only_entry()
    assert entry.actor is None
    assert entry.actor_name == "nightly-import"


def test_a_client_address_that_is_not_an_ip_is_left_out(db: None) -> None:
    with use_context(MessageContext(client_ip="not an address", request_id="r" * 300)):
        audited_messenger().send(CreateGroup("editors"))

    entry = only_entry()
    assert entry.client_ip is None
    assert entry.request_id == "r" * 255


# -- which messages ------------------------------------------------------------------------------


def test_queries_and_notifications_are_not_audited_unless_marked(db: None) -> None:
    bus = audited_messenger()
    assert bus.query(GetGroupCount()) == 0
    bus.publish(GroupRenamed("editors"))
    assert entries() == []

    assert bus.query(GetSecretReport(7)) == Success({"report": 7, "api_key": "sk-live-123456"})
    bus.publish(GroupDeleted("editors"))

    report, deleted = entries()
    assert (report.kind, report.outcome) == ("query", {"report": 7, "api_key": REDACTED})
    assert (deleted.kind, deleted.success, deleted.outcome) == ("notification", True, None)


def test_audit_queries_records_every_query(db: None) -> None:
    bus = audited_messenger()
    with override_settings(FUNCTIONALKIT={"AUDIT_QUERIES": True}):
        assert bus.query(GetGroupCount()) == 0
        bus.publish(GroupRenamed("editors"))  # notifications still need the marker

    assert [(e.kind, e.message_type, e.outcome) for e in entries()] == [
        ("query", "tests.test_audit.GetGroupCount", 0)
    ]


def test_the_configured_behavior_audits_discovered_handlers(db: None, shop: None) -> None:
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": [AUDIT]}):
        assert messenger.send(PlaceOrder("book", 2)) == Success(1)
        assert messenger.send(PlaceOrder("book", 0)) == Failure("quantity must be positive, got 0")
        assert messenger.send(CancelOrder(1)) is unit
        assert messenger.query(GetGreeting("ada")) == "Hello, ada!"

    placed, refused, cancelled = entries()
    assert placed.message_type == "tests.testapp.messages.PlaceOrder"
    assert (placed.success, placed.request_data, placed.outcome) == (
        True,
        {"product": "book", "quantity": 2},
        1,
    )
    assert (refused.success, refused.outcome, refused.error) == (
        False,
        "quantity must be positive, got 0",
        "quantity must be positive, got 0",
    )
    assert (cancelled.success, cancelled.outcome) == (True, None)  # Unit


def test_an_unknown_audit_database_stops_the_first_dispatch(db: None) -> None:
    bus = audited_messenger()
    with (
        override_settings(FUNCTIONALKIT={"AUDIT_DATABASE": "audit-log"}),
        pytest.raises(ImproperlyConfigured, match=r"AUDIT_DATABASE.*'audit-log'.*not in DATABASES"),
    ):
        bus.send(CreateGroup("editors"))
    assert group_names() == []  # refused before the handler ran


def test_the_check_and_the_first_dispatch_refuse_an_unknown_audit_database_alike(
    db: None,
) -> None:
    with override_settings(FUNCTIONALKIT={"AUDIT_DATABASE": "audit-log"}):
        (error,) = [m for m in check_audit() if m.id == "functionalkit.E006"]
        with pytest.raises(ImproperlyConfigured) as raised:
            audited_messenger().send(CreateGroup("editors"))
    assert str(raised.value) == f"{error.msg} {error.hint}"
    assert "(default, audit" in error.msg  # the aliases there are


def test_a_failed_write_is_logged_and_changes_nothing_else(
    db: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(fields: dict[str, Any]) -> None:
        raise OperationalError("disk full")

    monkeypatch.setattr("django_functionalkit.behaviors.audit.write", refuse)
    with caplog.at_level(logging.ERROR, logger="django_functionalkit.audit"):
        result = audited_messenger().send(CreateGroup("editors"))

    assert isinstance(result, Success)
    assert group_names() == ["editors"]
    (logged,) = caplog.records
    assert logged.getMessage().startswith(
        "The audit entry of tests.test_audit.CreateGroup could not be written: {"
    )
    assert '"new_password": "[redacted]"' in logged.getMessage()
    assert "hunter22-secret" not in logged.getMessage()


# -- async --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_the_async_path_records_success_failure_and_exceptions() -> None:
    bus = audited_messenger()
    assert isinstance(await bus.asend(CreateGroup("editors")), Success)
    assert isinstance(await bus.asend(CreateGroup("writers", fail=True)), Failure)
    with pytest.raises(ValueError, match="boom"):
        await bus.asend(CreateGroup("readers", explode=True))

    recorded = [e async for e in AuditEntry.objects.order_by("id")]
    assert [(e.request_data["name"], e.success) for e in recorded] == [
        ("editors", True),
        ("writers", False),
        ("readers", False),
    ]
    assert recorded[2].outcome == {
        "exception": "builtins.ValueError",
        "message": f"boom while setting the password to {REDACTED}",
    }
    assert [g async for g in Group.objects.values_list("name", flat=True)] == ["editors"]


# -- values, redaction and size --------------------------------------------------------------------


class Colour(enum.Enum):
    RED = "red"


@dataclass(frozen=True)
class Address:
    city: str
    api_key: str


def test_values_of_every_common_type_are_stored_as_plain_json(ada: User) -> None:
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    value = {
        "decimal": Decimal("19.90"),
        "uuid": ident,
        "when": datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
        "day": datetime.date(2026, 1, 2),
        "user": ada,
        "tags": {"b", "a"},
        "pair": (1, 2),
        "colour": Colour.RED,
        "address": Address("Paris", "k-123456"),
        "results": [Success(1), Failure(NotFound("gone"))],
        "options": [Some("x"), Nothing()],
        "invalid": InvalidInput.of([FieldError("email", "taken")]),
        "unit": Unit(),
        "huge": 10**40,
        "nan": float("nan"),
    }
    audited_messenger().send(Store(value))

    stored = only_entry().request_data["value"]
    assert stored == {
        "decimal": "19.90",
        "uuid": "12345678-1234-5678-1234-567812345678",
        "when": "2026-01-02T03:04:05+00:00",
        "day": "2026-01-02",
        "user": {"model": "auth.user", "pk": ada.pk},
        "tags": ["a", "b"],
        "pair": [1, 2],
        "colour": "red",
        "address": {"city": "Paris", "api_key": REDACTED},
        "results": [{"success": 1}, {"failure": {"detail": "gone", "code": "not_found"}}],
        "options": [{"some": "x"}, {"nothing": None}],
        "invalid": {
            "detail": "email: taken",
            "code": "invalid",
            "errors": [{"field": "email", "message": "taken", "code": "invalid"}],
        },
        "unit": None,
        "huge": str(10**40),
        "nan": "nan",
    }


def test_secrets_are_redacted_at_any_depth_and_by_setting(db: None) -> None:
    value = {
        "profile": {"Access_Token": "tok-123456", "name": "ada"},
        "headers": [("Authorization", "Bearer abcdef"), ("Accept", "text/html")],
        "clientSecret": {"nested": "s3cr3t-value"},
        "X-Api-Key": "k-987654",
        "ssn": "078-05-1120",
        "note": "the token is tok-123456",
        "header": ("Authorization", "Basic YWRhOnB3"),
    }
    with override_settings(FUNCTIONALKIT={"AUDIT_REDACT": ["SSN"]}):
        audited_messenger().send(Store(value))

    entry = only_entry()
    assert entry.request_data["value"] == {
        "profile": {"Access_Token": REDACTED, "name": "ada"},
        "headers": [["Authorization", REDACTED], ["Accept", "text/html"]],
        "clientSecret": REDACTED,
        "X-Api-Key": REDACTED,
        "ssn": REDACTED,
        "note": f"the token is {REDACTED}",  # a redacted value echoed elsewhere is scrubbed too
        "header": ["Authorization", REDACTED],
    }
    for secret in ("tok-123456", "Bearer abcdef", "s3cr3t-value", "k-987654", "078-05-1120"):
        assert secret not in stored_text(entry)


def test_one_extra_name_given_as_a_string_is_one_name() -> None:
    payload = AuditPayload(redact="pin")
    assert payload.dump({"pin": "1234", "spinner": "x", "name": "ada"}) == {
        "pin": REDACTED,
        "spinner": REDACTED,  # names match as parts
        "name": "ada",
    }


def test_a_large_payload_is_capped_with_a_marker_and_its_size(db: None) -> None:
    with override_settings(FUNCTIONALKIT={"AUDIT_MAX_PAYLOAD": 200}):
        audited_messenger().send(Store("é" * 1000))

    entry = only_entry()
    request_data, outcome = entry.request_data, entry.outcome
    assert isinstance(outcome, dict)
    for stored in (request_data, outcome):
        assert stored["truncated"] is True
        assert len(json.dumps(stored, ensure_ascii=False)) <= 200
    assert request_data["size"] == len(json.dumps({"value": "é" * 1000}, ensure_ascii=False))
    assert request_data["preview"].startswith('{"value": "ééé')
    assert outcome["size"] == 1002  # the string and its quotes


SECRET_KEY_NAMES = st.sampled_from(
    ["password", "new_password", "Access-Token", "client_secret", "API_KEY", "authorization"]
)
PLAIN_KEYS = st.text(alphabet="bcdfgmqvxz", min_size=1, max_size=6)  # never spell a secret key
PLAIN_TEXT = st.text(alphabet=st.characters(exclude_characters="§\x00"), max_size=12)
SECRETS = st.text(alphabet="0123456789abcdefXYZ", min_size=6, max_size=16).map(lambda s: f"§{s}")


@st.composite
def payloads(draw: st.DrawFn) -> tuple[Any, list[str]]:
    """A nested payload with secrets under secret keys at random depths, and the secrets."""
    secrets: list[str] = []

    def with_secret(inner: Any) -> Any:
        secret = draw(SECRETS)
        secrets.append(secret)
        return {draw(SECRET_KEY_NAMES): secret, draw(PLAIN_KEYS): inner}

    leaves = st.one_of(st.none(), st.integers(), PLAIN_TEXT, st.booleans())
    tree = st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(PLAIN_KEYS, children, max_size=3),
            children.map(with_secret),
        ),
        max_leaves=12,
    )
    return with_secret(draw(tree)), secrets


@hypothesis_settings(max_examples=200, deadline=None)
@given(payloads(), st.integers(min_value=0, max_value=400))
def test_no_secret_ever_appears_in_what_is_stored(
    drawn: tuple[Any, list[str]], max_payload: int
) -> None:
    payload, secrets = drawn
    echoed = ValueError(f"rejected {payload!r}")  # an error message that repeats the input
    with override_settings(FUNCTIONALKIT={"AUDIT_MAX_PAYLOAD": max_payload}):
        fields = entry_fields(_Started(), Store(payload), echoed, 0.1)
    stored = json.dumps(
        [fields["request_data"], fields["outcome"], fields["error"]],
        ensure_ascii=False,
        allow_nan=False,  # and it is strict JSON
    )
    for secret in secrets:
        assert secret not in stored


@given(st.recursive(st.one_of(st.none(), st.floats(), PLAIN_TEXT), st.lists), st.integers(0, 300))
def test_capped_values_are_json_and_short_enough(value: Any, max_chars: int) -> None:
    dumped = AuditPayload().dump(value)
    capped = cap(dumped, max_chars)
    text = json.dumps(capped, ensure_ascii=False, allow_nan=False)
    marker_floor = len(json.dumps({"truncated": True, "size": 10**6, "preview": ""}))
    assert len(text) <= max(max_chars, marker_floor)
    if capped == dumped:
        assert len(json.dumps(dumped, ensure_ascii=False)) <= max_chars


# -- the rollback rule ---------------------------------------------------------------------------


@pytest.fixture(params=[None, "audit"], ids=["default connection", "audit alias"])
def audit_database(request: pytest.FixtureRequest) -> Iterator[str | None]:
    with override_settings(FUNCTIONALKIT={"AUDIT_DATABASE": request.param}):
        yield request.param


@both_connections
@pytest.mark.parametrize("how", ["failure", "exception"])
def test_a_failed_command_at_top_level_keeps_its_entry(
    audit_database: str | None, how: str
) -> None:
    bus = audited_messenger()
    command = CreateGroup("editors", fail=how == "failure", explode=how == "exception")
    if how == "exception":
        with pytest.raises(ValueError, match="boom"):
            bus.send(command)
    else:
        assert isinstance(bus.send(command), Failure)

    assert group_names() == []  # the command's transaction rolled back
    assert [(e.message_type, e.success) for e in entries()] == [
        ("tests.test_audit.CreateGroup", False)
    ]


@both_connections
async def test_a_failed_async_command_at_top_level_keeps_its_entry(
    audit_database: str | None,
) -> None:
    result = await audited_messenger().asend(CreateGroup("editors", fail=True))

    assert isinstance(result, Failure)
    assert [g async for g in Group.objects.all()] == []
    assert [e.success async for e in AuditEntry.objects.all()] == [False]


@both_connections
def test_at_top_level_the_audit_alias_writes_through_its_own_connection() -> None:
    with (
        override_settings(FUNCTIONALKIT={"AUDIT_DATABASE": "audit"}),
        CaptureQueriesContext(connections["audit"]) as audit_queries,
    ):
        audited_messenger().send(CreateGroup("editors", fail=True))

    inserts = [q["sql"] for q in audit_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert "functionalkit_auditentry" in inserts[0]


@postgres_only
@both_connections
@pytest.mark.parametrize("how", ["rolled back", "exception"])
def test_entries_survive_an_outer_rollback_through_the_audit_alias(how: str) -> None:
    bus = audited_messenger()
    with override_settings(FUNCTIONALKIT={"AUDIT_DATABASE": "audit"}):
        try:
            with transaction.atomic():  # as ATOMIC_REQUESTS wraps a view
                bus.send(CreateGroup("kept until the outer rollback"))
                bus.send(CreateTwoGroups("outer", "inner"))  # a nested command that fails
                if how == "exception":
                    bus.send(CreateGroup("editors", explode=True))
                transaction.set_rollback(True)
        except ValueError:
            assert how == "exception"

    assert group_names() == []
    recorded = [
        (e.request_data.get("name") or e.request_data["outer"], e.success) for e in entries()
    ]
    expected = [("kept until the outer rollback", True), ("inner", False), ("outer", True)]
    if how == "exception":
        expected.append(("editors", False))
    assert recorded == expected


@postgres_only
@both_connections
def test_an_actor_created_in_the_outer_transaction_does_not_block_the_entry() -> None:
    # The audit connection cannot see this user; with a foreign key constraint the insert would
    # fail (or wait on the uncommitted row). The entry keeps the actor's id and name.
    with override_settings(FUNCTIONALKIT={"AUDIT_DATABASE": "audit"}), transaction.atomic():
        grace = User.objects.create_user("grace")
        with set_actor(grace):
            audited_messenger().send(CreateGroup("editors", fail=True))
        transaction.set_rollback(True)

    entry = only_entry()
    assert (entry.actor_name, entry.success) == ("grace", False)
    assert entry.actor_id is not None
    assert not User.objects.filter(pk=entry.actor_id).exists()


@sqlite_only
@both_connections
def test_on_sqlite_a_second_connection_cannot_write_inside_anothers_transaction() -> None:
    # The premise of the SQLite rule: the write lock is held until the transaction ends. On the
    # tests' shared-cache memory database the second writer fails at once; on a database file it
    # waits for the timeout (5 s), then fails the same way: "database is locked".
    with transaction.atomic():
        Group.objects.create(name="holds the write lock")
        with pytest.raises(OperationalError, match="locked"):
            Group.objects.using("audit").create(name="second writer")


@sqlite_only
@both_connections
@pytest.mark.parametrize("outer", ["rolled back", "committed"])
def test_on_sqlite_inside_a_transaction_the_entry_shares_its_fate(outer: str) -> None:
    bus = audited_messenger()
    with (
        override_settings(FUNCTIONALKIT={"AUDIT_DATABASE": "audit"}),
        CaptureQueriesContext(connections["audit"]) as audit_queries,
        transaction.atomic(),
    ):
        assert isinstance(bus.send(CreateGroup("editors", fail=True)), Failure)
        bus.send(CreateGroup("writers"))
        transaction.set_rollback(outer == "rolled back")

    # Written through the default connection, inside the outer transaction: no error, no wait.
    assert [q["sql"] for q in audit_queries if q["sql"].startswith("INSERT")] == []
    if outer == "rolled back":
        assert entries() == []
        assert group_names() == []
    else:
        assert [(e.request_data["name"], e.success) for e in entries()] == [
            ("editors", False),
            ("writers", True),
        ]
        assert group_names() == ["writers"]


@both_connections
def test_without_an_audit_database_an_outer_rollback_takes_the_entries_along() -> None:
    with transaction.atomic():
        audited_messenger().send(CreateGroup("editors", fail=True))
        transaction.set_rollback(True)
    assert entries() == []


@pytest.mark.django_db
def test_a_behavior_listed_inside_the_transaction_still_records() -> None:
    # Not the recommended order (the entry then lives in the command's transaction): it works,
    # and a success is recorded as one.
    bus = audited_messenger(TransactionBehavior(), AuditBehavior())
    assert isinstance(bus.send(CreateGroup("editors")), Success)
    assert only_entry().success is True


@pytest.mark.django_db(transaction=True)
def test_a_failed_audit_write_does_not_doom_the_callers_transaction(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The audit table is gone (not migrated, say): the command's outcome and the outer
    transaction are unaffected, and the lost entry is logged."""
    from django.db import connection, transaction

    bus = audited_messenger()
    with transaction.atomic():
        with connection.cursor() as cursor:  # DDL is transactional: rolled back below
            cursor.execute(f"DROP TABLE {connection.ops.quote_name(AuditEntry._meta.db_table)}")
        result = bus.send(CreateGroup("editors"))
        assert isinstance(result, Success)
        assert group_names() == ["editors"]  # the transaction is still usable
        transaction.set_rollback(True)
    assert AuditEntry.objects.count() == 0  # the table is back
    assert any("audit" in r.getMessage().lower() for r in caplog.records)


@pytest.mark.parametrize(
    "key",
    [
        "passwd",
        "pwd",
        "passphrase",
        "private_key",
        "signingKey",
        "credentials",
        "pin",
        "cvv",
        "otp",
        "credit_card",
        "cardNumber",
        "apiKey",
    ],
)
def test_more_names_of_secrets_are_redacted(key: str) -> None:
    from django_functionalkit.audit_payload import AuditPayload

    assert AuditPayload().dump({key: "hunter2-value"}) == {key: "[redacted]"}


@pytest.mark.parametrize("key", ["shipping", "footprint", "passenger", "compass", "spinner"])
def test_innocent_keys_that_contain_a_short_secret_name_are_kept(key: str) -> None:
    from django_functionalkit.audit_payload import AuditPayload

    assert AuditPayload().dump({key: "value"}) == {key: "value"}
