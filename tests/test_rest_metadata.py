"""OPTIONS on message views: what each write method takes, never a 500."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import path

from django_functionalkit import Command, Query
from django_functionalkit.rest import MessageAPIView

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class GetNote(Query[str]):
    note_id: int


@dataclass(frozen=True)
class WriteNote(Command[str]):
    note_id: int
    text: str


class NoteView(MessageAPIView):
    messages = {"get": GetNote, "post": WriteNote}  # noqa: RUF012 - as users write it
    url_fields = {"pk": "note_id"}  # noqa: RUF012


urlpatterns = [path("notes/<int:pk>/", NoteView.as_view())]


@pytest.mark.parametrize(
    "url",
    [
        "/api/users/",
        "/api/users/1/",
        "/api/users/1/profile/",
        "/api/products/",
        "/api/products/1/",
        "/api/orders/",
        "/api/orders/1/",
        "/api/categories/",
    ],
)
def test_options_answers_every_route_of_the_example(client: Client, url: str) -> None:
    response = client.options(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["name"]


def test_options_of_a_detail_route_lists_the_body_of_put_without_the_url_field(
    client: Client,
) -> None:
    actions = client.options("/api/users/1/").json()["actions"]
    assert set(actions) == {"PUT"}
    assert set(actions["PUT"]) == {"name", "email"}  # user_id comes from the URL
    assert actions["PUT"]["email"]["required"] is True


def test_options_of_a_list_route_lists_the_body_of_post(client: Client) -> None:
    actions = client.options("/api/orders/").json()["actions"]
    assert set(actions["POST"]) == {"customer_id", "items", "payment"}


def test_options_leaves_out_the_methods_the_user_may_not_use(client: Client) -> None:
    assert "actions" not in client.options("/api/products/1/").json()  # read-only for guests
    client.force_login(User.objects.create_user("ada", password="long-enough"))
    actions = client.options("/api/products/1/").json()["actions"]
    assert set(actions["PUT"]) == {"name", "price", "category_id"}


@pytest.mark.urls(__name__)
def test_options_of_an_api_view_lists_the_message_of_each_write_method(client: Client) -> None:
    response = client.options("/notes/7/")
    assert response.status_code == 200
    assert response.json()["actions"] == {
        "POST": {"text": {"type": "string", "required": True, "read_only": False, "label": "Text"}}
    }
