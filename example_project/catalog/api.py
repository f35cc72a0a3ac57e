"""The catalog API: categories, and products read by category, each through its message."""

from __future__ import annotations

from typing import Any, ClassVar

from django.urls import reverse
from rest_framework.permissions import IsAuthenticatedOrReadOnly

from django_functionalkit.messages import Message
from django_functionalkit.rest import MessageViewSet

from .messages import CreateProduct, GetCategories, GetProduct, GetProductCatalog, UpdateProduct


class CategoryViewSet(MessageViewSet):
    """The categories, for a client to pick the one whose products it lists."""

    messages: ClassVar[dict[str, type[Message]]] = {"list": GetCategories}


class ProductViewSet(MessageViewSet):
    """A category's products page by page (``?category_id=``), one product, and changes."""

    messages: ClassVar[dict[str, type[Message]]] = {
        "list": GetProductCatalog,
        "retrieve": GetProduct,
        "create": CreateProduct,
        "update": UpdateProduct,
    }
    url_fields: ClassVar[dict[str, str]] = {"pk": "product_id"}
    # Anyone may read the catalog; changing it takes a signed-in user.
    permission_classes = (IsAuthenticatedOrReadOnly,)

    def created_location(self, value: Any) -> str:
        return reverse("product-detail", args=[value.id])
