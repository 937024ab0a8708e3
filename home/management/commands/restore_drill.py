"""``manage.py restore_drill``: back up, restore into a fresh database and directory, compare."""

import json
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from home.restore_drill import DrillError, run_drill


class Command(BaseCommand):
    help = (
        "Dump the database (pg_dump custom format) and the media files, restore both into a "
        "fresh database and directory, and check that row counts, file checksums and a "
        "certificate's credential match. Exits non-zero on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--workdir",
            help="Where the dump, the tarball and the restored files go (default: a temporary "
            "directory, removed afterwards).",
        )
        parser.add_argument(
            "--keep", action="store_true", help="Keep the restored <database>_drill database."
        )

    def handle(self, *args, workdir=None, keep=False, **options):
        try:
            if workdir:
                report = run_drill(Path(workdir), keep=keep)
            else:
                with tempfile.TemporaryDirectory(prefix="restore-drill-") as temporary:
                    report = run_drill(Path(temporary), keep=keep)
        except DrillError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(report.as_dict(), indent=2))
        if not report.ok:
            raise CommandError(f"Restore drill found {len(report.mismatches)} difference(s).")
        self.stdout.write(self.style.SUCCESS("Restore drill passed."))
