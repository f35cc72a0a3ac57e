"""Configuration of the app installed only inside some tests."""

from django.apps import AppConfig


class UndiscoveredConfig(AppConfig):
    name = "tests.testapp_undiscovered"
    label = "testapp_undiscovered"
