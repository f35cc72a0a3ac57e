"""Markers a message class mixes in to opt into a behavior.

They are plain classes with no fields, so frozen dataclasses inherit them freely, and their
options are class attributes (unannotated or ``ClassVar``), never constructor fields::

    @dataclass(frozen=True)
    class GetUserProfile(Query[Result[ProfileDto, Error]], Cacheable):
        user_id: int
        cache_timeout = 15 * 60

        @property
        def cache_key(self) -> str:
            return f"user-profile:{self.user_id}"
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from .errors import FieldError
    from .validation import Validation

__all__ = [
    "Audited",
    "Cacheable",
    "InvalidatesCache",
    "NonTransactional",
    "RequiresAuthorization",
    "Stored",
    "Validatable",
    "marker_options",
]


class Cacheable:
    """A query whose result is cached under ``cache_key`` for ``cache_timeout``."""

    __slots__ = ()
    cache_timeout: ClassVar[int | float | timedelta | None] = 300
    cache_alias: ClassVar[str] = "default"

    @property
    def cache_tags(self) -> Sequence[str]:
        """Groups the entry belongs to, invalidated together (a category, say)."""
        return ()

    # The result depends on who asks: the key includes the actor.
    cache_per_user: ClassVar[bool] = False

    @property
    def cache_key(self) -> str:
        raise NotImplementedError(f"{type(self).__qualname__} must define cache_key")


class InvalidatesCache:
    """A command that, once it succeeded and committed, drops cache entries by key and tag."""

    __slots__ = ()
    cache_alias: ClassVar[str] = "default"

    @property
    def invalidates_keys(self) -> Iterable[str]:
        return ()

    @property
    def invalidates_tags(self) -> Iterable[str]:
        return ()


class Validatable:
    """A message checked before its handler runs: every error comes back as ``InvalidInput``."""

    __slots__ = ()

    def validate(self) -> Validation[Any, FieldError | str]:
        raise NotImplementedError(f"{type(self).__qualname__} must define validate()")

    async def avalidate(self) -> Validation[Any, FieldError | str]:
        """The async check; by default the sync one. Override it for checks that await."""
        return self.validate()


class RequiresAuthorization:
    """A message only some actors may send: any one of ``required_roles`` (Django groups)
    and all of ``required_permissions`` (``"app.codename"``); superusers pass."""

    __slots__ = ()
    required_roles: ClassVar[Sequence[str]] = ()
    required_permissions: ClassVar[Sequence[str]] = ()

    def authorize(self, actor: Any) -> bool:
        """The object-level check, after roles and permissions; override it (default: yes)."""
        return True

    async def aauthorize(self, actor: Any) -> bool:
        """The async object-level check; by default the sync one."""
        return self.authorize(actor)


class Audited:
    """A query (or notification) audited as commands are; commands are audited by default."""

    __slots__ = ()


class NonTransactional:
    """A command that must not run in one transaction: a saga whose compensations must stay
    written when it fails, a batch too large for one transaction. Its steps commit on their own
    (send them as commands)."""

    __slots__ = ()


class Stored:
    """A notification whose every publish is also stored as an event (``DomainEvent`` is).

    ``event_type`` is the name its rows are stored and read under; by default the class's
    ``module.QualName``. Declare it to keep the name when the class moves (it is not inherited:
    each class declares its own). See docs/events.md.
    """

    __slots__ = ()
    event_type: ClassVar[str | None] = None


def marker_options(message_type: type) -> frozenset[str]:
    """The options of the markers ``message_type`` mixes in (``required_permissions``,
    ``cache_key``, ...): class-level declarations, never request input.

    Read from the marker classes of this module, so that a new option is covered at once: every
    attribute a marker defines that is not a method (plain values and properties).
    """
    return frozenset(
        name
        for marker in message_type.__mro__
        if marker.__module__ == __name__
        for name, value in vars(marker).items()
        if not name.startswith("__") and not isinstance(value, types.FunctionType)
    )
