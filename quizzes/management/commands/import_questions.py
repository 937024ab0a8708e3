"""manage.py import_questions FILE --format gift|xlsx --category PATH [--dry-run]

Imports a question bank all or nothing: if any question is refused, nothing is
saved and every refused line (GIFT) or row (XLSX) is listed with its reason.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.services import import_file


class Command(BaseCommand):
    help = "Import questions from a GIFT or XLSX file into the question bank (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the GIFT (.txt/.gift) or Excel (.xlsx) file.")
        parser.add_argument(
            "--format", choices=["gift", "xlsx"], default=None, help="Default: from the suffix."
        )
        parser.add_argument(
            "--category",
            default="",
            help="Category path (A/B/C) the questions go into; $CATEGORY lines and the "
            "category column are read below it.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check only; save nothing.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        fmt = options["format"] or ("xlsx" if path.suffix.lower() == ".xlsx" else "gift")
        report = import_file(
            data=path.read_bytes(),
            fmt=fmt,
            category_path=options["category"],
            dry_run=options["dry_run"],
            filename=path.name,
        )
        for line in report.skipped:
            self.stdout.write(f"skipped  {line}")
        if report.errors:
            for line in report.errors:
                self.stderr.write(f"refused  {line}")
            raise CommandError(
                f"Nothing imported: {len(report.errors)} problem(s) found "
                f"({len(report.questions)} question(s) read)."
            )
        if options["dry_run"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Dry run: {len(report.questions)} question(s) would be imported."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {report.created} question(s)."))
