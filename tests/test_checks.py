"""System checks, through ``manage.py check`` as a user runs them."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from django_functionalkit import Query, QueryHandler, handler, messenger
from django_functionalkit.registry import registry
from tests.testapp.messages import GetGreeting


@dataclass(frozen=True)
class GetReport(Query[str]):
    report_id: int


def check(*args: str) -> tuple[str, str]:
    """Run ``manage.py check``; its stdout and stderr (warnings are written to stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("check", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def check_errors(*args: str) -> str:
    """Run ``manage.py check`` expecting errors; the report it raises."""
    with pytest.raises(SystemCheckError) as excinfo:
        check(*args)
    return str(excinfo.value)


def test_the_test_project_passes_its_checks() -> None:
    out, err = check()
    assert "System check identified no issues" in out
    assert "functionalkit" not in out + err


def test_the_checks_are_tagged_functionalkit() -> None:
    out, _ = check("--list-tags")
    assert "functionalkit" in out.split()
    out, _ = check("--tag", "functionalkit")
    assert "System check identified no issues" in out


# -- E001 ------------------------------------------------------------------------------------------


def test_e001_two_handlers_for_one_query(restore_registry: None) -> None:
    def greet_again(query: GetGreeting) -> str:
        return "Hi again"

    handler(greet_again)
    report = check_errors()
    assert "functionalkit.E001" in report
    assert "tests.testapp.handlers.get_greeting" in report
    assert f"{__name__}.{greet_again.__qualname__}" in report
    assert "HINT: A query or command has exactly one handler" in report


def test_e001_is_gone_when_the_duplicate_is(restore_registry: None) -> None:
    def greet_again(query: GetGreeting) -> str:
        return "Hi again"

    with registry.isolated():
        handler(greet_again)
        assert "functionalkit.E001" in check_errors()
    out, _ = check()
    assert "no issues" in out


def test_registering_the_same_handler_again_is_no_e001(restore_registry: None) -> None:
    registered = registry.handler_for(GetGreeting)
    assert registered is not None
    handler(registered.target)
    out, _ = check()
    assert "no issues" in out


# -- E002 ------------------------------------------------------------------------------------------


def test_e002_a_handler_with_a_second_required_parameter(restore_registry: None) -> None:
    def get_report(query: GetReport, user: Any) -> str:
        return "report"

    handler(get_report)
    report = check_errors()
    assert "functionalkit.E002" in report
    assert f"{__name__}.{get_report.__qualname__}" in report
    assert "user" in report
    assert "HINT: A handler takes the message as its only required argument" in report


def test_e002_a_handler_with_a_required_keyword_only_parameter(restore_registry: None) -> None:
    def get_report(query: GetReport, *, user: Any) -> str:
        return "report"

    handler(get_report)
    assert "functionalkit.E002" in check_errors()


def test_e002_a_handler_class_whose_handle_needs_more(restore_registry: None) -> None:
    class GetReportHandler(QueryHandler[GetReport, str]):
        def handle(self, query: GetReport, page: int) -> str:
            return "report"

    handler(GetReportHandler)
    report = check_errors()
    assert "functionalkit.E002" in report
    assert "GetReportHandler" in report


def test_optional_extra_parameters_are_no_e002(restore_registry: None) -> None:
    def get_report(query: GetReport, page: int = 1, **options: Any) -> str:
        return "report"

    class GetReportHandler(QueryHandler[GetReport, str]):
        def handle(self, query: GetReport, *, page: int = 1) -> str:
            return "report"

    with registry.isolated():
        handler(get_report)
        out, _ = check()
        assert "no issues" in out
    with registry.isolated():
        handler(GetReportHandler)
        out, _ = check()
        assert "no issues" in out


# -- E003 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("tests.behaviors.DoesNotExist", "cannot be imported"),
        ("no_such_package.Behavior", "cannot be imported"),
        ("tests.behaviors.NotABehavior", "is not a Behavior"),
    ],
)
def test_e003_a_behavior_that_cannot_be_imported_or_is_not_a_behavior(
    entry: str, problem: str
) -> None:
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": ["tests.behaviors.Outer", entry]}):
        report = check_errors()
    assert "functionalkit.E003" in report
    assert entry in report
    assert problem in report
    assert "HINT: List dotted paths of django_functionalkit.behaviors.Behavior subclasses" in report
    assert report.count("functionalkit.E003") == 1  # the good entry is not reported


def test_behaviors_given_as_classes_pass_the_check() -> None:
    from tests.behaviors import Inner, Outer

    with override_settings(FUNCTIONALKIT={"BEHAVIORS": [Outer, Inner]}):
        out, _ = check()
    assert "no issues" in out


def test_e005_a_behavior_with_one_path_only() -> None:
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": ["tests.behaviors.SyncOnly"]}):
        report = check_errors()
    assert "functionalkit.E005" in report
    assert "does not define ahandle()" in report
    assert "HINT: A behavior runs on both paths" in report


