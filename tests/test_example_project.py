"""The example project that `make demo` serves, exercised through Django's test client."""

from __future__ import annotations

import base64
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


@pytest.mark.urls("example_project.urls")
@pytest.mark.parametrize("credentials", ["ad\x00a:functionalkit", "ada:function\x00kit"])
def test_basic_credentials_with_a_nul_character_are_wrong_ones_not_a_500(
    client: Client, credentials: str
) -> None:
    """PostgreSQL fails a query holding a NUL: the API refuses such credentials before asking."""
    header = "Basic " + base64.b64encode(credentials.encode()).decode()
    response = client.get("/api/products/?category_id=1", HTTP_AUTHORIZATION=header)
    # as any wrong credentials: a 403, DRF's answer when its first scheme (the session) names
    # no WWW-Authenticate challenge
    assert response.status_code == 403
    assert response.json()["detail"] == "Invalid username/password."
