"""``manage.py list_handlers``: every message type, its handlers and the behaviors around them."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_functionalkit.introspection import dotted_name, subclasses
from django_functionalkit.messages import Message
from django_functionalkit.messenger import messenger
from django_functionalkit.registry import HandlerSpec, registry

KINDS = ("query", "command", "notification")


class Command(BaseCommand):
    help = "List each message type with its handler(s), sync or async, and the behaviors around it."
    # A diagnostic: it must run even when the checks fail (two handlers for one command).
    requires_system_checks: ClassVar[list[str]] = []  # type: ignore[misc]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("app_labels", nargs="*", help="Only messages defined in these apps.")
        parser.add_argument("--kind", choices=KINDS, help="Only messages of this kind.")
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args: str, **options: Any) -> None:
        app_labels: list[str] = options["app_labels"]
        for label in app_labels:
            try:
                apps.get_app_config(label)
            except LookupError as exc:
                raise CommandError(str(exc)) from exc
        rows = [
            row
            for row in _rows()
            if (not options["kind"] or row["kind"] == options["kind"])
            and (not app_labels or row["app"] in app_labels)
        ]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
        elif not rows:
            filtered = app_labels or options["kind"]
            self.stdout.write("No handlers match." if filtered else "No handlers registered.")
        else:
            self.stdout.write(_table(rows))


def _rows() -> list[dict[str, Any]]:
    message_types: dict[type[Message], None] = {}
    for spec in registry.specs():
        message_types.setdefault(spec.message_type, None)
    for message_type in list(message_types):
        if message_type.kind == "notification":  # subclasses heard through a base-class handler
            for sub in subclasses(message_type):
                message_types.setdefault(sub, None)
    rows = []
    for message_type in message_types:
        kind = message_type.kind
        specs = registry.handlers_of(message_type)
        config = apps.get_containing_app_config(message_type.__module__)
        rows.append(
            {
                "message": dotted_name(message_type),
                "kind": kind,
                "app": config.label if config else None,
                "handlers": [_describe(spec) for spec in specs],
                "behaviors": [repr(b) for b in messenger.behaviors_for(message_type)],
            }
        )
    rows.sort(key=lambda row: (KINDS.index(row["kind"]), row["message"]))
    return rows


def _describe(spec: HandlerSpec) -> dict[str, Any]:
    described = {"name": spec.name, "async": spec.is_async, "class": spec.is_class}
    if spec.background:  # run by workers from delivery rows (only then: the shape stays stable)
        described["background"] = True
    return described


def _table(rows: list[dict[str, Any]]) -> str:
    lines = []
    for row in rows:
        lines.append(f"{row['message']}  [{row['kind']}]")
        for spec in row["handlers"]:
            mode = ("async" if spec["async"] else "sync") + (", class" if spec["class"] else "")
            mode += ", background" if spec.get("background") else ""
            lines.append(f"    handler   {spec['name']} ({mode})")
        if not row["handlers"]:
            lines.append("    handler   (none)")
        for behavior in row["behaviors"]:
            lines.append(f"    behavior  {behavior}")
    return "\n".join(lines)
