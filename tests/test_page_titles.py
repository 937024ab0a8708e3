"""Page titles read "<page> · <site name>" everywhere (a tab or a bookmark says both)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TITLE = re.compile(r"\{% block title %\}(.*?)\{% endblock(?: title)? %\}", re.S)


def test_every_page_title_ends_with_the_site_name():
    wrong = []
    for path in (ROOT / "templates").rglob("*.html"):
        if path.name == "base.html":
            continue
        match = TITLE.search(path.read_text(encoding="utf-8"))
        if match is None:
            continue
        title = match.group(1).strip()
        if not (
            title.endswith('· {% trans "Talent Pool LMS" %}')
            or title.endswith("· {{ block.super }}")
        ):
            wrong.append(f"{path.relative_to(ROOT)}: {title}")
    assert not wrong, "\n".join(wrong)


def test_the_base_title_is_the_site_name():
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    assert '{% block title %}{% trans "Talent Pool LMS" %}{% endblock %}' in base
