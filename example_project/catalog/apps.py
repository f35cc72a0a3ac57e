"""The catalog app of the example project."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """Categories and products: the guide's catalog, cached per category and page."""

    name = "example_project.catalog"
    label = "example_catalog"
    verbose_name = "Example catalog"

    def ready(self) -> None:
        from django_functionalkit import invalidates_on_change

        from .messages import catalog_tag, product_key
        from .models import Product

        # A product saved or deleted anywhere (the admin, a shell, the demo loader) drops its
        # cached entry and the catalog pages of its category, once committed. The commands
        # declare the same (InvalidatesCache), as the guide's handlers do.
        invalidates_on_change(
            Product,
            keys=lambda product: [product_key(product.pk)],
            tags=lambda product: [catalog_tag(product.category_id)],
        )
