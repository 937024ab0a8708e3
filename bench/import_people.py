"""Benchmark: checking and importing a 5,000-row staff list (the largest file accepted).

Run: .venv/bin/python bench/import_people.py [ROWS]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench .venv/bin/python bench/import_people.py
Creates a throw-away test database (SQLite in memory unless DATABASE_URL is set),
prints wall-clock seconds and query counts for: a dry run, the import itself
(invitations are queued to an in-memory broker, as a web request would), and a
re-import of the same file (every row matched, nothing changed).
"""

import csv
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

from accounts.importers import import_people  # noqa: E402
from lms.celery import app  # noqa: E402
from places.seed import seed as seed_places  # noqa: E402


def staff_list(rows: int) -> bytes:
    districts = [("高昌区", "葡萄镇"), ("鄯善县", "鲁克沁镇"), ("托克逊县", "")]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "邮箱", "手机", "工作单位", "系统", "区县", "乡镇", "语言", "职务"])
    for i in range(rows):
        district, township = districts[i % 3]
        writer.writerow(
            [
                f"学员{i}",
                f"person{i}@example.org",
                f"139{i:08d}",
                f"{district}民政局",
                "民政" if i % 2 else "教育",
                district,
                township,
                "普通话、维吾尔语" if i % 4 == 0 else "普通话",
                "社会工作者",
            ]
        )
    return out.getvalue().encode("utf-8")


def timed(label: str, data: bytes, *, dry_run: bool):
    file = io.BytesIO(data)
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        report = import_people(file, filename="bench.csv", dry_run=dry_run)
        seconds = time.perf_counter() - start
    assert report.ok, report.errors[:5]
    print(
        f"{label:<28} {seconds:7.2f} s  {len(queries):6d} queries  "
        f"created={report.created} updated={report.updated} unchanged={report.unchanged}"
    )


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    app.conf.task_always_eager = False  # queue invitations as production does
    app.conf.broker_url = "memory://"
    old = setup_databases(verbosity=0, interactive=False)
    try:
        seed_places()
        data = staff_list(rows)
        print(f"{connection.vendor}, {rows} rows, {len(data) / 1024:.0f} KiB CSV")
        timed("dry run (check only)", data, dry_run=True)
        timed("import (all new)", data, dry_run=False)
        timed("re-import (all unchanged)", data, dry_run=False)
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
