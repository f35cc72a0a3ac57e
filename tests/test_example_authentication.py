"""The example's HTTP Basic authentication: credentials with a NUL are refused, never a 500."""

from __future__ import annotations

import base64

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("example_project.urls")]


def basic(userid: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{userid}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("userid", "password"), [("ad\x00min", "secret"), ("admin", "se\x00cret"), ("\x00", "\x00")]
)
def test_a_nul_in_the_credentials_is_refused(client: Client, userid: str, password: str) -> None:
    response = client.get("/api/users/", HTTP_AUTHORIZATION=basic(userid, password))
    # Refused as wrong credentials: a 403, since the first authenticator (the session's) offers
    # no challenge, as DRF answers.
    assert response.status_code == 403
    assert response.json()["detail"] == "Invalid username/password."


def test_right_credentials_still_sign_in(client: Client) -> None:
    User.objects.create_user("grace", "grace@example.com", "long-enough")
    response = client.get("/api/users/", HTTP_AUTHORIZATION=basic("grace", "long-enough"))
    assert response.status_code == 200
