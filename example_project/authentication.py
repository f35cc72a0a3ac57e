"""DRF's HTTP Basic authentication, refusing credentials no database can look up.

Django's login form refuses a NUL character in a username or password (its fields carry
``ProhibitNullCharactersValidator``); DRF's ``BasicAuthentication`` passes the decoded header as
it is, and PostgreSQL cannot compare text holding a NUL: the look-up fails with a ``DataError``,
a 500 for any client that sends such a header.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import BasicScheme
from rest_framework import authentication, exceptions
from rest_framework.request import Request


class BasicAuthentication(authentication.BasicAuthentication):
    """``rest_framework.authentication.BasicAuthentication``; a NUL in the credentials is a 401."""

    def authenticate_credentials(
        self, userid: str, password: str, request: Request | None = None
    ) -> tuple[Any, None]:
        if "\x00" in userid or "\x00" in password:
            raise exceptions.AuthenticationFailed(_("Invalid username/password."))
        return super().authenticate_credentials(userid, password, request)


class BasicAuthenticationScheme(BasicScheme):  # type: ignore[no-untyped-call]
    """Its OpenAPI security scheme: HTTP Basic, as DRF's (drf-spectacular finds it by path)."""

    target_class = "example_project.authentication.BasicAuthentication"
