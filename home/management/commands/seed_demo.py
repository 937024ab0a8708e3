"""Builds a believable demo site. Idempotent: running it twice changes nothing the second time."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lms.optional import app_module

# Each app with demo data has ``seed.py`` with ``seed(stdout)``; they run in this order.
SEED_APPS = [
    "places",
    "home",
    "accounts",
    "lecturer_corps",
    "courses",
    "quizzes",
    "practicum",
    "certification",
    "classes",
    "dispatch",
    "safeguarding",
    "supervision",
    "reports",
]


class Command(BaseCommand):
    help = "Create demo users of every role, reference data and content (idempotent)."

    def handle(self, *args, **options):
        if settings.ENVIRONMENT == "production":
            raise CommandError("seed_demo refuses to run under production settings.")
        self.stdout.write("Seeding demo data…")
        with transaction.atomic():
            for app_label in SEED_APPS:
                module = app_module(app_label, "seed")
                if module is not None:
                    module.seed(stdout=self.stdout)
            # A second pass for demo data that needs every app's data (``seed_after_all``).
            for app_label in SEED_APPS:
                module = app_module(app_label, "seed")
                if module is not None and hasattr(module, "seed_after_all"):
                    module.seed_after_all(stdout=self.stdout)
        from accounts.seed import describe_logins

        self.stdout.write(self.style.SUCCESS(describe_logins()))
