from django.core.management.base import BaseCommand

from outbox.services import backlog, relay_due


class Command(BaseCommand):
    help = (
        "Send every due, unsent outbox message to the broker now (what beat does every "
        "OUTBOX_RELAY_SECONDS), then print what is still waiting."
    )

    def handle(self, *args, **options):
        sent = relay_due()
        left = backlog()
        self.stdout.write(
            f"sent {sent}; unsent {left['unsent']} (due {left['due']}, "
            f"oldest due {left['oldest_due_seconds']} s)"
        )
