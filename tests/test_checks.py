"""System checks, through ``manage.py check`` as a user runs them."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from django_functionalkit import (
    Cacheable,
    Command,
    Query,
    QueryHandler,
    RequiresAuthorization,
    Unit,
    handler,
    messenger,
    unit,
)
from django_functionalkit.middleware import FunctionalKitMiddleware
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


# -- a broken setting: E004 alone ------------------------------------------------------------------


def test_a_broken_setting_is_one_error_not_warnings_of_its_consequences(
    restore_registry: None,
) -> None:
    # As after start-up with the typo: apps.py skipped discovery, nothing is registered.
    registry.restore(({}, [], {}))
    with override_settings(FUNCTIONALKIT={"BEHAVIOURS": []}):
        report = check_errors()
    assert "functionalkit.E004" in report
    assert "W001" not in report
    assert "1 issue" in report


# -- E008 ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GetForecast(Query[str], Cacheable):
    city: str


@dataclass(frozen=True)
class GetCityForecast(GetForecast):
    @property
    def cache_key(self) -> str:
        return f"forecast:{self.city}"


@dataclass(frozen=True)
class GetWorldForecast(Query[str], Cacheable):
    cache_key: ClassVar[str] = "forecast:world"


def test_e008_a_cacheable_query_without_a_cache_key(restore_registry: None) -> None:
    @handler
    def get_forecast(query: GetForecast) -> str:
        return "rain"

    report = check_errors()
    assert "functionalkit.E008" in report
    assert f"{__name__}.GetForecast is Cacheable but does not define cache_key" in report
    assert "HINT: Add a cache_key property" in report


def test_a_cache_key_property_or_class_attribute_is_no_e008(restore_registry: None) -> None:
    @handler
    def get_city_forecast(query: GetCityForecast) -> str:
        return "rain"

    @handler
    def get_world_forecast(query: GetWorldForecast) -> str:
        return "rain"

    out, _ = check()
    assert "no issues" in out


# -- W007 ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveReport(Command[Unit], RequiresAuthorization):
    report_id: int
    required_permissions = ("auth.change_user",)


def without_middleware() -> list[str]:
    from django.conf import settings

    return [m for m in settings.MIDDLEWARE if not m.endswith("FunctionalKitMiddleware")]


def test_w007_authorized_messages_without_the_middleware(restore_registry: None) -> None:
    @handler
    def archive_report(command: ArchiveReport) -> Unit:
        return unit

    authorization = {"BEHAVIORS": ["django_functionalkit.behaviors.AuthorizationBehavior"]}
    with override_settings(MIDDLEWARE=without_middleware(), FUNCTIONALKIT=authorization):
        _, err = check()
    assert "functionalkit.W007" in err
    assert f"{__name__}.ArchiveReport" in err
    assert 'HINT: Add "django_functionalkit.middleware.FunctionalKitMiddleware"' in err
    with override_settings(FUNCTIONALKIT=authorization):
        out, _ = check()  # with the middleware
    assert "no issues" in out


def test_w007_audited_commands_without_the_middleware() -> None:
    with override_settings(MIDDLEWARE=without_middleware(), FUNCTIONALKIT={}):
        _, err = check()
    assert "functionalkit.W007" in err
    # Commands are audited by default; the first three are named.
    assert "(example_project.catalog.messages.CreateProduct, " in err
    assert " more): outside DRF views their actor is None" in err


def test_no_w007_when_no_behavior_needs_an_actor() -> None:
    with override_settings(MIDDLEWARE=without_middleware()):  # the tests' bare pipeline
        out, _ = check()
    assert "no issues" in out


def test_a_subclass_of_the_middleware_is_no_w007() -> None:
    middleware = [*without_middleware(), "tests.test_checks.MyMiddleware"]
    with override_settings(MIDDLEWARE=middleware, FUNCTIONALKIT={}):
        out, err = check()
    assert "System check identified" in out + err  # the checks ran
    assert "functionalkit.W007" not in err


class MyMiddleware(FunctionalKitMiddleware):
    pass


# -- W008 and W009 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeleteReport(Command[Unit], RequiresAuthorization):
    report_id: int
    required_permissions = ("auth.delete_user", "auth.dleete_user", "reports.delete_report")


@dataclass(frozen=True)
class PublishReport(Command[Unit], RequiresAuthorization):
    required_permissions = "publish_report"  # no app label; a string is one name


@pytest.fixture
def report_handlers(restore_registry: None) -> None:
    @handler
    def delete_report(command: DeleteReport) -> Unit:
        return unit

    @handler
    def publish_report(command: PublishReport) -> Unit:
        return unit


@pytest.mark.django_db
def test_w008_a_permission_that_does_not_exist(report_handlers: None) -> None:
    _, err = check("--database", "default")
    assert err.count("functionalkit.W008") == 2
    assert f"{__name__}.DeleteReport requires the permission 'auth.dleete_user'" in err
    assert "'reports.delete_report', which does not exist in the database 'default'" in err
    assert "'auth.delete_user'" not in err
    assert "HINT: Check its spelling" in err


@pytest.mark.django_db
def test_w008_runs_only_when_databases_are_checked(report_handlers: None) -> None:
    _, err = check()
    assert "W008" not in err


@pytest.mark.django_db
def test_w008_waits_for_pending_migrations(report_handlers: None) -> None:
    """``migrate`` runs the database checks before it migrates, and permissions are created
    after it (post_migrate): a permission may not exist yet, so the check says nothing."""
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    last = recorder.migration_qs.filter(app="auth").latest("id")
    recorder.record_unapplied(last.app, last.name)  # rolled back with the test
    _, err = check("--database", "default")
    assert "W008" not in err


def test_w009_a_permission_without_an_app_label(report_handlers: None) -> None:
    _, err = check()
    assert "functionalkit.W009" in err
    assert f"{__name__}.PublishReport requires the permission 'publish_report'" in err
    assert 'HINT: Write permissions as Django names them: "app_label.codename"' in err
    assert err.count("functionalkit.W009") == 1


@pytest.mark.django_db
def test_the_test_project_passes_its_database_checks() -> None:
    out, _ = check("--database", "default")
    assert "no issues" in out


# -- E009 ------------------------------------------------------------------------------------------


@override_settings(ROOT_URLCONF="tests.urls_checks")
def test_e009_messages_entries_that_no_route_reaches() -> None:
    report = check_errors()
    assert report.count("functionalkit.E009") == 4
    for view, action in [
        ("GreetingViewSet", "retreive"),
        ("GreetingViewSet", "confirm"),
        ("OrderViewSet", "create"),
        ("OrderView", "list"),
    ]:
        assert f"tests.urls_checks.{view}.messages maps '{action}' to" in report
    assert "no route reaches that action (routed: count, list)" in report
    assert "HINT: Name a standard action (list, create, retrieve" in report
    assert "HINT: Key messages by the HTTP method" in report
    assert "NeverRoutedViewSet" not in report


@override_settings(ROOT_URLCONF="tests.urls_checks")
def test_e011_a_routed_message_no_request_can_fill() -> None:
    report = check_errors()
    assert report.count("functionalkit.E011") == 1
    assert "tests.urls_checks.GetStep, served by tests.urls_checks.StepView, cannot be" in report
    assert "MultipleOf(multiple_of=5) is not enforced" in report
    assert "HINT: Declare only the constraints the library enforces" in report


def test_the_example_project_routes_every_message() -> None:
    out, _ = check("--tag", "urls")
    assert "no issues" in out
