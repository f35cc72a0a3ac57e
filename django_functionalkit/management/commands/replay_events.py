"""``manage.py replay_events --handler NAME``: run stored events through one handler again.

To rebuild a read model: empty it, then replay the events its handler hears, in the order they
occurred. Each event runs in a transaction of its own; on a failure the command stops and says
how to resume (``--after`` the last event replayed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from django_functionalkit.delivery import events
from django_functionalkit.messages import Notification
from django_functionalkit.messenger import messenger
from django_functionalkit.registry import HandlerSpec, registry


class Command(BaseCommand):
    help = (
        "Replay stored events, in the order they occurred, to ONE notification handler "
        "(named as list_handlers shows it), to rebuild a read model."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--handler", required=True, help="The handler's module.qualname (see list_handlers)."
        )
        parser.add_argument(
            "--type",
            action="append",
            dest="types",
            metavar="TYPE",
            help="Only events of this stored type name (repeat for more; default: every type "
            "the handler hears).",
        )
        parser.add_argument("--since", type=_when, help="From this ISO 8601 time, inclusive.")
        parser.add_argument("--until", type=_when, help="Until this ISO 8601 time, exclusive.")
        parser.add_argument("--after", metavar="EVENT_ID", help="Resume after this event's id.")
        parser.add_argument(
            "--dry-run", action="store_true", help="List the events; run no handler."
        )
        parser.add_argument("--database", help="Where the events are read from.")

    def handle(self, *args: Any, **options: Any) -> None:
        spec = _handler(options["handler"])
        types = _types(spec, options["types"])
        found = events.read(
            types,
            since=options["since"],
            until=options["until"],
            after_id=options["after"],
            using=options["database"],
        )
        call = messenger.handler_call(spec)  # how publish calls it, sync or async
        done = 0
        last: events.RecordedEvent[Any] | None = None
        for event in found:
            line = f"{event.occurred_at.isoformat()}  {event.event_type}  {event.event_id}"
            if options["dry_run"]:
                self.stdout.write(line)
            else:
                try:
                    with transaction.atomic():
                        call(event.notification)
                except Exception as exc:
                    resume = f" --after {last.event_id}" if last else ""
                    raise CommandError(
                        f"{spec.name} failed on event {event.event_id} ({event.event_type}, "
                        f"{event.occurred_at.isoformat()}): {type(exc).__name__}: {exc}. "
                        f"{done} event(s) replayed before it; once fixed, run the command again "
                        f"with{resume or ' the same options'}."
                    ) from exc
                self.stdout.write(line, self.style.SUCCESS)
            done += 1
            last = event
        verb = "Would replay" if options["dry_run"] else "Replayed"
        self.stdout.write(f"{verb} {done} event(s) to {spec.name}.")


def _handler(name: str) -> HandlerSpec:
    handlers = [s for s in registry.specs() if s.message_type.kind == "notification"]
    for spec in handlers:
        if spec.name == name:
            return spec
    known = ", ".join(sorted(s.name for s in handlers)) or "none"
    raise CommandError(f"No notification handler is named {name!r}. Known: {known}.")


def _types(spec: HandlerSpec, names: list[str] | None) -> list[type[Notification]]:
    heard: type[Notification] = spec.message_type  # type: ignore[assignment]
    if not names:
        return [heard]
    types = []
    for name in names:
        try:
            cls = events.type_named(name)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        if not issubclass(cls, heard):
            raise CommandError(f"{spec.name} does not hear {name} (it hears {heard.__qualname__}).")
        types.append(cls)
    return types


def _when(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 time: {text!r}") from exc
    return timezone.make_aware(value) if timezone.is_naive(value) else value
