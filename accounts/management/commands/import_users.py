"""``manage.py import_users FILE [--dry-run]``: the bulk import of people from the command line.

Runs ``accounts.importers.import_people`` with no actor (the operator acts as an
administrator), prints the line-numbered report and exits non-zero on any problem.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.importers import import_people


class Command(BaseCommand):
    help = "Import people from a CSV or XLSX staff list, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV (UTF-8 or GBK) or XLSX file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and change nothing"
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        with file.open("rb") as handle:
            report = import_people(handle, filename=file.name, dry_run=dry_run)
        for problem in report.errors:
            self.stderr.write(str(problem))
        for problem in report.warnings:
            self.stdout.write(self.style.WARNING(f"warning: {problem}"))
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
