"""Large data sets for load tests: ``manage.py seed_scale [--trainees N --courses N ...]``.

Each app that has ``scale.py`` contributes its part with ``seed_scale(options, stdout)``,
in the order of ``seed_demo``; an app may add its own options with
``add_arguments(parser)`` in the same module. Learning (``courses.scale``) makes by
default 10,000 trainees, 200 courses, 2,000 lessons and 100,000 progress rows;
``--scale 0.01`` shrinks every default at once.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lms.optional import app_module

from .seed_demo import SEED_APPS


def scale_modules():
    for app_label in SEED_APPS:
        module = app_module(app_label, "scale")
        if module is not None:
            yield app_label, module


class Command(BaseCommand):
    help = "Create large data sets for load tests (bulk inserts; re-running adds what is missing)."

    def add_arguments(self, parser):
        parser.add_argument("--trainees", type=int, help="Trainees (default 10,000).")
        parser.add_argument("--courses", type=int, help="Courses (default 200).")
        parser.add_argument("--lessons", type=int, help="Lessons in all (default 2,000).")
        parser.add_argument("--progress", type=int, help="Lesson-progress rows (default 100,000).")
        parser.add_argument(
            "--scale", type=float, help="Factor applied to every default (e.g. 0.01)."
        )
        parser.add_argument(
            "--only", action="append", help="Only these apps (repeatable), e.g. --only courses."
        )
        parser.add_argument(
            "--skip-index", action="store_true", help="Do not add the pages to the search index."
        )
        for _app_label, module in scale_modules():
            if hasattr(module, "add_arguments"):
                module.add_arguments(parser)

    def handle(self, *args, **options):
        if settings.ENVIRONMENT == "production":
            raise CommandError("seed_scale refuses to run under production settings.")
        only = set(options.get("only") or [])
        from home.seed import seed as seed_site_tree

        seed_site_tree()  # the page tree the scale courses hang under
        for app_label, module in scale_modules():
            if only and app_label not in only:
                continue
            self.stdout.write(f"Scale data: {app_label}…")
            module.seed_scale(options, self.stdout)
        self.stdout.write(self.style.SUCCESS("Scale data ready."))
