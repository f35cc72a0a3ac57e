"""DRF integration through DRF's and Django's test clients: statuses and problem details."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core import mail
from django.test import AsyncClient, Client, override_settings
from django.test.utils import CaptureQueriesContext

from django_functionalkit import Query
from tests.delivering import deliver
from tests.problems import problem

# Real commits and a project's default settings (the default stack of behaviors), as in
# production: a command's notifications are delivered after it commits.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.urls_rest"),
    pytest.mark.usefixtures("default_stack"),
]


@pytest.fixture
def ada() -> User:
    return User.objects.create_user(
        "ada@example.com", "ada@example.com", "difference-engine", first_name="Ada"
    )


@pytest.fixture
def manager() -> User:
    user = User.objects.create_user("boss@example.com", "boss@example.com", "s3cret-pass")
    user.groups.add(Group.objects.create(name="UserManager"))
    user.user_permissions.add(Permission.objects.get(codename="delete_user"))
    return user


@dataclass(frozen=True)
class Price(Query[str]):
    amount: Decimal


# -- result_response in a plain Django view ---------------------------------------------------


def test_a_success_is_200_with_the_value(client: Client) -> None:
    response = client.get("/results/value/")
    assert response.status_code == 200
    assert response.json() == {"id": 1, "name": "lamp"}


def test_a_creation_is_201_with_an_absolute_location(client: Client) -> None:
    response = client.get("/results/created/")
    assert response.status_code == 201
    assert response["Location"] == "http://testserver/items/2/"


def test_unit_is_204_without_a_body(client: Client) -> None:
    response = client.get("/results/unit/")
    assert response.status_code == 204
    assert response.content == b""


def test_a_failure_is_its_error_as_a_problem(client: Client) -> None:
    body = problem(client.get("/results/conflict/"), 409)
    assert body["detail"] == "Email already exists"
    assert body["code"] == "email_taken"
    assert problem(client.get("/results/text/"), 400)["detail"] == (
        "Order must contain at least one item"
    )


def test_a_page_has_drfs_shape_with_working_links(client: Client) -> None:
    first = client.get("/results/page/").json()
    assert first["count"] == 5
    assert first["previous"] is None
    assert first["next"] == "http://testserver/results/page/?page=2"
    assert [item["id"] for item in first["results"]] == [1, 2]
    middle = client.get(first["next"]).json()
    assert middle["previous"] == "http://testserver/results/page/"  # page 1 has no param
    last = client.get("/results/page/?page=3").json()
    assert last["next"] is None
    assert [item["id"] for item in last["results"]] == [5]


def test_a_page_past_the_last_is_404(client: Client) -> None:
    body = problem(client.get("/results/page/?page=4"), 404)
    assert body["code"] == "invalid_page"


# -- the exception handler: DRF's own errors, the library's, and unexpected ones ---------------


@pytest.mark.parametrize(
    ("kind", "status"),
    [("http404", 404), ("permission", 403), ("throttled", 429), ("not-found-error", 404)],
)
def test_errors_raised_in_a_drf_view_are_problems(client: Client, kind: str, status: int) -> None:
    response = client.get(f"/raise/{kind}/")
    problem(response, status)
    if kind == "throttled":
        assert response["Retry-After"] == "42"
    if kind == "not-found-error":
        assert response.json()["detail"] == "User 7 not found"


def test_an_unexpected_error_is_a_logged_500_with_no_internals(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="django_functionalkit"):
        body = problem(client.get("/raise/unexpected/"), 500)
    assert body["detail"] == "An unexpected error occurred."
    assert "hunter2" not in json.dumps(body)
    assert "RuntimeError" not in json.dumps(body)
    logged = [r for r in caplog.records if r.name == "django_functionalkit"]
    assert logged
    assert logged[0].exc_info is not None


def test_drf_validation_errors_have_field_errors(client: Client) -> None:
    response = client.post(
        "/raise/x/",
        {"name": "too long a name", "tags": [1, "two"]},
        content_type="application/json",
    )
    body = problem(response, 400)
    assert set(body["errors"]) == {"name", "tags.1"}  # the second tag is the wrong one
    assert body["errors"]["name"] == ["Ensure this field has no more than 5 characters."]


def test_authentication_is_401_with_a_challenge(client: Client) -> None:
    response = client.get("/private/")
    problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Basic")


def test_method_not_allowed_and_unsupported_media_type(client: Client) -> None:
    problem(client.put("/raise/x/", {}, content_type="application/json"), 405)
    problem(client.post("/raise/x/", "name=x", content_type="text/plain"), 415)


def test_malformed_json_is_400(client: Client) -> None:
    body = problem(client.post("/api/users/", "{oops", content_type="application/json"), 400)
    assert body["code"] == "parse_error"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_a_body_over_the_size_limit_is_413(client: Client) -> None:
    big = json.dumps({"name": "x" * 500, "email": "a@b.cd", "password": "x" * 10})
    problem(client.post("/api/users/", big, content_type="application/json"), 413)


# -- the message viewset: every status from a real handler --------------------------------------


def test_list_is_a_page_of_users(client: Client, ada: User) -> None:
    body = client.get("/api/users/?page_size=1").json()
    assert body["count"] == 1
    assert body["results"][0]["email"] == "ada@example.com"


def test_query_parameters_are_coerced_and_checked(client: Client, ada: User) -> None:
    assert client.get("/api/users/?is_active=true").json()["count"] == 1
    assert client.get("/api/users/?is_active=false").json()["count"] == 0
    body = problem(client.get("/api/users/?page=abc&created_after=yesterday"), 400)
    assert set(body["errors"]) == {"page", "created_after"}
    body = problem(client.get("/api/users/?page=0&page_size=500"), 400)
    assert set(body["errors"]) == {"page", "page_size"}
    assert problem(client.get("/api/users/?page=9"), 404)["code"] == "invalid_page"


def test_retrieve_is_200_or_a_404_problem(client: Client, ada: User) -> None:
    assert client.get(f"/api/users/{ada.pk}/").json()["name"] == "Ada"
    body = problem(client.get("/api/users/99999/"), 404)
    assert body["detail"] == "User with ID 99999 not found"
    assert set(problem(client.get("/api/users/abc/"), 400)["errors"]) == {"user_id"}


def test_create_is_201_with_location_then_409_for_the_same_email(client: Client) -> None:
    payload = {"name": "Grace Hopper", "email": "grace@example.com", "password": "cobol-1959"}
    response = client.post("/api/users/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert response["Location"] == f"http://testserver/api/users/{created['id']}/"
    assert client.get(response["Location"]).json()["email"] == "grace@example.com"
    assert deliver() == "pass 1: 1 succeeded"  # UserCreated's background handler, by a worker
    assert [m.to for m in mail.outbox] == [["grace@example.com"]]
    again = client.post("/api/users/", payload, content_type="application/json")
    assert problem(again, 409)["code"] == "email_taken"


def test_invalid_input_reports_every_field_and_writes_nothing(client: Client) -> None:
    payload = {"name": "", "email": "not-an-email", "password": "short"}
    body = problem(client.post("/api/users/", payload, content_type="application/json"), 400)
    assert body["errors"] == {  # what the fields' types declare, checked by the serializer
        "name": ["This field may not be blank."],
        "email": ["Enter a valid value."],
        "password": ["Ensure this field has at least 8 characters."],
    }
    assert not User.objects.exists()


def test_missing_fields_and_wrong_types_are_400_before_any_query(client: Client) -> None:
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        body = problem(
            client.post("/api/users/", {"name": ["x"]}, content_type="application/json"), 400
        )
    assert set(body["errors"]) == {"name", "email", "password"}
    assert len(queries) == 0  # the messenger was never called
    problem(client.post("/api/users/", [1, 2], content_type="application/json"), 400)


def test_update_takes_the_id_from_the_url_and_the_rest_from_the_body(
    client: Client, ada: User
) -> None:
    payload = {"name": "Ada Lovelace", "email": "ada@lovelace.example"}
    body = problem(
        client.put(f"/api/users/{ada.pk}/", payload, content_type="application/json"), 403
    )
    assert body["detail"] == "User not authenticated"  # 403: the session sends no challenge
    client.force_login(ada)  # a user may change their own name and email
    response = client.put(f"/api/users/{ada.pk}/", payload, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["email"] == "ada@lovelace.example"
    # Someone else's id (existing or not) is refused before the handler looks it up.
    problem(client.put("/api/users/99999/", payload, content_type="application/json"), 403)
    ada.user_permissions.add(Permission.objects.get(codename="change_user"))
    client.force_login(User.objects.get(pk=ada.pk))  # a user manager now
    problem(client.put("/api/users/99999/", payload, content_type="application/json"), 404)


def test_delete_needs_a_signed_in_user_with_role_and_permission(
    client: Client, ada: User, manager: User
) -> None:
    problem(client.delete(f"/api/users/{ada.pk}/"), 403)  # nobody signed in: no challenge
    client.force_login(ada)
    body = problem(client.delete(f"/api/users/{ada.pk}/"), 403)
    assert "UserManager" in body["detail"]
    client.force_login(manager)
    response = client.delete(f"/api/users/{ada.pk}/")
    assert response.status_code == 204
    assert not User.objects.filter(pk=ada.pk).exists()
    problem(client.delete(f"/api/users/{ada.pk}/"), 404)


# -- async Django views --------------------------------------------------------------------


async def test_an_async_view_maps_results_the_same_way(async_client: AsyncClient) -> None:
    user = await User.objects.acreate_user("alan@example.com", "alan@example.com", "enigma-1940")
    response = await async_client.get(f"/async/users/{user.pk}/")
    assert response.status_code == 200
    assert response.json()["email"] == "alan@example.com"
    missing = await async_client.get("/async/users/99999/")
    problem(missing, 404)
    page = await async_client.get("/async/users/")
    assert page.json()["count"] == 1


def test_a_list_field_takes_a_repeated_query_parameter() -> None:
    from dataclasses import dataclass as frozen

    from django_functionalkit.rest.mixin import _list_fields

    @frozen(frozen=True)
    class Search(Query[list[str]]):
        tags: list[str]
        name: str | None = None

    assert _list_fields(Search) == {"tags"}


def test_decimals_are_written_as_strings_as_drfs_serializers_write_them() -> None:
    from decimal import Decimal

    from django_functionalkit import Success
    from django_functionalkit.rest import result_response

    response = result_response(Success({"price": Decimal("29.90")}))
    assert json.loads(response.content) == {"price": "29.90"}


def test_model_instances_go_through_a_serializer(ada: User) -> None:
    from rest_framework import serializers

    from django_functionalkit import PagedResult, Success
    from django_functionalkit.rest import result_response

    class UserSerializer(serializers.ModelSerializer[User]):
        class Meta:
            model = User
            fields = ("id", "email")

    one = result_response(Success(ada), serializer=UserSerializer)
    assert json.loads(one.content) == {"id": ada.pk, "email": "ada@example.com"}
    page = result_response(PagedResult([ada], 1), serializer=UserSerializer)
    assert json.loads(page.content)["results"] == [{"id": ada.pk, "email": "ada@example.com"}]
    converted = result_response(Success(ada), serializer=lambda user: user.get_username())
    assert json.loads(converted.content) == "ada@example.com"
    with pytest.raises(TypeError, match="needs a serializer"):
        result_response(Success(ada))


def test_blank_text_passes_the_serializer_for_str_and_optional_str_fields() -> None:
    from dataclasses import dataclass as frozen

    from django_functionalkit.rest import message_serializer

    @frozen(frozen=True)
    class Rename(Query[str]):
        name: str
        nickname: str | None = None
        count: int = 0

    serializer = message_serializer(Rename, data={"name": "", "nickname": ""})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == Rename("", "")


def test_a_huge_page_number_is_a_404_not_a_database_error(client: Client, ada: User) -> None:
    body = problem(client.get(f"/api/users/?page={2**62}"), 404)
    assert body["code"] == "invalid_page"


def test_a_huge_decimal_is_a_400_not_a_500() -> None:
    from django_functionalkit.rest import message_serializer

    serializer = message_serializer(Price, data={"amount": "1e400"})
    assert not serializer.is_valid()
    assert set(serializer.errors) == {"amount"}


def test_an_exception_in_a_failure_is_a_logged_500_and_raised_errors_map_as_values(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from django.db import IntegrityError

    from django_functionalkit import Failure, Result
    from django_functionalkit.errors import NotFoundError
    from django_functionalkit.rest import result_response

    def insert() -> None:
        raise IntegrityError("duplicate key: Key (username)=(a@b.co) already exists.")

    with caplog.at_level(logging.ERROR, logger="django_functionalkit"):
        caught = result_response(Result.from_call(insert))
    assert caught.status_code == 500
    assert b"a@b.co" not in caught.content
    assert "IntegrityError" in caplog.text
    assert result_response(Failure(NotFoundError("User 3 not found"))).status_code == 404
    odd = json.loads(result_response(Failure({"secret": "x"})).content)
    assert "secret" not in odd["detail"]


def test_a_request_id_with_a_trailing_newline_is_replaced(client: Client) -> None:
    response = client.get("/api/users/", headers={"X-Request-ID": "abc\n"})
    assert response.status_code == 200
    assert response["X-Request-ID"] != "abc\n"
