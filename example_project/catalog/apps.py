"""The catalog app of the example project."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """Categories and products: the guide's catalog, cached per category and page."""

    name = "example_project.catalog"
    label = "example_catalog"
    verbose_name = "Example catalog"
