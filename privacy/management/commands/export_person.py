"""``manage.py export_person USERNAME``: a ZIP of everything held on one person."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from privacy.services import export_person


class Command(BaseCommand):
    help = (
        "Write a ZIP (person.json and the person's files) of everything the system holds "
        "on one person. The export is recorded in the audit log (counts only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--output", help="Where to write the ZIP (default: person-<username>.zip)."
        )

    def handle(self, *args, username, output=None, **options):
        person = get_user_model().objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"No user with username {username!r}.")
        content, summary = export_person(person=person)
        path = Path(output or f"person-{username}.zip")
        path.write_bytes(content)
        self.stdout.write(
            f"{path}: {summary['records']} records, {summary['files']} files, {len(content)} bytes"
        )
