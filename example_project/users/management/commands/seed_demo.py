"""``manage.py seed_demo``: demo users and an admin login; running it again changes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from example_project.catalog import demo as catalog_demo
from example_project.orders import demo as orders_demo

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "functionalkit"  # noqa: S105 - printed on purpose for the local demo

DEMO_USERS = [
    ("ada", "Ada", "Lovelace", "ada@example.com", True),
    ("grace", "Grace", "Hopper", "grace@example.com", True),
    ("alan", "Alan", "Turing", "alan@example.com", False),
]


class Command(BaseCommand):
    help = "Create the demo users and the admin login of the example project (idempotent)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        admin, created = User.objects.get_or_create(
            username=ADMIN_USERNAME,
            defaults={"email": "admin@example.com", "is_staff": True, "is_superuser": True},
        )
        if created:
            admin.set_password(ADMIN_PASSWORD)
            admin.save()
        for username, first, last, email, active in DEMO_USERS:
            User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": email,
                    "is_active": active,
                },
            )
        catalog_demo.load()
        orders_demo.load(User.objects.filter(username__in=[u[0] for u in DEMO_USERS]))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Admin login: {ADMIN_USERNAME} / {ADMIN_PASSWORD} "
                "at http://127.0.0.1:8000/admin/"
            )
        )
