from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail.models import APIToken

from audit.services import record


class Command(BaseCommand):
    help = "Create an API token for USERNAME. The token is printed alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line", help="What the token is for.")

    def handle(self, *args, username, name, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        if not user.is_active:
            raise CommandError(f"User {username!r} is not active.")
        with transaction.atomic():
            token, key = APIToken.create_token(user=user, name=name)
            record("accounts.token.create", actor=None, obj=token, changes={"via": "command"})
        self.stdout.write(f"Token {token.prefix}… created for {username}. Keep it secret:")
        self.stdout.write(key)
