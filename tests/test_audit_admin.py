"""The audit log in the admin, through the test client: read-only, filtered, searched, redacted."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from django_functionalkit import Command, Failure, MessageContext, Messenger, Result, Success
from django_functionalkit.behaviors.audit import AuditBehavior
from django_functionalkit.context import use_context
from django_functionalkit.errors import Conflict, Error
from django_functionalkit.models import AuditEntry
from django_functionalkit.registry import Registry, make_spec

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:functionalkit_auditentry_changelist")


@dataclass(frozen=True)
class ChangeEmail(Command[Result[str, Error]]):
    email: str
    password: str


@dataclass(frozen=True)
class RenameProject(Command[Result[str, Error]]):
    name: str


def change_email(command: ChangeEmail) -> Result[str, Error]:
    if command.email.endswith("@taken.example"):
        return Failure(Conflict(f"{command.email} is already in use"))
    return Success(command.email)


def rename_project(command: RenameProject) -> Result[str, Error]:
    return Success(command.name)


def send(command: Command[Result[str, Error]], actor: User | None, request_id: str) -> AuditEntry:
    handlers = Registry()
    handlers.register(make_spec(change_email))
    handlers.register(make_spec(rename_project))
    with use_context(MessageContext(actor=actor, request_id=request_id, client_ip="192.0.2.7")):
        Messenger(handlers, behaviors=[AuditBehavior()]).send(command)
    return AuditEntry.objects.latest("id")


@pytest.fixture
def ada() -> User:
    return User.objects.create_user("ada")


@pytest.fixture
def changed(ada: User) -> AuditEntry:
    return send(ChangeEmail("ada@example.com", "correct horse battery"), ada, "req-changed")


@pytest.fixture
def refused(ada: User) -> AuditEntry:
    return send(ChangeEmail("ada@taken.example", "correct horse battery"), ada, "req-refused")


@pytest.fixture
def renamed() -> AuditEntry:
    return send(RenameProject("<script>alert(1)</script>"), None, "req-renamed")


@pytest.fixture
def superuser_client(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    return client


@pytest.fixture
def viewer_client(client: Client) -> Client:
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    client.force_login(viewer)
    return client


def listed(client: Client, **query: str) -> list[str]:
    """The request ids of the entries the change list shows for ``query``."""
    response = client.get(CHANGELIST, query)
    assert response.status_code == 200
    return re.findall(r'<td class="field-request_id">(req-[a-z]+)</td>', response.content.decode())


def detail(entry: AuditEntry) -> str:
    return reverse("admin:functionalkit_auditentry_change", args=[entry.pk])


# -- the list --------------------------------------------------------------------------------------


def test_the_list_shows_the_columns_newest_first(
    superuser_client: Client, changed: AuditEntry, refused: AuditEntry, ada: User
) -> None:
    response = superuser_client.get(CHANGELIST)
    html = response.content.decode()

    for column in ("When", "Actor", "Kind", "Message type", "Success", "Duration", "Request id"):
        assert f">{column}</" in html
    assert listed(superuser_client) == ["req-refused", "req-changed"]
    assert "tests.test_audit_admin.ChangeEmail" in html
    user_page = reverse("admin:auth_user_change", args=[ada.pk])
    assert f'<a href="{user_page}">ada</a>' in html
    assert re.search(r'<td class="field-duration_display">\d+\.\d\d ms</td>', html)


@pytest.mark.usefixtures("changed", "refused", "renamed")
def test_filters_narrow_the_list(superuser_client: Client) -> None:
    assert listed(superuser_client, success__exact="0") == ["req-refused"]
    assert listed(superuser_client, success__exact="1") == ["req-renamed", "req-changed"]
    assert listed(superuser_client, kind__exact="query") == []
    renames = {"message_type": "tests.test_audit_admin.RenameProject"}
    assert listed(superuser_client, **renames) == ["req-renamed"]
    entry = AuditEntry.objects.latest("id")
    year = {"timestamp__year": str(entry.timestamp.year)}
    assert listed(superuser_client, **year) == ["req-renamed", "req-refused", "req-changed"]
    assert listed(superuser_client, timestamp__year="1999") == []


@pytest.mark.usefixtures("changed", "refused", "renamed")
def test_search_finds_type_actor_request_id_and_error_text(superuser_client: Client) -> None:
    assert listed(superuser_client, q="RenameProject") == ["req-renamed"]
    assert listed(superuser_client, q="ada") == ["req-refused", "req-changed"]
    assert listed(superuser_client, q="req-changed") == ["req-changed"]
    assert listed(superuser_client, q="already in use") == ["req-refused"]


# -- one entry ------------------------------------------------------------------------------------


def test_the_detail_page_shows_redacted_pretty_json(
    viewer_client: Client, changed: AuditEntry, renamed: AuditEntry
) -> None:
    html = viewer_client.get(detail(changed)).content.decode()

    assert "correct horse battery" not in html
    assert "&quot;password&quot;: &quot;[redacted]&quot;" in html
    assert re.search(r"<pre[^>]*>\{\n  &quot;email&quot;: &quot;ada@example.com&quot;", html)
    assert "192.0.2.7" in html
    assert "req-changed" in html

    html = viewer_client.get(detail(renamed)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_deleted_actor_is_still_named_without_a_link(
    superuser_client: Client, changed: AuditEntry, ada: User
) -> None:
    ada.delete()
    html = superuser_client.get(CHANGELIST).content.decode()
    assert '<td class="field-actor_link">ada</td>' in html
    assert reverse("admin:auth_user_change", args=[ada.pk or 0]) not in html


# -- read-only -------------------------------------------------------------------------------------


def test_nobody_adds_or_edits_an_entry(superuser_client: Client, changed: AuditEntry) -> None:
    assert superuser_client.get(reverse("admin:functionalkit_auditentry_add")).status_code == 403
    response = superuser_client.post(detail(changed), {"message_type": "forged", "success": "on"})
    assert response.status_code == 403
    changed.refresh_from_db()
    assert changed.message_type == "tests.test_audit_admin.ChangeEmail"
    assert 'name="_save"' not in superuser_client.get(detail(changed)).content.decode()


def test_only_users_with_the_delete_permission_delete(
    viewer_client: Client, changed: AuditEntry, refused: AuditEntry, renamed: AuditEntry
) -> None:
    delete = reverse("admin:functionalkit_auditentry_delete", args=[changed.pk])
    assert viewer_client.get(delete).status_code == 403
    assert viewer_client.post(delete, {"post": "yes"}).status_code == 403
    assert "delete_selected" not in viewer_client.get(CHANGELIST).content.decode()
    assert AuditEntry.objects.count() == 3

    # Staff, not a superuser: the permission alone lets them delete, one entry or a selection.
    pruner = User.objects.create_user("pruner", is_staff=True)
    pruner.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_auditentry", "delete_auditentry"])
    )
    viewer_client.force_login(pruner)
    assert "delete_selected" in viewer_client.get(CHANGELIST).content.decode()
    response = viewer_client.post(delete, {"post": "yes"})
    assert response.status_code == 302
    assert set(AuditEntry.objects.all()) == {refused, renamed}
    selected = {"action": "delete_selected", "_selected_action": [refused.pk], "post": "yes"}
    assert viewer_client.post(CHANGELIST, selected).status_code == 302
    assert list(AuditEntry.objects.all()) == [renamed]


def test_superusers_delete(superuser_client: Client, changed: AuditEntry) -> None:
    delete = reverse("admin:functionalkit_auditentry_delete", args=[changed.pk])
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 302
    assert not AuditEntry.objects.exists()


def test_staff_without_the_view_permission_see_nothing(client: Client, changed: AuditEntry) -> None:
    client.force_login(User.objects.create_user("staff", is_staff=True))
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(detail(changed)).status_code == 403


def test_the_message_type_filter_offers_the_audited_types_the_registry_knows(
    superuser_client: Client,
) -> None:
    """The choices come from the registry, not from a scan of the whole log."""
    page = superuser_client.get(CHANGELIST).content.decode()
    assert "?message_type=tests.testapp.messages.PlaceOrder" in page  # a command: audited
    assert "?message_type=tests.testapp.messages.GetGreeting" not in page  # a query: not
    assert "?message_type=tests.testapp.messages.OrderPlaced" not in page  # a notification
