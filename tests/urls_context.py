"""Views that report the message context they see, for the middleware tests."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.http import HttpRequest, JsonResponse
from django.urls import path

from django_functionalkit import Messenger, Query, current_context
from django_functionalkit.registry import Registry, make_spec


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


async def async_direct_view(request: HttpRequest) -> JsonResponse:
    """Reads the actor as it is, without ``aactor()``: safe under ASGI."""
    return JsonResponse(_seen(current_context().actor))


async def async_later_user_view(request: HttpRequest) -> JsonResponse:
    """Sets ``request.user`` in the view, as DRF's authentication does: the actor follows."""
    request.user = User(username="token-user")
    return JsonResponse(_seen(current_context().actor))


@dataclass(frozen=True)
class WhoAsks(Query[str]):
    pass


async def who_asks(query: WhoAsks) -> str:
    return str(current_context().actor)


_handlers = Registry()
_handlers.register(make_spec(who_asks))
bus = Messenger(_handlers, behaviors=[])


async def async_handler_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"who": await bus.aquery(WhoAsks())})


urlpatterns = [
    path("sync/", sync_view),
    path("async/", async_view),
    path("async/direct/", async_direct_view),
    path("async/later-user/", async_later_user_view),
    path("async/handler/", async_handler_view),
]
