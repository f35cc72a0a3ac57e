"""The home page of the example project."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """A page listing the demo users, each linked to its API resource."""
    users = User.objects.order_by("pk")
    last = users.values_list("pk", flat=True).last() or 0
    return render(request, "home.html", {"users": users, "missing_id": last + 1000})
