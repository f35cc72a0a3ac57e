"""Views for the REST tests: every error kind a client can meet, and async Django views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import include, path
from rest_framework import exceptions as drf
from rest_framework import serializers
from rest_framework.authentication import BasicAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from django_functionalkit import Failure, PagedResult, Success, messenger, unit
from django_functionalkit.errors import Conflict, NotFoundError
from django_functionalkit.rest import result_response
from example_project.users.messages import GetUserById, GetUsers


class Echo(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=5)
    tags = serializers.ListField(child=serializers.IntegerField())


class Raising(APIView):
    """GET /raise/<kind>/: raises that kind of error; POST validates an Echo body."""

    def get(self, request: Request, kind: str) -> Response:
        errors: dict[str, Exception] = {
            "http404": Http404("no such thing"),
            "permission": PermissionDenied(),
            "throttled": drf.Throttled(wait=42),
            "not-found-error": NotFoundError("User 7 not found"),
            "unexpected": RuntimeError("secret internals: password=hunter2"),
        }
        raise errors[kind]

    def post(self, request: Request, kind: str) -> Response:
        serializer = Echo(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class Private(APIView):
    authentication_classes = (BasicAuthentication,)
    permission_classes = (IsAuthenticated,)

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


@dataclass(frozen=True)
class Item:
    id: int
    name: str


def results(request: HttpRequest, kind: str) -> HttpResponse:
    """A plain Django view answering with each kind of result."""
    page = int(request.GET.get("page", "1"))
    answers: dict[str, Any] = {
        "value": Success(Item(1, "lamp")),
        "created": Success(Item(2, "desk")),
        "unit": Success(unit),
        "conflict": Failure(Conflict("Email already exists", code="email_taken")),
        "text": Failure("Order must contain at least one item"),
        "page": PagedResult(
            [Item(i, f"item {i}") for i in range(page * 2 - 1, page * 2 + 1) if i <= 5], 5, page, 2
        ),
    }
    return result_response(
        answers[kind],
        created=kind == "created",
        location="/items/2/" if kind == "created" else None,
        request=request,
    )


async def async_user(request: HttpRequest, user_id: int) -> HttpResponse:
    """An async Django view: ``aquery`` and the same mapping."""
    return result_response(await messenger.aquery(GetUserById(user_id)), request=request)


async def async_users(request: HttpRequest) -> HttpResponse:
    page = int(request.GET.get("page", "1"))
    return result_response(
        await messenger.aquery(GetUsers(page=page, page_size=2)), request=request
    )


urlpatterns = [
    path("raise/<str:kind>/", Raising.as_view()),
    path("private/", Private.as_view()),
    path("results/<str:kind>/", results),
    path("async/users/", async_users),
    path("async/users/<int:user_id>/", async_user),
    path("", include("example_project.urls")),
]
