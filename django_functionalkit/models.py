"""The audit log (``AuditEntry``, see ``behaviors.audit``), stored events (``StoredEvent``) and
their deliveries to background handlers (``Delivery``)."""

from __future__ import annotations

from typing import get_args

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .messages import MessageKind

__all__ = ["AuditEntry", "Delivery", "StoredEvent"]

# The kinds of message, from the one list messages.MessageKind; each labelled by its name.
_KIND_CHOICES = [(kind, _(kind)) for kind in get_args(MessageKind)]


class ActorRecord(models.Model):
    """Who acted, as a record keeps it: the user, and their name at the time."""

    # No database constraint: a record may be written through a second connection that cannot
    # see (or would wait on) an actor created or locked by the transaction it runs beside, it
    # must never fail on that, and it outlives the user. Django still sets it to NULL when the
    # user is deleted.
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

    class Meta:
        abstract = True


class AuditEntry(ActorRecord):
    """Who sent which message, with what data, how it ended and how long it took.

    Request data and outcome are stored redacted and capped (``audit_payload``).
    """

    timestamp = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=_KIND_CHOICES)
    message_type = models.CharField(
        _("message type"),
        max_length=255,
        db_index=True,
        help_text=_("The message's dotted class name."),
    )
    request_data = models.JSONField(_("request data"), default=dict, blank=True)
    outcome = models.JSONField(
        _("outcome"),
        null=True,
        blank=True,
        help_text=_("What was returned; for a failure its error or the exception."),
    )
    error = models.TextField(_("error"), blank=True, help_text=_("The error's text, for failures."))
    success = models.BooleanField(_("success"), db_index=True)
    duration = models.FloatField(_("duration"), help_text=_("Seconds the message took."))
    request_id = models.CharField(_("request id"), max_length=255, blank=True, db_index=True)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ("-timestamp", "-id")

    def __str__(self) -> str:
        text = (
            gettext("%(message)s by %(actor)s succeeded at %(time)s")
            if self.success
            else gettext("%(message)s by %(actor)s failed at %(time)s")
        )
        return text % {
            "message": self.message_type,
            "actor": self.actor_name or gettext("nobody"),
            "time": f"{self.timestamp:%Y-%m-%d %H:%M:%S}",
        }


class StoredEvent(ActorRecord):
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


class Delivery(models.Model):
    """One stored event to one background handler: the truth of whether it ran.

    Pending while it waits or runs (a live lease: ``lease_owner`` until ``lease_expires_at``),
    succeeded once its handler's transaction committed, dead after its last attempt or a
    ``PermanentError`` (see ``delivery.runner``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        DEAD = "dead", _("dead")

    event = models.ForeignKey(
        StoredEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="deliveries"
    )
    handler = models.CharField(
        _("handler"), max_length=255, help_text=_("The handler's module.qualname.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(
        _("attempts"), default=0, help_text=_("Runs claimed so far, counted when claimed.")
    )
    max_attempts = models.PositiveIntegerField(
        _("maximum attempts"), help_text=_("Its retry policy's attempts when it was written.")
    )
    next_run_at = models.DateTimeField(_("next run at"), default=timezone.now)
    lease_owner = models.CharField(_("lease owner"), max_length=255, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    traceback = models.TextField(_("traceback"), blank=True, help_text=_("Secrets redacted."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ("-created_at", "-id")
        constraints = (
            # One failing handler is retried alone: the others have rows of their own.
            models.UniqueConstraint(fields=("event", "handler"), name="fk_delivery_once"),
        )
        indexes = (
            # The sweeper's "due" query and the admin's counts.
            models.Index(fields=("status", "next_run_at"), name="fk_delivery_due_idx"),
            models.Index(fields=("handler", "status"), name="fk_delivery_handler_idx"),
        )

    def __str__(self) -> str:
        return f"{self.handler} of {self.event_id} ({self.status})"
