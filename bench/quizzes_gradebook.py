"""Benchmark: the gradebook page for 1,000 trainees × 20 quizzes.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench_quizzes .venv/bin/python bench/quizzes_gradebook.py [TRAINEES] [QUIZZES]
Creates a throw-away test database, 1,000 trainees in three districts, 20 quizzes
and a final grade for ~90% of the pairs (bulk inserts), then times, five times each:
the selector alone, the full HTML page (GET /quizzes/gradebook/ as a supervising
expert) and the CSV and XLSX exports. Prints median/worst milliseconds and the
query count of each (the count must not depend on the size).
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

from accounts.models import User  # noqa: E402
from places.models import District  # noqa: E402
from quizzes import selectors  # noqa: E402
from quizzes.models import Quiz, QuizGrade  # noqa: E402
from tests.factories import make_user  # noqa: E402


def build(trainees: int, quizzes: int) -> None:
    rng = random.Random(7)
    districts = [
        District.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in (("gaochang", "高昌区"), ("shanshan", "鄯善县"), ("toksun", "托克逊县"))
    ]
    users = User.objects.bulk_create(
        [
            User(username=f"gb{i}", real_name=f"学员{i}", district=districts[i % 3], password="!")
            for i in range(trainees)
        ]
    )
    group, _ = Group.objects.get_or_create(name="trainee")
    through = User.groups.through
    through.objects.bulk_create([through(user_id=u.pk, group_id=group.pk) for u in users])
    quiz_rows = Quiz.objects.bulk_create(
        [Quiz(title=f"测验{i:02d}", pass_mark=60) for i in range(quizzes)]
    )
    grades = []
    for user in users:
        for quiz in quiz_rows:
            if rng.random() < 0.9:
                best = round(rng.uniform(20, 100), 2)
                grades.append(
                    QuizGrade(
                        quiz=quiz,
                        user=user,
                        grade=best,
                        best_grade=best,
                        passed=best >= 60,
                        attempt_count=rng.randint(1, 3),
                    )
                )
    QuizGrade.objects.bulk_create(grades, batch_size=5000)


def timed(label, func, runs=5):
    times, counts = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            func()
            times.append((time.perf_counter() - start) * 1000)
        counts.append(len(captured))
    print(
        f"{label:<22} median {statistics.median(times):7.1f} ms   worst {max(times):7.1f} ms"
        f"   queries {sorted(set(counts))}"
    )


def main(trainees: int, quizzes: int) -> None:
    build(trainees, quizzes)
    expert = make_user("supervisor", username="bench_expert")
    client = Client()
    client.force_login(expert)
    users = selectors.trainees_in_scope(None)
    quiz_list = list(Quiz.objects.order_by("title"))
    print(f"database: {connection.vendor}; {trainees} trainees × {quizzes} quizzes")

    def page(fmt=""):
        response = client.get("/quizzes/gradebook/" + (f"?format={fmt}" if fmt else ""))
        assert response.status_code == 200, response.status_code
        return response

    timed("selector", lambda: selectors.gradebook(quizzes=quiz_list, users=users))
    size = len(page().content)
    timed("HTML page", page)
    timed("CSV export", lambda: page("csv"))
    timed("XLSX export", lambda: page("xlsx"))
    print(f"HTML page size: {size / 1024:.0f} KiB")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    quiz_count = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    old = setup_databases(verbosity=0, interactive=False)
    try:
        main(count, quiz_count)
    finally:
        teardown_databases(old, verbosity=0)
