"""``FunctionalKitMiddleware``: the request's user, id and client address for the behaviors.

Add it after ``AuthenticationMiddleware``::

    MIDDLEWARE = [
        ...,
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django_functionalkit.middleware.FunctionalKitMiddleware",
    ]

Behaviors read the values with ``current_context()``; the response carries the request id in
``X-Request-ID``. It works under WSGI and ASGI alike. Under ASGI it loads the user before the
view (``request.auser()``), so that async code can read ``current_context().actor`` as it is.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import SimpleLazyObject

from .context import MessageContext, is_unloaded, use_context

__all__ = ["FunctionalKitMiddleware"]

# A request id from a client or a proxy is kept if it looks like one, never echoed blindly.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")


class FunctionalKitMiddleware:
    """Sets the message context (actor, request id, client address) for each request."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        context = context_for(request)
        with use_context(context):
            response: HttpResponseBase = self.get_response(request)
        response["X-Request-ID"] = context.request_id or ""
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        await load_user(request)
        context = context_for(request)
        with use_context(context):
            get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = self.get_response
            response = await get_response(request)
        response["X-Request-ID"] = context.request_id or ""
        return response


async def load_user(request: HttpRequest) -> None:
    """Replace Django's lazy ``request.user`` by the user it stands for, loaded off the loop.

    Reading the lazy one from async code would query the database from the event loop, which
    Django refuses. Code that sets ``request.user`` later (DRF's authentication, in the view)
    still wins: the actor reads ``request.user`` when first used.
    """
    auser = getattr(request, "auser", None)  # set by AuthenticationMiddleware
    if auser is not None and is_unloaded(getattr(request, "user", None)):
        request.user = await auser()


def context_for(request: HttpRequest) -> MessageContext:
    """The context of one request: its user, id and address.

    The user is read from the request when first used, not now: DRF authenticates in the view
    (a token, a JWT) and sets ``request.user`` then, and a request that dispatches nothing
    never loads it under WSGI. Under ASGI ``load_user`` has loaded the user before; elsewhere,
    ``await current_context().aactor()`` loads it off the loop.
    """
    given = request.headers.get("X-Request-ID", "")
    request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    return MessageContext(
        actor=SimpleLazyObject(lambda: getattr(request, "user", None)),
        request_id=request_id,
        client_ip=request.META.get("REMOTE_ADDR") or None,
    )
