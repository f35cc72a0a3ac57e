"""Views of the example project."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from django_functionalkit import Failure, Success, messenger
from django_functionalkit.errors import NotFound

from .queries import GetUserById


def home(request: HttpRequest) -> HttpResponse:
    """A page listing the demo users, each linked to its JSON."""
    users = User.objects.order_by("pk")
    return render(request, "home.html", {"users": users, "missing_id": _missing_id()})


def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """One user as JSON, or a 404 problem-details body."""
    match messenger.query(GetUserById(user_id)):
        case Success(user):
            return JsonResponse(asdict(user))
        case Failure(NotFound() as error):
            return _problem(404, "Not Found", error.detail)
        case Failure(error):
            return _problem(400, "Bad Request", str(error))


def _problem(status: int, title: str, detail: str) -> JsonResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JsonResponse(body, status=status, content_type="application/problem+json")


def _missing_id() -> int:
    last = User.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1000
