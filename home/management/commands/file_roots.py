"""``manage.py file_roots``: the folders that hold files, as the settings configure them.

One line per folder, ``label<TAB>absolute path``: ``media`` (MEDIA_ROOT), ``private``
(PRACTICUM_PRIVATE_ROOT) and ``private_lecturer_corps`` when it lies outside the
others. ``scripts/backup.sh`` archives exactly these, so the backup and the
application can never disagree about where private evidence lives.
"""

from django.core.management.base import BaseCommand

from home.restore_drill import file_roots


class Command(BaseCommand):
    help = "Print the file folders to back up (label, tab, absolute path), from the settings."

    def handle(self, *args, **options):
        for label, path in file_roots().items():
            self.stdout.write(f"{label}\t{path}")
