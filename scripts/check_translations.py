"""Fails when a user-facing string has no Simplified Chinese translation.

Runs `makemessages` for zh_Hans (so strings added since the catalogue was last
updated are found too), counts untranslated and fuzzy entries, lists them, and
puts locale/ back exactly as it was. Used by `make test`.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
IGNORE = [".venv", "node_modules", "bench", "tests", "*/tests/*", "locale_vendor", "staticfiles"]


def untranslated(po_path: Path) -> list[str]:
    """msgids with an empty msgstr or a fuzzy flag (a small .po reader, no dependency)."""
    missing, entry, field = [], {"msgid": "", "msgstr": "", "fuzzy": False}, None

    def finish():
        if entry["msgid"] and (entry["fuzzy"] or not entry["msgstr"]):
            missing.append(entry["msgid"])

    for raw in po_path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            finish()
            entry, field = {"msgid": "", "msgstr": "", "fuzzy": False}, None
        elif line.startswith("#,") and "fuzzy" in line:
            entry["fuzzy"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid ", "msgstr ", "msgstr[0] ")):
            field = "msgid" if line.startswith("msgid ") else "msgstr"
            entry[field] += line.split(" ", 1)[1].strip('"')
        elif line.startswith('"') and field:
            entry[field] += line.strip('"')
    return missing


def main() -> int:
    with tempfile.TemporaryDirectory() as backup:
        shutil.copytree(ROOT / "locale", Path(backup) / "locale")
        try:
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "makemessages",
                    "-l",
                    "zh_Hans",
                    "--no-location",
                    "-v0",
                    *[arg for pattern in IGNORE for arg in ("--ignore", pattern)],
                ],
                cwd=ROOT,
                check=True,
                env={**os.environ, "DJANGO_SETTINGS_MODULE": "lms.settings.test"},
            )
            missing = untranslated(CATALOGUE)
        finally:
            shutil.rmtree(ROOT / "locale")
            shutil.copytree(Path(backup) / "locale", ROOT / "locale")
    if missing:
        print(f"{len(missing)} strings have no Simplified Chinese translation:", file=sys.stderr)
        for msgid in missing[:50]:
            print(f"  {msgid!r}", file=sys.stderr)
        print(
            "Run `make messages-update`, translate locale/zh_Hans/LC_MESSAGES/django.po.",
            file=sys.stderr,
        )
        return 1
    print("translations: every string has a Simplified Chinese translation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
