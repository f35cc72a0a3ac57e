"""The example project that `make demo` serves, exercised through Django's test client."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> None:
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_prints_the_admin_login_and_is_idempotent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "admin / functionalkit" in out
    assert User.objects.filter(username="admin", is_superuser=True).count() == 1
    assert User.objects.count() == 4


def test_the_printed_login_opens_the_admin(seeded: None, client: Client) -> None:
    assert client.login(username="admin", password="functionalkit")
    assert client.get("/admin/").status_code == 200


def test_home_lists_the_demo_users(seeded: None, client: Client) -> None:
    page = client.get("/").content.decode()
    assert "Ada Lovelace" in page
    assert "Grace Hopper" in page
    assert "(inactive)" in page


def test_user_detail_is_the_success_value_as_json(seeded: None, client: Client) -> None:
    ada = User.objects.get(username="ada")
    response = client.get(f"/api/users/{ada.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Ada Lovelace"
    assert body["email"] == "ada@example.com"
    assert body["is_active"] is True


def test_missing_user_is_a_404_problem(seeded: None, client: Client) -> None:
    response = client.get("/api/users/999999/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "User with ID 999999 not found",
        "code": "not_found",
    }
