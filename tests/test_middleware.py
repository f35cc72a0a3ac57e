"""FunctionalKitMiddleware: the request's user, id and address reach current_context()."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import User
from django.test import AsyncClient, Client, override_settings

from django_functionalkit import current_context

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_functionalkit.middleware.FunctionalKitMiddleware",
]

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.urls_context"),
]


@pytest.fixture(autouse=True)
def _middleware() -> object:
    with override_settings(MIDDLEWARE=MIDDLEWARE):
        yield


@pytest.mark.parametrize("url", ["/sync/", "/async/"])
def test_the_signed_in_user_is_the_actor(client: Client, url: str) -> None:
    user = User.objects.create_user("ada", password="pw")
    client.force_login(user)
    body = client.get(url, REMOTE_ADDR="10.1.2.3").json()
    assert body["actor"] == "ada"
    assert body["authenticated"] is True
    assert body["client_ip"] == "10.1.2.3"


@pytest.mark.parametrize("url", ["/sync/", "/async/"])
def test_an_anonymous_request_has_an_unauthenticated_actor(client: Client, url: str) -> None:
    body = client.get(url).json()
    assert body["authenticated"] is False


@pytest.mark.parametrize("url", ["/sync/", "/async/"])
def test_a_request_id_from_the_client_is_kept_and_echoed(client: Client, url: str) -> None:
    response = client.get(url, headers={"X-Request-ID": "req-42.abc"})
    assert response.json()["request_id"] == "req-42.abc"
    assert response["X-Request-ID"] == "req-42.abc"


@pytest.mark.parametrize("header", ["", "bad id with spaces", "x" * 200, "<script>"])
def test_a_missing_or_odd_request_id_is_replaced_by_a_generated_one(
    client: Client, header: str
) -> None:
    response = client.get("/sync/", headers={"X-Request-ID": header})
    generated = response.json()["request_id"]
    assert generated != header
    assert len(generated) == 32
    assert response["X-Request-ID"] == generated


async def test_the_async_client_sees_the_context_too(async_client: AsyncClient) -> None:
    response = await async_client.get("/async/", headers={"X-Request-ID": "async-1"})
    assert response.json()["request_id"] == "async-1"


def test_the_context_does_not_leak_out_of_the_request(client: Client) -> None:
    client.get("/sync/", headers={"X-Request-ID": "inside"})
    assert current_context().request_id is None


# -- under ASGI, the actor is safe to read from async code as it is --------------------------------


def asgi_get(user: User | None, url: str) -> Any:
    """GET ``url`` through Django's ASGI handler; the ORM calls it makes off the event loop run
    on this thread, in this test's transaction."""
    asgi = AsyncClient()
    if user is not None:
        asgi.force_login(user)
    get: Callable[[str], Any] = async_to_sync(asgi.get)
    return get(url)


@pytest.mark.parametrize("signed_in", [True, False])
def test_under_asgi_an_async_view_reads_the_actor_without_aactor(signed_in: bool) -> None:
    """Bug: the actor was Django's lazy user, and reading it raised SynchronousOnlyOperation."""
    user = User.objects.create_user("ada", password="pw") if signed_in else None
    body = asgi_get(user, "/async/direct/").json()
    assert (body["actor"], body["authenticated"]) == (("ada", True) if signed_in else ("", False))


def test_under_asgi_an_async_handler_reads_the_actor_as_a_string() -> None:
    user = User.objects.create_user("ada", password="pw")
    assert asgi_get(user, "/async/handler/").json() == {"who": "ada"}
    assert asgi_get(None, "/async/handler/").json() == {"who": "AnonymousUser"}


def test_under_asgi_a_user_set_in_the_view_is_the_actor() -> None:
    """DRF authenticates in the view and sets request.user then: the actor reads it late."""
    user = User.objects.create_user("ada", password="pw")
    assert asgi_get(user, "/async/later-user/").json()["actor"] == "token-user"
