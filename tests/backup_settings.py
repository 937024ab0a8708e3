"""Settings for tests/test_backup_script.py: the private folder is decided here, in the
settings, under a name no environment variable gives (the backup must ask the app)."""

import os
from pathlib import Path

from lms.settings.dev import *  # noqa: F403

_SITE = Path(os.environ["BACKUP_TEST_SITE"])
MEDIA_ROOT = _SITE / "media"
PRACTICUM_PRIVATE_ROOT = _SITE / "evidence-per-settings"
LECTURER_CORPS_PRIVATE_ROOT = ""
