"""OPTIONS asked for as HTML, as DRF's browsable API (a default renderer) answers it.

DRF's ``BrowsableAPIRenderer`` builds a form for each method the
route allows from the view's serializer, and a message view had none: a 500.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

pytestmark = [pytest.mark.django_db, pytest.mark.urls("example_project.urls")]


@pytest.mark.parametrize(
    "url",
    ["/api/users/", "/api/users/1/", "/api/orders/", "/api/products/1/"],
    ids=["viewset list", "viewset detail", "create only", "another detail"],
)
def test_options_as_html_shows_the_message_forms(url: str) -> None:
    client = APIClient()
    client.force_authenticate(User.objects.create_superuser("root", "root@example.com"))
    response = client.options(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
