"""Django's conventions: translatable labels, migrations that match the models, one version."""

from __future__ import annotations

import ast
import importlib.metadata
import tomllib
from io import StringIO
from pathlib import Path
from typing import get_args

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.utils.functional import Promise

import django_functionalkit
from django_functionalkit.admin import MessageTypeFilter
from django_functionalkit.messages import MessageKind
from django_functionalkit.models import AuditEntry

ROOT = Path(__file__).resolve().parent.parent


def test_the_app_model_and_field_labels_are_marked_for_translation() -> None:
    meta = AuditEntry._meta
    labels = {
        "app": apps.get_app_config("functionalkit").verbose_name,
        "model": meta.verbose_name,
        "model, plural": meta.verbose_name_plural,
    }
    for field in meta.get_fields():
        if field.concrete and not field.auto_created:
            labels[field.name] = field.verbose_name
            if field.help_text:
                labels[f"{field.name} help"] = field.help_text
            for value, label in field.choices or ():
                labels[f"{field.name} {value}"] = label
    untranslated = [name for name, label in labels.items() if not isinstance(label, Promise)]
    assert untranslated == []


def test_the_admin_labels_are_marked_for_translation() -> None:
    model_admin = admin.site._registry[AuditEntry]
    columns = [name for name in model_admin.fields if hasattr(model_admin, name)]
    assert columns  # the *_display and *_link columns
    descriptions = {name: getattr(model_admin, name).short_description for name in columns}
    descriptions["message type filter"] = MessageTypeFilter.title
    untranslated = [name for name, text in descriptions.items() if not isinstance(text, Promise)]
    assert untranslated == []


def test_the_kinds_an_entry_may_have_are_the_message_kinds() -> None:
    kind = AuditEntry._meta.get_field("kind")
    assert [value for value, _ in kind.choices or ()] == list(get_args(MessageKind))
    assert not hasattr(AuditEntry, "Kind")  # no second list to keep in step


@pytest.mark.django_db
def test_the_migrations_match_the_models() -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)  # exits 1 on a change
    assert "No changes detected" in out.getvalue()


def test_the_version_is_written_once_in_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert django_functionalkit.__version__ == importlib.metadata.version("django-functionalkit")
    assert django_functionalkit.__version__ == project["version"]
    source = ast.parse((ROOT / "django_functionalkit" / "__init__.py").read_text())
    literals = [
        node.value.value
        for node in ast.walk(source)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
        and isinstance(node.value, ast.Constant)
    ]
    assert literals == []
