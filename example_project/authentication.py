"""The API's sign-in schemes: DRF's session and HTTP Basic, Basic refusing what no user has."""

from __future__ import annotations

from typing import Any

import drf_spectacular.authentication
from rest_framework import authentication, exceptions
from rest_framework.request import Request


class BasicAuthentication(authentication.BasicAuthentication):
    """DRF's Basic authentication, refusing credentials with a NUL character as wrong ones (a
    401): no user name or password holds one, and PostgreSQL fails any query that does."""

    def authenticate_credentials(
        self, userid: str, password: str, request: Request | None = None
    ) -> tuple[Any, None]:
        if "\x00" in userid or "\x00" in password:
            raise exceptions.AuthenticationFailed("Invalid username/password.")
        return super().authenticate_credentials(userid, password, request)


# drf-spectacular's extensions are untyped; it takes the target as a class or its dotted name
class BasicScheme(drf_spectacular.authentication.BasicScheme):  # type: ignore[no-untyped-call]
    """In the schema, the same ``basicAuth`` scheme as DRF's own."""

    target_class = "example_project.authentication.BasicAuthentication"
