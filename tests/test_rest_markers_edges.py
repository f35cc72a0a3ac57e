"""Marker options are no request input in any way a client sends them (review of issue 9)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.urls import path
from rest_framework.test import APIClient

from django_functionalkit import Cacheable, Query
from django_functionalkit.registry import make_spec
from django_functionalkit.rest import MessageAPIView
from django_functionalkit.testing import isolated_handlers

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@dataclass(frozen=True)
class GetCatalog(Query[str], Cacheable):
    cache_key: str = "catalog"  # E007: a marker option written as a field


class CatalogView(MessageAPIView):
    messages = {"get": GetCatalog}  # noqa: RUF012 - as users write it


urlpatterns = [path("catalog/", CatalogView.as_view())]


@pytest.fixture(autouse=True)
def handlers() -> Iterator[None]:
    with isolated_handlers() as registry:
        registry.register(make_spec(lambda query: "the catalog", message_type=GetCatalog))
        yield


def test_a_marker_option_given_twice_in_the_query_string_is_ignored_too() -> None:
    """Not "give this parameter once": a client cannot even tell the option is there."""
    response = APIClient().get("/catalog/?cache_key=a&cache_key=b")
    assert response.status_code == 200
    assert response.json() == "the catalog"
