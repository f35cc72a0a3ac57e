"""URLs under the API that no route matches: problem details, not Django's HTML page."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.problems import problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/nothing/"),
        ("get", "/api/users/0.5/profile/"),
        ("put", "/api/products/1/price/"),
        ("delete", "/api/users/1/avatar/"),
        ("get", "/api/nothing"),
    ],
)
def test_an_unrouted_api_url_is_a_404_problem(
    client: Client, method: str, url: str, debug: bool
) -> None:
    with override_settings(DEBUG=debug):
        body = problem(getattr(client, method)(url), 404)
    assert body["detail"] == "Nothing matches this URL."


def test_a_url_without_its_trailing_slash_is_still_redirected(client: Client) -> None:
    response = client.get("/api/users?page=2")
    assert response.status_code == 301
    assert response["Location"] == "/api/users/?page=2"


def test_outside_the_api_django_answers_as_before(client: Client) -> None:
    response = client.get("/nothing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
