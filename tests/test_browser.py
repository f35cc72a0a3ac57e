"""The audit log in a real browser: headless Chromium, driven by Playwright, on a live server.

Debian's chromium (``scripts/browser.sh`` installs it; Playwright's own browser download does
not work on the machines this project is tested on) is launched through ``executable_path``.
Without it the test skips, saying so, outside ``make test``; inside it, it fails.

Playwright's sync API runs an event loop on this thread between its calls, and Django refuses
the ORM while a loop runs: the database is touched only before the browser starts and after it
has stopped. Everything in between goes through the live server, as a user's requests would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Locator, Page, expect, sync_playwright
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from django_functionalkit.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)  # the live server sees committed rows only

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHANGELIST = "/admin/functionalkit/auditentry/"
CREATE_USER = "example_project.users.messages.CreateUser"
PASSWORD = "hunter2-secret"
ROOT_PASSWORD = "root-pass-2718"

# Root needs --no-sandbox; the rest keep Chromium from reaching out to Google's hosts, which
# this machine's closed network refuses, many at a time (Playwright adds its own temporary,
# empty user data dir to every launch).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-gpu",
]


@pytest.fixture
def chromium() -> str:
    """The path of Debian's chromium: ``FK_CHROMIUM`` (set by scripts/test.sh), else PATH."""
    path = os.environ.get("FK_CHROMIUM") or shutil.which("chromium")
    if not path:
        message = "needs Debian's chromium: run `make test`, or scripts/browser.sh"
        if os.environ.get("FK_REQUIRE_SERVICES"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(autouse=True)
def default_stack(settings: Settings) -> None:
    """The default behaviors, the AuditBehavior among them, also in the live server's thread
    (settings are process-wide; the messenger rebuilds its pipelines when they change)."""
    settings.FUNCTIONALKIT = {}


@pytest.fixture
def root() -> User:
    return User.objects.create_superuser("root", "root@example.com", ROOT_PASSWORD)


@contextmanager
def browser_page(chromium: str, base_url: str) -> Iterator[Page]:
    """A page of a new headless Chromium; closed, with Playwright's loop, on the way out."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            context = browser.new_context(
                base_url=base_url, viewport={"width": 1680, "height": 720}
            )
            context.set_default_timeout(10_000)
            yield context.new_page()
        finally:
            browser.close()


def rows(page: Page) -> Locator:
    return page.locator("#result_list tbody tr")


def successes(page: Page) -> list[str | None]:
    """The "success" column of the change list, top to bottom: "True" or "False"."""
    return [icon.get_attribute("alt") for icon in page.locator("td.field-success img").all()]


def by_success(page: Page) -> Locator:
    """The change list's "By success" filter (each filter has its own "All" link)."""
    return page.locator("#changelist-filter details").filter(has_text="By success")


def test_an_admin_reads_the_audit_log_with_the_password_redacted(
    chromium: str, root: User, live_server: LiveServer
) -> None:
    with browser_page(chromium, live_server.url) as page:
        # Sign in through the admin's login form.
        page.goto("/admin/")
        expect(page).to_have_url(re.compile(r"/admin/login/"))
        page.locator("#id_username").fill("root")
        page.locator("#id_password").fill(ROOT_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

        # Create users through the API with the browser's session: DRF's SessionAuthentication
        # wants the CSRF token of the session's cookie back in a header.
        token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")

        def create(email: str) -> int:
            payload = {"name": "Grace Hopper", "email": email, "password": PASSWORD}
            response = page.request.post(
                "/api/users/", data=payload, headers={"X-CSRFToken": token}
            )
            return response.status

        # Refused by the message serializer (the email pattern is in the type): no message, so
        # nothing to audit.
        assert create("not-an-email") == 400
        assert create("grace@example.com") == 201
        assert create("grace@example.com") == 409  # the handler's Conflict: taken

        # The audit log: one entry per command, newest first.
        page.goto(CHANGELIST)
        expect(rows(page)).to_have_count(2)
        assert successes(page) == ["False", "True"]
        expect(page.locator("td.field-message_type")).to_have_text([CREATE_USER] * 2)
        expect(page.locator("td.field-actor_link")).to_have_text(["root"] * 2)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "audit-log.png", full_page=True)

        # Only the failures, then everything again.
        by_success(page).get_by_role("link", name="No", exact=True).click()
        expect(page).to_have_url(re.compile(r"success__exact=0"))
        expect(rows(page)).to_have_count(1)
        assert successes(page) == ["False"]
        by_success(page).get_by_role("link", name="All", exact=True).click()
        expect(page).not_to_have_url(re.compile(r"success__exact"))
        expect(rows(page)).to_have_count(2)

        # The successful create: its request data is there, its password is not.
        succeeded = rows(page).filter(has=page.locator('td.field-success img[alt="True"]'))
        succeeded.locator("th a").click()
        expect(page.locator(".field-message_type")).to_contain_text(CREATE_USER)
        request_data = json.loads(page.locator(".field-request_data_display pre").inner_text())
        assert request_data == {
            "name": "Grace Hopper",
            "email": "grace@example.com",
            "password": "[redacted]",
        }
        assert PASSWORD not in page.content()

    # The browser has stopped, and with it Playwright's loop: the ORM may run again.
    assert User.objects.filter(email="grace@example.com").count() == 1
    entries = AuditEntry.objects.filter(message_type=CREATE_USER)
    assert [entry.success for entry in entries] == [False, True]
    assert not any(PASSWORD in json.dumps(entry.request_data) for entry in entries)
