"""The shop app's configuration (label ``testapp``)."""

from django.apps import AppConfig


class ShopConfig(AppConfig):
    """An installed app whose ``handlers`` module is a plain module."""

    name = "tests.testapp"
    label = "testapp"
    verbose_name = "Shop (tests)"
