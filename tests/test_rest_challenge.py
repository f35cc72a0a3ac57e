"""A 401 carries the first authenticator's challenge (``WWW-Authenticate``), and is a 403 where
that authenticator offers none, as DRF answers: for ``Failure(Unauthorized)``,
``UnauthorizedError`` and DRF's ``NotAuthenticated``, through HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import path
from rest_framework import exceptions as drf
from rest_framework.authentication import (
    BaseAuthentication,
    BasicAuthentication,
    SessionAuthentication,
    TokenAuthentication,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from django_functionalkit import Command, Failure, RequiresAuthorization, Unit, unit
from django_functionalkit.errors import Unauthorized, UnauthorizedError
from django_functionalkit.messages import Message
from django_functionalkit.registry import make_spec
from django_functionalkit.rest import MessageAPIView, result_response
from django_functionalkit.testing import isolated_handlers
from tests.problems import problem

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls(__name__),
    pytest.mark.usefixtures("default_stack"),
]


@dataclass(frozen=True)
class PlaceHold(Command[Unit], RequiresAuthorization):
    """Any signed-in user may place a hold: refused only to nobody."""

    book_id: int


def place_hold(command: PlaceHold) -> Unit:
    return unit


class HoldView(MessageAPIView):
    messages: ClassVar[dict[str, type[Message]]] = {"post": PlaceHold}


class RaisingView(APIView):
    def get(self, request: Request, kind: str) -> Response:
        if kind == "drf":
            raise drf.NotAuthenticated()
        raise UnauthorizedError("Sign in first")


def plain(request: HttpRequest) -> HttpResponse:
    """A plain Django view: the default authenticators are asked."""
    return result_response(Failure(Unauthorized("Sign in first")), request=request)


AUTHENTICATORS: dict[str, tuple[type[BaseAuthentication], ...]] = {
    "session": (SessionAuthentication,),
    "token": (TokenAuthentication, SessionAuthentication),
    "basic": (BasicAuthentication, SessionAuthentication),
    "none": (),
}


def views(name: str, classes: tuple[type[BaseAuthentication], ...]) -> list[Any]:
    options = {"authentication_classes": classes}
    return [
        path(f"{name}/holds/", type("Holds", (HoldView,), options).as_view()),
        path(f"{name}/raise/<str:kind>/", type("Raising", (RaisingView,), options).as_view()),
    ]


urlpatterns = [
    *(pattern for name, classes in AUTHENTICATORS.items() for pattern in views(name, classes)),
    path("plain/", plain),
]

CHALLENGES = {"session": None, "token": "Token", "basic": 'Basic realm="api"', "none": None}


@pytest.fixture(autouse=True)
def handlers() -> Any:
    with isolated_handlers() as registry:
        registry.register(make_spec(place_hold))
        yield


def check(response: Any, authenticators: str) -> None:
    challenge = CHALLENGES[authenticators]
    body = problem(response, 401 if challenge else 403)
    assert response.get("WWW-Authenticate") == challenge
    assert body["title"] == ("Unauthorized" if challenge else "Forbidden")


@pytest.mark.parametrize("authenticators", list(AUTHENTICATORS))
def test_an_unauthorized_failure_is_challenged_or_forbidden(authenticators: str) -> None:
    response = APIClient().post(f"/{authenticators}/holds/", {"book_id": 1}, "json")
    check(response, authenticators)
    assert response.json()["detail"] == "User not authenticated"


@pytest.mark.parametrize("authenticators", list(AUTHENTICATORS))
def test_unauthorized_error_is_challenged_or_forbidden(authenticators: str) -> None:
    response = APIClient().get(f"/{authenticators}/raise/library/")
    check(response, authenticators)
    assert response.json()["detail"] == "Sign in first"


@pytest.mark.parametrize("authenticators", list(AUTHENTICATORS))
def test_drfs_not_authenticated_is_challenged_or_forbidden(authenticators: str) -> None:
    check(APIClient().get(f"/{authenticators}/raise/drf/"), authenticators)


def test_a_plain_django_view_asks_the_default_authenticators() -> None:
    check(APIClient().get("/plain/"), "session")  # DRF's default: session first
    basic_first = {
        "EXCEPTION_HANDLER": "django_functionalkit.rest.exception_handler",
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "rest_framework.authentication.BasicAuthentication",
            "rest_framework.authentication.SessionAuthentication",
        ],
    }
    with override_settings(REST_FRAMEWORK=basic_first):
        check(APIClient().get("/plain/"), "basic")
        assert result_response(Failure(Unauthorized("x")))["WWW-Authenticate"] == (
            'Basic realm="api"'
        )  # no request at all: the default authenticators too
