"""App configurations: the default one discovers handlers; the simple one does not."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FunctionalKitConfig(AppConfig):
    """``"django_functionalkit"`` in INSTALLED_APPS: imports every app's ``handlers`` module."""

    name = "django_functionalkit"
    label = "functionalkit"
    verbose_name = _("FunctionalKit")
    default_auto_field = "django.db.models.BigAutoField"
    # Two configs live in this module; without this flag Django would pick neither by default
    # and discovery would silently never run.
    default = True

    def ready(self) -> None:
        from django.core.exceptions import ImproperlyConfigured

        from . import checks  # noqa: F401 - registers the system checks
        from .conf import get_config
        from .registry import autodiscover

        try:
            get_config()
        except ImproperlyConfigured:
            # Reported by `manage.py check` as functionalkit.E004 (runserver refuses to start),
            # and raised again by the first dispatch: no discovery with a broken setting.
            return
        autodiscover()


class FunctionalKitSimpleConfig(FunctionalKitConfig):
    """``"django_functionalkit.apps.FunctionalKitSimpleConfig"``: no discovery; register by hand."""

    default = False

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks
