"""A model tied to the cached entries its changes make stale: ``invalidates_on_change``.

Saves and deletes send Django's model signals (the admin's forms, its bulk delete and
``list_editable`` included); the entries are dropped when the transaction commits. Paths that
send no signal (``QuerySet.update()``, ``bulk_create``, ``bulk_update``, raw SQL) call
``invalidate_instances`` or ``invalidate`` themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from django_functionalkit.introspection import subclasses

from .explicit import invalidate

__all__ = ["ModelInvalidation", "invalidate_instances", "invalidates_on_change"]

logger = logging.getLogger("django_functionalkit")

Names = Callable[[Any], Iterable[str]]

_TIES: dict[type[Model], list[ModelInvalidation]] = {}


def invalidates_on_change(
    model: type[Model],
    *,
    keys: Names | None = None,
    tags: Names | None = None,
    cache_alias: str = "default",
) -> ModelInvalidation:
    """Drop ``keys(obj)`` and ``tags(obj)`` whenever an ``obj`` of ``model`` is saved, deleted
    or has its many-to-many relations changed, once the transaction commits.

    A save of an existing row drops the names of the row as stored before too (a product that
    moves to another category leaves the pages of the old one): one query by primary key.
    Call it in an ``AppConfig.ready()``, once models (and their proxies) are loaded.
    """
    tie = ModelInvalidation(model, keys, tags, cache_alias)
    tie.connect()
    return tie


def invalidate_instances(objects: Iterable[Model], *, using: str | None = None) -> None:
    """Drop what ``invalidates_on_change`` ties to each object: for the paths that send no
    signal (``bulk_create``, ``bulk_update``, ``QuerySet.update()``, raw SQL)."""
    ties: dict[ModelInvalidation, list[Model]] = {}
    for obj in objects:
        for model in type(obj).__mro__:
            for tie in _TIES.get(model, ()):
                ties.setdefault(tie, []).append(obj)
    for tie, found in ties.items():
        tie.invalidate(found, using)


class ModelInvalidation:
    """The keys and tags a model's changes drop; ``disconnect()`` undoes the tie."""

    def __init__(
        self, model: type[Model], keys: Names | None, tags: Names | None, cache_alias: str
    ) -> None:
        self.model = model
        self.keys = keys
        self.tags = tags
        self.cache_alias = cache_alias
        # Kept on the instance between a pre_ and a post_ signal: the row before a save, the
        # objects before a clear.
        self._stored = f"_functionalkit_stored_{id(self)}"
        self._stored_m2m = f"{self._stored}_m2m"

    def names(self, obj: Any) -> tuple[list[str], list[str]]:
        """``obj``'s keys and tags; a function that fails is logged, and names nothing."""
        try:
            return _strings(self.keys, obj), _strings(self.tags, obj)
        except Exception as exc:
            logger.warning(
                "The keys or tags that changes of %s invalidate failed for %r (%s: %s); its "
                "cached entries stay until they expire.",
                self.model._meta.label,
                obj,
                type(exc).__name__,
                exc,
                exc_info=(type(exc), exc, exc.__traceback__),
            )
            return [], []

    def invalidate(
        self,
        objects: Iterable[Any],
        using: str | None,
        also: tuple[list[str], list[str]] = ([], []),
    ) -> None:
        """Drop the names of ``objects`` (and ``also``) once the transaction of ``using``
        commits."""
        keys, tags = self.all_names(objects)
        invalidate(
            keys=[*also[0], *keys],
            tags=[*also[1], *tags],
            cache_alias=self.cache_alias,
            using=using,
        )

    def all_names(self, objects: Iterable[Any]) -> tuple[list[str], list[str]]:
        """The keys and tags of every object."""
        keys: list[str] = []
        tags: list[str] = []
        for obj in objects:
            more_keys, more_tags = self.names(obj)
            keys += more_keys
            tags += more_tags
        return keys, tags

    # -- signals ---------------------------------------------------------------------------

    def connect(self) -> None:
        """Listen to the model's signals, its proxies' and subclasses', and its m2m tables'."""
        _TIES.setdefault(self.model, []).append(self)
        for sender in self._senders():
            pre_save.connect(self._pre_save, sender=sender, weak=False)
            post_save.connect(self._post_save, sender=sender, weak=False)
            post_delete.connect(self._post_delete, sender=sender, weak=False)
        for through in self._through_models():
            m2m_changed.connect(self._m2m_changed, sender=through, weak=False)

    def disconnect(self) -> None:
        """Stop listening (tests)."""
        _TIES[self.model].remove(self)
        for sender in self._senders():
            pre_save.disconnect(self._pre_save, sender=sender)
            post_save.disconnect(self._post_save, sender=sender)
            post_delete.disconnect(self._post_delete, sender=sender)
        for through in self._through_models():
            m2m_changed.disconnect(self._m2m_changed, sender=through)

    def _senders(self) -> list[type[Model]]:
        """The model and its subclasses: a proxy's save (in its admin) names the proxy."""
        return [self.model, *subclasses(self.model)]

    def _through_models(self) -> set[type[Model]]:
        meta = self.model._meta
        forward = {f.remote_field.through for f in meta.many_to_many}
        backward = {r.through for r in meta.related_objects if r.many_to_many}  # type: ignore[attr-defined]
        return {t for t in forward | backward if isinstance(t, type)}

    def _pre_save(self, sender: Any, instance: Any, raw: bool, using: str, **kwargs: Any) -> None:
        if raw or instance._state.adding or instance.pk is None:
            return  # a new row has no stored names; a fixture's rows are not read mid-load
        stored = type(instance)._base_manager.using(using).filter(pk=instance.pk).first()
        if stored is not None:
            instance.__dict__[self._stored] = stored

    def _post_save(self, sender: Any, instance: Any, using: str, **kwargs: Any) -> None:
        stored = instance.__dict__.pop(self._stored, None)
        self.invalidate([instance] if stored is None else [stored, instance], using)

    def _post_delete(self, sender: Any, instance: Any, using: str, **kwargs: Any) -> None:
        self.invalidate([instance], using)

    def _m2m_changed(
        self, sender: Any, instance: Any, action: str, using: str, **kwargs: Any
    ) -> None:
        """Both sides of the relation (``product.tags.add(t)``, ``tag.products.add(p)``), named
        before and after the change: names may follow the relation itself."""
        phase, _, _ = action.partition("_")
        if phase == "pre":
            changed = self._changed_by(instance, sender, using, **kwargs)
            instance.__dict__[self._stored_m2m] = (changed, self.all_names(changed))
            return
        stored = instance.__dict__.pop(self._stored_m2m, None)
        if stored is None:  # tied between the two signals
            stored = (self._changed_by(instance, sender, using, **kwargs), ([], []))
        changed, before = stored
        self.invalidate(changed, using, also=before)

    def _changed_by(
        self, instance: Any, through: type[Model], using: str, **kwargs: Any
    ) -> list[Any]:
        """The objects of this model a change of the relation ``through`` touches."""
        changed = [instance] if isinstance(instance, self.model) else []
        if issubclass(kwargs["model"], self.model):
            if kwargs["pk_set"] is None:  # a clear: whatever is related now
                changed += _related(instance, through, kwargs["reverse"], using)
            else:
                manager = self.model._base_manager.using(using)
                changed += manager.filter(pk__in=kwargs["pk_set"])
        return changed


def _strings(names: Names | None, obj: Any) -> list[str]:
    """What ``names(obj)`` returns, as a list; a string is one name, not its letters."""
    found = names(obj) if names else ()
    return [found] if isinstance(found, str) else list(found)


def _related(instance: Any, through: type[Model], reverse: bool, using: str) -> list[Any]:
    """The objects ``instance`` is related to through the m2m table ``through``."""
    meta = instance._meta
    if reverse:
        name = next(
            r.get_accessor_name()
            for r in meta.related_objects
            if getattr(r, "through", None) is through
        )
    else:
        name = next(f.name for f in meta.many_to_many if f.remote_field.through is through)
    return list(getattr(instance, name).using(using).all())
