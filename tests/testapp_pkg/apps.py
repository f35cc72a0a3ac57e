"""Configuration of the app with a handlers package (label ``testapp_pkg``)."""

from django.apps import AppConfig


class PackageHandlersConfig(AppConfig):
    name = "tests.testapp_pkg"
    label = "testapp_pkg"
