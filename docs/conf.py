"""Sphinx configuration for the django-functionalkit user guide."""

project = "django-functionalkit"
author = "django-functionalkit developers"
copyright = "2026, django-functionalkit developers"  # noqa: A001

extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "django-functionalkit"
