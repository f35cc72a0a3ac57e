"""docs/installation.md, followed as a new user would: a project from ``startproject`` to a first
message over HTTP, with nothing but what the page says.

The page's settings excerpts are added to a fresh project's settings (the lists extend
startproject's, the middleware goes after ``AuthenticationMiddleware`` as the page shows), the
files it names (``# skip-test: books/handlers.py``) are written as they are, and then
``makemigrations``, ``migrate`` and ``check`` run, and requests go through the test client.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "installation.md"
BLOCK = re.compile(r"^```python\n# skip-test: (?P<label>[^\n]*)\n(?P<code>.*?)^```$", re.M | re.S)

# The settings that startproject writes as lists: the page's entries are added to them.
MERGE = """
_page: dict = {}
exec(compile(PAGE_CODE, "docs/installation.md", "exec"), {"BASE_DIR": BASE_DIR}, _page)
for _name, _value in _page.items():
    if _name == "INSTALLED_APPS":
        INSTALLED_APPS += [app for app in _value if app not in INSTALLED_APPS]
    elif _name == "MIDDLEWARE":
        _after = MIDDLEWARE.index(_value[0]) + 1
        MIDDLEWARE[_after:_after] = [m for m in _value[1:] if m not in MIDDLEWARE]
    elif _name == "DATABASES":
        DATABASES["default"].update(_value["default"])
    else:
        globals()[_name] = _value
"""

REQUESTS = """
from django.test import Client
from django.test.utils import setup_test_environment

setup_test_environment()
client = Client()
created = client.post("/api/books/", {"title": "Dune"}, content_type="application/json")
assert created.status_code == 201, created.content
assert created.json() == {"id": 1, "title": "Dune"}
assert created["Location"] == "http://testserver/api/books/1/"
assert client.get("/api/books/1/").json() == {"id": 1, "title": "Dune"}
missing = client.get("/api/books/2/")
assert missing.status_code == 404
assert missing["Content-Type"] == "application/problem+json"
assert client.get("/api/nowhere/")["Content-Type"] == "application/problem+json"
assert client.get("/api/schema/").status_code == 200
assert client.get("/api/docs/").status_code == 200

from django_functionalkit.models import AuditEntry

assert AuditEntry.objects.get().message_type == "books.messages.AddBook"
print("served")
"""


def _run(*args: str, cwd: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "mysite.settings"}
    done = subprocess.run(  # noqa: S603 - our own interpreter on our own files
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_a_project_set_up_from_the_installation_page_serves_its_first_message(
    tmp_path: Path,
) -> None:
    _run("-m", "django", "startproject", "mysite", ".", cwd=tmp_path)
    _run("manage.py", "startapp", "books", cwd=tmp_path)
    settings = tmp_path / "mysite" / "settings.py"
    for match in BLOCK.finditer(PAGE.read_text(encoding="utf-8")):
        label, code = match.group("label"), match.group("code")
        if label.startswith("an excerpt of your project's settings.py"):
            with settings.open("a", encoding="utf-8") as out:
                out.write(MERGE.replace("PAGE_CODE", repr(code)))
        elif re.fullmatch(r"[\w/]+\.py", label):
            (tmp_path / label).write_text(code, encoding="utf-8")
    # The model the page describes in words.
    with (tmp_path / "books" / "models.py").open("a", encoding="utf-8") as out:
        out.write("\n\nclass Book(models.Model):\n    title = models.CharField(max_length=200)\n")

    _run("manage.py", "makemigrations", "books", cwd=tmp_path)
    _run("manage.py", "migrate", cwd=tmp_path)
    assert "System check identified no issues" in _run("manage.py", "check", cwd=tmp_path)
    listed = _run("manage.py", "list_handlers", cwd=tmp_path)
    assert "books.messages.AddBook  [command]" in listed
    assert "served" in _run("manage.py", "shell", "-c", REQUESTS, cwd=tmp_path)
