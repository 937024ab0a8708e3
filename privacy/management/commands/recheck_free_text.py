"""manage.py recheck_free_text: run the children's-data guard over stored free text.

What it flags goes to the review list (privacy.FlaggedText) for coordinators and
administrators; no text is changed. Safe to run again (e.g. after the guard improves).
"""

from django.core.management.base import BaseCommand, CommandError

from privacy.free_text import STORED_FREE_TEXT
from privacy.review import recheck_stored_text


class Command(BaseCommand):
    help = "Re-check stored free text with the children's-data guard; list what it flags."

    def add_arguments(self, parser):
        parser.add_argument(
            "--field",
            action="append",
            default=[],
            help="Only this field (app_label.Model.field); may be given more than once.",
        )

    def handle(self, *args, **options):
        entries = STORED_FREE_TEXT
        if options["field"]:
            known = {entry.key: entry for entry in STORED_FREE_TEXT}
            unknown = [key for key in options["field"] if key not in known]
            if unknown:
                raise CommandError(
                    f"Unknown field(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}"
                )
            entries = tuple(known[key] for key in options["field"])
        summary = recheck_stored_text(entries=entries)
        flagged = 0
        for key, counts in summary.items():
            flagged += counts.get("flagged", 0)
            self.stdout.write(
                f"{key}: {counts.get('checked', 0)} checked, {counts.get('flagged', 0)} flagged "
                f"({counts.get('new', 0)} new, {counts.get('reopened', 0)} reopened), "
                f"{counts.get('cleared', 0)} no longer flagged"
            )
        self.stdout.write(f"{flagged} stored texts are flagged; see the review list.")
