"""``manage.py anonymise_person USERNAME``: remove a person's identity on request."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from privacy.services import PrivacyError, anonymise_person


class Command(BaseCommand):
    help = (
        "Anonymise a person: name, e-mail, phone, employer, log-in methods, tokens and "
        "evidence files are removed; certificates stay verifiable as revoked and anonymised. "
        "Cannot be undone: export the person's data first if it was asked for."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask for confirmation (for scripts)."
        )

    def handle(self, *args, username, yes=False, **options):
        person = get_user_model().objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"No user with username {username!r}.")
        if not yes:
            answer = input(f"Anonymise {username}? This cannot be undone. Type the username: ")
            if answer.strip() != username:
                raise CommandError("Not confirmed; nothing changed.")
        try:
            counts = anonymise_person(person=person)
        except PrivacyError as exc:
            raise CommandError(str(exc)) from exc
        details = ", ".join(f"{key} {value}" for key, value in sorted(counts.items()))
        person.refresh_from_db()
        self.stdout.write(f"{username} is now {person.username}: {details or 'nothing else held'}")
