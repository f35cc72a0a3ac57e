"""The users app of the example project."""

from django.apps import AppConfig


class UsersConfig(AppConfig):
    """Users, as in the guide's examples, on Django's own user model."""

    name = "example_project.users"
    label = "example_users"
    verbose_name = "Example users"
