"""Deliveries in the admin: filtered by status, handler and type; dead ones retried or discarded.

The list's subtitle says how many are dead and how old the oldest pending one is: the two
figures to watch (a growing backlog, failures nobody looked at).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import Count, Min, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from django_functionalkit.models import Delivery

__all__ = ["DeliveryAdmin", "EventTypeFilter", "summary"]

if TYPE_CHECKING:  # ModelAdmin is generic for the type checker only (django-stubs)
    _DeliveryAdmin = admin.ModelAdmin[Delivery]
else:
    _DeliveryAdmin = admin.ModelAdmin


class HandlerFilter(admin.SimpleListFilter):
    """By handler: the background handlers the registry knows, and those deliveries name (a
    handler since removed still has its dead letters)."""

    title = _("handler")
    parameter_name = "handler"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        from django_functionalkit.registry import registry

        names = {spec.name for spec in registry.specs() if spec.background}
        # Read from the (handler, status) index: one entry per handler, not a scan of rows.
        names |= set(
            model_admin.get_queryset(request)
            .values_list("handler", flat=True)
            .order_by()
            .distinct()
        )
        return [(name, name.rsplit(".", 1)[-1]) for name in sorted(names)]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        value = self.value()
        return queryset.filter(handler=value) if value else queryset


class EventTypeFilter(admin.SimpleListFilter):
    """By type name, offering the stored types the code defines: no scan of the log for them."""

    title = _("type")
    parameter_name = "event_type"
    field = "event_type"  # where the list's rows keep the type name

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        from .events import stored_types

        return [(name, name.rsplit(".", 1)[-1]) for name in sorted(stored_types())]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        value = self.value()
        return queryset.filter(**{self.field: value}) if value else queryset


class DeliveryEventTypeFilter(EventTypeFilter):
    """By the type name of the delivery's event."""

    field = "event__event_type"


def summary(queryset: QuerySet[Delivery]) -> str:
    """ "N dead; oldest pending: AGE" for the deliveries of ``queryset``."""
    figures = queryset.aggregate(
        dead=Count("id", filter=Q(status=Delivery.Status.DEAD)),
        oldest=Min("created_at", filter=Q(status=Delivery.Status.PENDING)),
    )
    dead = ngettext("%(count)d dead", "%(count)d dead", figures["dead"]) % {
        "count": figures["dead"]
    }
    if figures["oldest"] is None:
        return gettext("%(dead)s; none pending") % {"dead": dead}
    age = timesince(figures["oldest"], timezone.now())
    return gettext("%(dead)s; oldest pending: %(age)s") % {"dead": dead, "age": age}


@admin.register(Delivery)
class DeliveryAdmin(_DeliveryAdmin):
    """Deliveries are written by publish and workers: viewed here, and dead ones retried or
    discarded, never edited."""

    list_display = (
        "id",
        "handler",
        "event_type",
        "status",
        "attempts",
        "max_attempts",
        "next_run_at",
        "lease_owner",
        "last_error",
        "created_at",
    )
    list_filter = ("status", HandlerFilter, DeliveryEventTypeFilter)
    list_select_related = ("event",)
    search_fields = ("handler", "event__event_type", "last_error")
    ordering = ("-created_at", "-id")
    show_full_result_count = False
    fields = (
        "event",
        "handler",
        "status",
        "attempts",
        "max_attempts",
        "next_run_at",
        "lease_owner",
        "lease_expires_at",
        "last_error",
        "traceback",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    actions = ("retry", "discard")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        found = super().get_actions(request)
        found.pop("delete_selected", None)  # discard: dead deliveries only
        return found

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        counted = Delivery.objects.using(self.get_queryset(request).db)
        extra = {"subtitle": summary(counted.all()), **(extra_context or {})}
        return super().changelist_view(request, extra)

    @admin.display(description=_("type"), ordering="event__event_type")
    def event_type(self, delivery: Delivery) -> str:
        return delivery.event.event_type

    @admin.action(description=_("Retry the selected dead deliveries"), permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        """Back to pending, due now, with a full set of attempts (the last error is kept)."""
        now = timezone.now()
        done = queryset.filter(status=Delivery.Status.DEAD).update(
            status=Delivery.Status.PENDING,
            attempts=0,
            next_run_at=now,
            lease_owner="",
            lease_expires_at=None,
            updated_at=now,
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d dead delivery will be retried.",
                "%(count)d dead deliveries will be retried.",
                done,
            )
            % {"count": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Discard the selected dead deliveries"), permissions=["delete"])
    def discard(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        """Delete dead deliveries (their events stay); others are left alone."""
        done, _by_model = queryset.filter(status=Delivery.Status.DEAD).delete()
        self.message_user(
            request,
            ngettext(
                "%(count)d dead delivery discarded.", "%(count)d dead deliveries discarded.", done
            )
            % {"count": done},
            messages.SUCCESS,
        )
