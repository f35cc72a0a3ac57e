"""The users app of the example project, walked through its API with its failures."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core import mail
from django.test import Client

from django_functionalkit.models import AuditEntry
from example_project.users.models import SignupCounter, UserProfile
from tests.delivering import deliver

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("example_project.urls"),
    pytest.mark.usefixtures("default_stack"),
]


def create(client: Client, name: str, email: str, password: str = "long-enough") -> Any:
    return client.post(
        "/api/users/",
        {"name": name, "email": email, "password": password},
        content_type="application/json",
    )


def test_sign_up_runs_the_three_handlers_of_user_created(client: Client) -> None:
    response = create(client, "Barbara Liskov", "barbara@example.com")
    assert response.status_code == 201
    user = User.objects.get(email="barbara@example.com")
    assert user.check_password("long-enough")  # hashed, never stored as given
    assert mail.outbox == []  # the welcome email is a background handler's: a worker sends it
    assert deliver() == "pass 1: 1 succeeded"
    assert [m.to for m in mail.outbox] == [["barbara@example.com"]]
    assert mail.outbox[0].extra_headers["X-Idempotency-Key"].startswith("fk-delivery-")
    assert UserProfile.objects.filter(user=user).exists()  # default profile
    assert sum(SignupCounter.objects.values_list("signups", flat=True)) == 1  # analytics


def test_the_profile_is_cached_and_dropped_when_the_user_changes(client: Client) -> None:
    user_id = create(client, "Barbara Liskov", "barbara@example.com").json()["id"]
    assert client.get(f"/api/users/{user_id}/profile/").json()["name"] == "Barbara Liskov"
    User.objects.filter(pk=user_id).update(first_name="Changed")  # behind the API's back
    client.force_login(User.objects.get(pk=user_id))  # the user changes their own details
    assert client.get(f"/api/users/{user_id}/profile/").json()["name"] == "Barbara Liskov"
    update = {"name": "Barbara H. Liskov", "email": "barbara@example.com"}
    assert (
        client.put(f"/api/users/{user_id}/", update, content_type="application/json").status_code
        == 200
    )
    assert client.get(f"/api/users/{user_id}/profile/").json()["name"] == "Barbara H. Liskov"
    assert client.get("/api/users/99999/profile/").status_code == 404


def test_update_checks_every_field_and_the_email_is_unique(client: Client) -> None:
    first = create(client, "Ada Lovelace", "ada@example.com").json()["id"]
    create(client, "Grace Hopper", "grace@example.com")
    client.force_login(User.objects.get(pk=first))
    invalid = client.put(
        f"/api/users/{first}/", {"name": "", "email": "nope"}, content_type="application/json"
    )
    assert invalid.status_code == 400
    assert set(invalid.json()["errors"]) == {"name", "email"}
    taken = client.put(
        f"/api/users/{first}/",
        {"name": "Ada Lovelace", "email": "grace@example.com"},
        content_type="application/json",
    )
    assert taken.status_code == 409


def test_statistics_count_over_a_period(client: Client) -> None:
    create(client, "Ada Lovelace", "ada@example.com")
    stats = client.get("/api/users/statistics/").json()
    assert stats["total_users"] == 1
    assert stats["users_with_profiles"] == 1
    assert (
        client.get("/api/users/statistics/?from_date=2999-01-01T00:00:00Z").json()["new_users"] == 0
    )


def test_delete_is_for_user_managers_and_is_audited(client: Client) -> None:
    target = create(client, "Alan Turing", "alan@example.com").json()["id"]
    boss = User.objects.create_user("boss", password="pw-for-the-boss")
    # Nobody signed in: session authentication sends no challenge, so 403 (as DRF answers).
    assert client.delete(f"/api/users/{target}/").status_code == 403
    client.force_login(boss)
    assert client.delete(f"/api/users/{target}/").status_code == 403
    boss.groups.add(Group.objects.create(name="Admin"))
    boss.user_permissions.add(Permission.objects.get(codename="delete_user"))
    boss = User.objects.get(pk=boss.pk)  # fresh permission cache
    client.force_login(boss)
    assert client.delete(f"/api/users/{target}/").status_code == 204
    deletes = AuditEntry.objects.filter(message_type__endswith="DeleteUser").order_by("pk")
    assert [(e.success, e.actor_name) for e in deletes] == [
        (False, "AnonymousUser"),
        (False, "boss"),
        (True, "boss"),
    ]


def test_only_the_user_or_a_user_manager_may_change_a_user(client: Client) -> None:
    ada = create(client, "Ada Lovelace", "ada@example.com").json()["id"]
    grace = create(client, "Grace Hopper", "grace@example.com").json()["id"]
    update = {"name": "Mallory", "email": "mallory@evil.example"}
    assert (
        client.put(f"/api/users/{ada}/", update, content_type="application/json").status_code == 403
    )
    client.force_login(User.objects.get(pk=grace))
    assert (
        client.put(f"/api/users/{ada}/", update, content_type="application/json").status_code == 403
    )
    manager = User.objects.create_user("manager", password="manager-password")
    manager.user_permissions.add(Permission.objects.get(codename="change_user"))
    client.force_login(manager)
    own = {"name": "Ada King", "email": "ada@example.com"}
    assert client.put(f"/api/users/{ada}/", own, content_type="application/json").status_code == 200


def test_an_email_that_was_a_sign_in_name_stays_taken(client: Client) -> None:
    """The email is also the sign-in name: changing it frees neither twice nor crashes."""
    ada = create(client, "Ada Lovelace", "ada@example.com").json()["id"]
    client.force_login(User.objects.get(pk=ada))
    moved = {"name": "Ada Lovelace", "email": "ada@lovelace.example"}
    assert (
        client.put(f"/api/users/{ada}/", moved, content_type="application/json").status_code == 200
    )
    assert User.objects.get(pk=ada).username == "ada@lovelace.example"
    again = create(client, "Someone Else", "ada@example.com")
    assert again.status_code == 201  # the old email is free again, nothing collides
    long_email = "x" * 140 + "@example.com"
    assert create(client, "Long Email", long_email).status_code == 400


def test_a_deleted_users_profile_is_not_served_from_the_cache(client: Client) -> None:
    target = create(client, "Alan Turing", "alan@example.com").json()["id"]
    assert client.get(f"/api/users/{target}/profile/").status_code == 200  # now cached
    boss = User.objects.create_user("boss", password="pw-for-the-boss")
    boss.groups.add(Group.objects.create(name="UserManager"))
    boss.user_permissions.add(Permission.objects.get(codename="delete_user"))
    client.force_login(boss)
    assert client.delete(f"/api/users/{target}/").status_code == 204
    assert client.get(f"/api/users/{target}/profile/").status_code == 404
