"""The audit log (``AuditEntry``, see ``behaviors.audit``) and stored events (``StoredEvent``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["AuditEntry", "StoredEvent"]


class AuditEntry(models.Model):
    """Who sent which message, with what data, how it ended and how long it took.

    Request data and outcome are stored redacted and capped (``django_functionalkit.audit``).
    """

    class Kind(models.TextChoices):
        """The kind of the audited message."""

        QUERY = "query", "query"
        COMMAND = "command", "command"
        NOTIFICATION = "notification", "notification"

    timestamp = models.DateTimeField("when", default=timezone.now, db_index=True)
    # No database constraint: the entry may be written through a second connection that cannot
    # see (or would wait on) an actor created or locked by the transaction it runs beside, and an
    # audit entry must never fail on that. Django still sets it to NULL when the user is deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="actor",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(
        "actor name",
        max_length=255,
        blank=True,
        help_text="The username at the time; kept when the user is deleted.",
    )
    kind = models.CharField("kind", max_length=12, choices=Kind.choices)
    message_type = models.CharField(
        "message type", max_length=255, db_index=True, help_text="The message's dotted class name."
    )
    request_data = models.JSONField("request data", default=dict, blank=True)
    outcome = models.JSONField(
        "outcome",
        null=True,
        blank=True,
        help_text="What was returned; for a failure its error or the exception.",
    )
    error = models.TextField("error", blank=True, help_text="The error's text, for failures.")
    success = models.BooleanField("success", db_index=True)
    duration = models.FloatField("duration", help_text="Seconds the message took.")
    request_id = models.CharField("request id", max_length=255, blank=True, db_index=True)
    client_ip = models.GenericIPAddressField("client address", null=True, blank=True)

    class Meta:
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        ordering = ("-timestamp", "-id")

    def __str__(self) -> str:
        outcome = "succeeded" if self.success else "failed"
        who = self.actor_name or "nobody"
        return f"{self.message_type} by {who} {outcome} at {self.timestamp:%Y-%m-%d %H:%M:%S}"


class StoredEvent(models.Model):
    """One published stored notification: the log events are read and replayed from.

    Written in the publishing transaction (``django_functionalkit.delivery.events``), so it
    exists exactly when the command that published it committed.
    """

    id = models.UUIDField(_("event id"), primary_key=True, editable=False)
    event_type = models.CharField(
        _("type"),
        max_length=255,
        help_text=_("The stable type name: event_type, or the class's module.QualName."),
    )
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    # No database constraint, as for AuditEntry: the event names who acted, and outlives them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(
        _("actor name"),
        max_length=255,
        blank=True,
        help_text=_("The username at the time; kept when the user is deleted."),
    )
    request_id = models.CharField(_("request id"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("stored event")
        verbose_name_plural = _("stored events")
        # The order events are read and replayed in; the id breaks ties of one instant.
        ordering = ("occurred_at", "id")
        indexes = (
            models.Index(fields=("occurred_at", "id"), name="fk_event_time_idx"),
            models.Index(fields=("event_type", "occurred_at", "id"), name="fk_event_type_time_idx"),
        )

    def __str__(self) -> str:
        return f"{self.event_type} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"
