"""Emails sent by background handlers once per delivery, whatever retries it takes."""

from __future__ import annotations

from django.core.mail import EmailMessage

from django_functionalkit.delivery.runner import current_delivery

from .models import SentEmail


def send_once(subject: str, body: str, sender: str, to: str) -> bool:
    """Send the email of the running delivery unless it was sent already; whether it sent.

    The log row commits with the delivery's success mark: once it succeeded, a retry (a worker
    whose lease expired, a sweep) finds the row and sends nothing. The key also goes out as a
    header, so a mail service that deduplicates can drop the one resend left: a worker that
    dies after sending and before its commit.
    """
    running = current_delivery()
    if running is None:
        raise RuntimeError("send_once is called from a background handler, under a delivery")
    key = running.idempotency_key
    if SentEmail.objects.filter(key=key).exists():
        return False
    SentEmail.objects.create(key=key, to=to, subject=subject)
    EmailMessage(subject, body, sender, [to], headers={"X-Idempotency-Key": key}).send()
    return True