# -- E004 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "shown"),
    [
        ({"BEHAVIOURS": []}, "BEHAVIOURS"),
        ({"PUBLISH_ERRORS": "ignore"}, "'ignore'"),
        ({"HANDLER_FACTORY": "myproject.container.no_such_factory"}, "cannot be imported"),
        ({"HANDLER_FACTORY": "tests.behaviors.LOG"}, "is not callable"),
    ],
)
def test_e004_an_invalid_setting(setting: dict[str, Any], shown: str) -> None:
    with override_settings(FUNCTIONALKIT=setting):
        report = check_errors()
    assert "functionalkit.E004" in report
    assert shown in report
    assert "HINT:" in report.split("functionalkit.E004", 1)[1]


def test_e004_a_setting_that_is_not_a_dict() -> None:
    with override_settings(FUNCTIONALKIT=["BEHAVIORS"]):
        assert "functionalkit.E004" in check_errors()


def test_e004_handler_modules_given_as_a_string() -> None:
    """A one-module list written as a string: discovery would import `<app>.h`, `<app>.a`, ...

    and silently find no handler at all, so the check must say so.
    """
    with override_settings(FUNCTIONALKIT={"HANDLER_MODULES": "handlers"}):
        report = check_errors()
    assert "functionalkit.E004" in report
    assert "HANDLER_MODULES" in report


def test_a_valid_setting_passes_the_check() -> None:
    setting = {
        "BEHAVIORS": ["tests.behaviors.Outer"],
        "HANDLER_MODULES": ["handlers", "extra_handlers"],
        "HANDLER_FACTORY": "tests.test_messenger.build_from_container",
        "PUBLISH_ERRORS": "log",
    }
    with override_settings(FUNCTIONALKIT=setting):
        out, _ = check()
    assert "no issues" in out


# -- W001 ------------------------------------------------------------------------------------------


@pytest.fixture
def greeting_unhandled(restore_registry: None) -> None:
    """GetGreeting, defined in the installed app tests.testapp, without its handler."""
    del registry._single[GetGreeting]
    messenger.reset()


def test_w001_a_query_of_an_installed_app_without_a_handler(greeting_unhandled: None) -> None:
    out, err = check()
    assert "functionalkit.W001" in err
    assert "tests.testapp.messages.GetGreeting" in err
    assert "HINT: Write one with @handler in tests.testapp.handlers" in err
    assert "1 issue" in out + err


def test_w001_is_a_warning_not_an_error(greeting_unhandled: None) -> None:
    check()  # does not raise SystemCheckError
    with pytest.raises(SystemCheckError, match=r"functionalkit\.W001"):
        check("--fail-level", "WARNING")


def test_w001_only_for_the_apps_checked(greeting_unhandled: None) -> None:
    _, err = check("testapp_pkg")
    assert "W001" not in err
    _, err = check("testapp")
    assert "W001" in err


def test_w001_not_for_messages_outside_installed_apps() -> None:
    # GetReport, in this test module, has no handler, and this module is in no installed app.
    _, err = check()
    assert "GetReport" not in err


def test_a_broken_setting_does_not_crash_start_up_but_is_reported() -> None:
    from django.apps import apps

    with override_settings(FUNCTIONALKIT={"BEHAVIOURS": []}):
        apps.get_app_config("functionalkit").ready()  # no discovery, no traceback
        report = check_errors()
    assert "functionalkit.E004" in report
    assert "Unknown FUNCTIONALKIT setting(s) BEHAVIOURS" in report


# -- audit: E006, W002, W003 -----------------------------------------------------------------------


def test_e006_an_audit_database_that_is_not_configured() -> None:
    with override_settings(FUNCTIONALKIT={"AUDIT_DATABASE": "nowhere"}):
        report = check_errors()
    assert "functionalkit.E006" in report
    assert "'nowhere', which is not in DATABASES" in report


def test_w002_audit_inside_the_transaction() -> None:
    order = [
        "django_functionalkit.behaviors.transaction.TransactionBehavior",
        "django_functionalkit.behaviors.audit.AuditBehavior",
    ]
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": order}):
        _, err = check()
    assert "functionalkit.W002" in err
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": order[::-1]}):
        out, err = check()
    assert "functionalkit.W002" not in out + err


def test_w003_an_audit_alias_with_atomic_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.conf import settings

    # DATABASES cannot be overridden as a whole (Django warns): change the one entry.
    monkeypatch.setitem(settings.DATABASES["audit"], "ATOMIC_REQUESTS", True)
    with override_settings(FUNCTIONALKIT={"AUDIT_DATABASE": "audit"}):
        _, err = check()
    assert "functionalkit.W003" in err


def test_w004_cache_outside_authorization() -> None:
    order = [
        "django_functionalkit.behaviors.CacheBehavior",
        "django_functionalkit.behaviors.AuthorizationBehavior",
    ]
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": order}):
        _, err = check()
    assert "functionalkit.W004" in err


def test_w002_sees_subclasses_too() -> None:
    order = [
        "django_functionalkit.behaviors.TransactionBehavior",
        "tests.behaviors.MyAudit",
    ]
    with override_settings(FUNCTIONALKIT={"BEHAVIORS": order}):
        _, err = check()
    assert "functionalkit.W002" in err
