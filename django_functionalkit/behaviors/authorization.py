"""``AuthorizationBehavior``: only actors with the right groups and permissions get through.

A message mixing in ``RequiresAuthorization`` is checked against ``current_context().actor``,
in this order (the first check that fails decides)::

    no actor, an anonymous or an inactive one      Unauthorized  (401)
    an active superuser                            passes, object-level check included
    none of required_roles, or not all of
    required_permissions                           Forbidden     (403), naming what is missing
    authorize(actor) / aauthorize(actor) is false  Forbidden     (403)

A message whose handler returns a ``Result`` gets ``Failure(error)``; any other message raises
the matching exception (``UnauthorizedError``, ``ForbiddenError``). On the async path the
database lookups run in a thread through ``sync_to_async``, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ClassVar

from asgiref.sync import async_to_sync, sync_to_async

from django_functionalkit.context import current_context
from django_functionalkit.errors import Error, Forbidden, Unauthorized
from django_functionalkit.markers import RequiresAuthorization

from .base import Behavior
from .outcome import refuse

__all__ = ["AuthorizationBehavior"]


class AuthorizationBehavior(Behavior):
    """Refuses messages marked ``RequiresAuthorization`` to actors who may not send them."""

    message_types: ClassVar[tuple[type, ...]] = (RequiresAuthorization,)

    def handle(self, message: Any, call_next: Callable[[Any], Any]) -> Any:
        """Check the actor, then run the rest of the pipeline, or refuse."""
        error = check(message, current_context().actor)
        if error is not None:
            return refuse(message, error)
        return call_next(message)

    async def ahandle(self, message: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        """The async path: the same checks, with every database lookup off the event loop."""
        error = await acheck(message, await current_context().aactor())
        if error is not None:
            return refuse(message, error)
        return await call_next(message)


def check(message: RequiresAuthorization, actor: Any) -> Error | None:
    """Why ``actor`` may not send ``message`` (``Unauthorized``, ``Forbidden``), or ``None``."""
    error = _identity_error(actor)
    if error is not None or _is_superuser(actor):
        return error
    error = _grant_error(message, actor)
    if error is not None:
        return error
    cls = type(message)
    if _overrides(cls, "aauthorize") and not _overrides(cls, "authorize"):
        # Only the async hook is defined: the default sync one would wave everyone through.
        return _object_error(async_to_sync(message.aauthorize)(actor))
    return _object_error(message.authorize(actor))


async def acheck(message: RequiresAuthorization, actor: Any) -> Error | None:
    """``check`` for the async path: lookups and sync hooks run in a thread."""
    error = _identity_error(actor)
    if error is not None or _is_superuser(actor):
        return error
    cls = type(message)
    async_hook = _overrides(cls, "aauthorize")
    sync_hook = not async_hook and _overrides(cls, "authorize")
    if message.required_roles or message.required_permissions or sync_hook:
        error = await sync_to_async(_grant_and_sync_hook_error)(message, actor, sync_hook)
        if error is not None:
            return error
    if async_hook:
        return _object_error(await message.aauthorize(actor))
    return None


def _identity_error(actor: Any) -> Error | None:
    """``Unauthorized`` unless ``actor`` is an authenticated, active user."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Unauthorized("User not authenticated")
    # Django's ModelBackend never logs an inactive user in; one set with set_actor is refused too.
    if not getattr(actor, "is_active", True):
        return Unauthorized("User account is inactive")
    return None


def _is_superuser(actor: Any) -> bool:
    return bool(getattr(actor, "is_superuser", False))


def _grant_error(message: RequiresAuthorization, actor: Any) -> Error | None:
    """``Forbidden`` naming the missing role and permissions, or ``None`` if nothing is missing."""
    problems = []
    roles = _listed(message.required_roles)
    if roles and not _has_any_role(actor, roles):
        problems.append(f"Insufficient role permissions: requires one of the roles {_names(roles)}")
    missing = _missing_permissions(actor, _listed(message.required_permissions))
    if missing:
        problems.append(f"Insufficient permissions: missing {_names(missing)}")
    return Forbidden("; ".join(problems)) if problems else None


def _grant_and_sync_hook_error(
    message: RequiresAuthorization, actor: Any, run_hook: bool
) -> Error | None:
    """The database part of ``acheck``, in one trip to a thread."""
    error = _grant_error(message, actor)
    if error is None and run_hook:
        error = _object_error(message.authorize(actor))
    return error


def _has_any_role(actor: Any, roles: Sequence[str]) -> bool:
    groups = getattr(actor, "groups", None)  # a user model without PermissionsMixin has none
    return groups is not None and bool(groups.filter(name__in=roles).exists())


def _missing_permissions(actor: Any, permissions: Sequence[str]) -> list[str]:
    """The permissions ``actor`` lacks; ``has_perms`` asks every authentication backend."""
    if not permissions:
        return []
    has_perms = getattr(actor, "has_perms", None)
    if has_perms is None:
        return list(permissions)
    if has_perms(permissions):
        return []
    return [p for p in permissions if not actor.has_perm(p)]  # perms are cached on the user


def _object_error(allowed: bool) -> Error | None:
    """``Forbidden`` when the message's object-level hook said no."""
    if allowed:
        return None
    return Forbidden("Insufficient permissions for this object")


def _overrides(cls: type, name: str) -> bool:
    """Whether a message class defines its own ``authorize`` or ``aauthorize``."""
    return getattr(cls, name) is not getattr(RequiresAuthorization, name)


def _listed(names: Sequence[str] | str) -> tuple[str, ...]:
    """The names as a tuple; ``("Admin")``, a string, is one name, not five one-letter roles."""
    return (names,) if isinstance(names, str) else tuple(names)


def _names(names: Sequence[str]) -> str:
    return ", ".join(names)
