"""Views that report the message context they see, for the middleware tests."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path

from django_functionalkit import current_context


def _seen(actor: object) -> dict[str, object]:
    context = current_context()
    return {
        "actor": getattr(actor, "username", None),
        "authenticated": bool(getattr(actor, "is_authenticated", False)),
        "request_id": context.request_id,
        "client_ip": context.client_ip,
    }


def sync_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_seen(current_context().actor))


async def async_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_seen(await current_context().aactor()))


urlpatterns = [path("sync/", sync_view), path("async/", async_view)]
