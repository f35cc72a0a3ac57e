"""The audit log and stored events in the admin: read-only, with their JSON pretty-printed;
deliveries (``delivery.admin``) with their retry and discard actions."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .delivery.admin import DeliveryAdmin, EventTypeFilter  # DeliveryAdmin: registered there
from .introspection import dotted_name, subclasses
from .models import AuditEntry, StoredEvent

__all__ = ["AuditEntryAdmin", "DeliveryAdmin", "StoredEventAdmin"]


if TYPE_CHECKING:  # ModelAdmin is generic for the type checker only (django-stubs)
    _ModelAdmin = admin.ModelAdmin[AuditEntry]
    _EventAdmin = admin.ModelAdmin[StoredEvent]
else:
    _ModelAdmin = _EventAdmin = admin.ModelAdmin


class MessageTypeFilter(admin.SimpleListFilter):
    """By message type, offering the types the registry knows: no scan of a long log for them."""

    title = _("message type")
    parameter_name = "message_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        from .behaviors.audit import is_audited
        from .registry import registry

        types = {spec.message_type for spec in registry.specs()}
        types |= {sub for t in list(types) for sub in subclasses(t)}
        names = sorted(dotted_name(t) for t in types if is_audited(t))
        return [(name, name.rsplit(".", 1)[-1]) for name in names]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        value = self.value()
        return queryset.filter(message_type=value) if value else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(_ModelAdmin):
    """Entries can be viewed, and deleted by users with the delete permission; nobody adds or
    edits one."""

    list_display = (
        "timestamp",
        "actor_link",
        "kind",
        "message_type",
        "success",
        "duration_display",
        "request_id",
    )
    list_filter = ("success", "kind", MessageTypeFilter, "timestamp")
    search_fields = ("message_type", "actor_name", "request_id", "error")
    date_hierarchy = "timestamp"
    ordering = ("-timestamp", "-id")
    # Counting every row of a long log on each page view is slow; the pages need no total.
    show_full_result_count = False
    fields = (
        "timestamp",
        "actor_link",
        "actor_name",
        "kind",
        "message_type",
        "success",
        "duration_display",
        "request_id",
        "client_ip",
        "error",
        "request_data_display",
        "outcome_display",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    @admin.display(description=_("actor"), ordering="actor_name")
    def actor_link(self, entry: AuditEntry) -> str:
        """The actor's name, linked to the user's admin page while the user exists."""
        name = entry.actor_name or "—"
        url = _user_admin_url(entry.actor_id)
        return format_html('<a href="{}">{}</a>', url, name) if url else name

    @admin.display(description=_("duration"), ordering="duration")
    def duration_display(self, entry: AuditEntry) -> str:
        return f"{entry.duration * 1000:.2f} ms"

    @admin.display(description=_("request data"))
    def request_data_display(self, entry: AuditEntry) -> SafeString:
        return _pretty(entry.request_data)

    @admin.display(description=_("outcome"))
    def outcome_display(self, entry: AuditEntry) -> SafeString:
        return _pretty(entry.outcome)


@admin.register(StoredEvent)
class StoredEventAdmin(_EventAdmin):
    """Events are the log: viewed and filtered, never added, changed or deleted here."""

    list_display = ("occurred_at", "event_type", "actor_name", "request_id", "id")
    list_filter = (EventTypeFilter, "occurred_at")
    search_fields = ("event_type", "actor_name", "request_id")
    date_hierarchy = "occurred_at"
    ordering = ("-occurred_at", "-id")
    show_full_result_count = False  # as for the audit log: no count of a long log per page
    fields = (
        "id",
        "event_type",
        "occurred_at",
        "actor_name",
        "actor_id",
        "request_id",
        "payload_display",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: StoredEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: StoredEvent | None = None) -> bool:
        return False

    @admin.display(description=_("payload"))
    def payload_display(self, event: StoredEvent) -> SafeString:
        return _pretty(event.payload)


def _pretty(value: Any) -> SafeString:
    """JSON, indented, escaped, in a ``<pre>``."""
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)


def _user_admin_url(pk: Any) -> str | None:
    if pk is None:
        return None
    opts = get_user_model()._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
    except NoReverseMatch:  # the user model is not in the admin
        return None
