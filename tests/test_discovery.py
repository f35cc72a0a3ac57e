"""Discovery: AppConfig.ready() imports ``<app>.handlers`` of every installed app.

These tests have no ``django_db`` mark: pytest-django refuses any database access in them, so
each one also shows that discovery touches no database.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.test import override_settings

from django_functionalkit import messenger
from django_functionalkit.apps import FunctionalKitConfig
from django_functionalkit.registry import HandlerRegistrationError, autodiscover, registry
from example_project.users.messages import GetUserById
from tests.testapp import store
from tests.testapp.messages import CountItems, GetGreeting, OrderCancelled, PlaceOrder
from tests.testapp_pkg.messages import Ping

UNDISCOVERED = "tests.testapp_undiscovered.handlers"
EXTRA = "tests.testapp.extra_handlers"
BASE_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]


def handler_names() -> list[str]:
    return [spec.name for spec in registry.specs()]


@pytest.fixture
def fresh_modules(restore_registry: None) -> Iterator[None]:
    """Handler modules only some tests import are imported afresh, and forgotten after."""
    for name in (UNDISCOVERED, EXTRA):
        sys.modules.pop(name, None)
    yield
    for name in (UNDISCOVERED, EXTRA):
        sys.modules.pop(name, None)


def test_this_module_cannot_reach_the_database() -> None:
    """The premise of the module docstring: a query here fails, so discovery made none."""
    from django.contrib.auth.models import User

    with pytest.raises(RuntimeError, match="Database access not allowed"):
        User.objects.count()


# -- at start-up -----------------------------------------------------------------------------------


def test_the_discovering_config_is_the_default_one() -> None:
    assert type(apps.get_app_config("functionalkit")) is FunctionalKitConfig


def test_the_handlers_module_of_every_installed_app_was_imported_at_start_up() -> None:
    # No test module imports these handler modules: only discovery can have registered them.
    names = handler_names()
    assert "tests.testapp.handlers.get_greeting" in names
    assert "tests.testapp.handlers.count_items" in names
    assert "tests.testapp.handlers.PlaceOrderHandler" in names
    assert "tests.testapp.handlers.EventStoreHandler" in names
    assert "example_project.users.handlers.get_user_by_id" in names
    assert registry.has_handler(GetUserById)


def test_a_handlers_package_is_discovered_with_the_modules_it_imports() -> None:
    assert "tests.testapp_pkg.handlers.ping.ping" in handler_names()
    assert messenger.query(Ping()) == "pong"


def test_discovered_handlers_answer_through_the_messenger(shop: None) -> None:
    assert messenger.query(GetGreeting("Ada")) == "Hello, Ada!"
    assert messenger.query(CountItems(["x"])) == 1
    messenger.send(PlaceOrder("tea", 1))
    assert store.outbox == ["order 1: tea"]


def test_discovery_registered_no_duplicates() -> None:
    assert registry.duplicates() == {}


def test_only_the_configured_module_names_are_imported(fresh_modules: None) -> None:
    autodiscover()
    assert EXTRA not in sys.modules
    assert "tests.testapp.broken_handlers" not in sys.modules


# -- running again ---------------------------------------------------------------------------------


def test_running_ready_again_changes_nothing() -> None:
    before = handler_names()
    config = apps.get_app_config("functionalkit")
    config.ready()
    config.ready()
    autodiscover()
    assert handler_names() == before
    assert registry.duplicates() == {}
    assert messenger.query(GetGreeting("Ada")) == "Hello, Ada!"


def test_reinstalling_the_apps_runs_ready_again_and_changes_nothing(fresh_modules: None) -> None:
    before = handler_names()
    with override_settings(INSTALLED_APPS=[*BASE_APPS, "django_functionalkit", "tests.testapp"]):
        assert handler_names() == before
    assert handler_names() == before
    assert registry.duplicates() == {}


# -- configuration ---------------------------------------------------------------------------------


def test_an_app_installed_later_is_discovered_by_the_default_config(fresh_modules: None) -> None:
    from tests.testapp_undiscovered.messages import Whisper

    with override_settings(
        INSTALLED_APPS=[*BASE_APPS, "django_functionalkit", "tests.testapp_undiscovered"]
    ):
        assert UNDISCOVERED in sys.modules
        assert messenger.query(Whisper()) == "psst"


def test_the_simple_config_discovers_nothing(fresh_modules: None) -> None:
    with override_settings(
        INSTALLED_APPS=[
            *BASE_APPS,
            "django_functionalkit.apps.FunctionalKitSimpleConfig",
            "tests.testapp_undiscovered",
        ]
    ):
        assert apps.get_app_config("functionalkit").__class__.__name__ == (
            "FunctionalKitSimpleConfig"
        )
        assert UNDISCOVERED not in sys.modules


def test_the_module_names_are_a_setting(fresh_modules: None, shop: None) -> None:
    with override_settings(FUNCTIONALKIT={"HANDLER_MODULES": ["handlers", "extra_handlers"]}):
        autodiscover()
    assert EXTRA in sys.modules
    assert "tests.testapp.extra_handlers.notify_warehouse" in handler_names()
    messenger.publish(OrderCancelled(3))
    assert store.outbox == ["warehouse: order 3 cancelled"]
    assert registry.duplicates() == {}


def test_ready_reads_the_module_names_setting(fresh_modules: None) -> None:
    with override_settings(FUNCTIONALKIT={"HANDLER_MODULES": ["extra_handlers"]}):
        apps.get_app_config("functionalkit").ready()
    assert EXTRA in sys.modules


# -- modules that fail to import -------------------------------------------------------------------


def test_a_module_that_fails_to_import_raises_its_own_error() -> None:
    with (
        override_settings(FUNCTIONALKIT={"HANDLER_MODULES": ["broken_handlers"]}),
        pytest.raises(RuntimeError, match="broken_handlers fails on purpose") as excinfo,
    ):
        apps.get_app_config("functionalkit").ready()
    files = [frame.filename for frame in traceback.extract_tb(excinfo.value.__traceback__)]
    assert files[-1].endswith("tests/testapp/broken_handlers.py")


def test_a_module_whose_own_import_is_missing_is_not_taken_for_a_missing_module() -> None:
    with (
        override_settings(FUNCTIONALKIT={"HANDLER_MODULES": ["missing_dependency_handlers"]}),
        pytest.raises(ModuleNotFoundError, match="functionalkit_tests_not_installed"),
    ):
        autodiscover()


def test_a_handler_without_annotation_fails_discovery_naming_it() -> None:
    with (
        override_settings(FUNCTIONALKIT={"HANDLER_MODULES": ["unannotated_handlers"]}),
        pytest.raises(HandlerRegistrationError, match=r"unannotated_handlers\.greet"),
    ):
        apps.get_app_config("functionalkit").ready()


def test_a_module_name_no_app_has_is_skipped() -> None:
    before = handler_names()
    with override_settings(FUNCTIONALKIT={"HANDLER_MODULES": ["no_app_has_this_module"]}):
        autodiscover()
    assert handler_names() == before


def test_a_module_that_fails_after_registering_leaves_no_handler_behind() -> None:
    before = handler_names()
    for _ in range(2):  # as the development server's reload imports it again
        with (
            override_settings(FUNCTIONALKIT={"HANDLER_MODULES": ["half_broken_handlers"]}),
            pytest.raises(RuntimeError, match="fails after registering"),
        ):
            autodiscover()
        sys.modules.pop("tests.testapp.half_broken_handlers", None)
    assert handler_names() == before
    assert "half_registered" not in " ".join(handler_names())
