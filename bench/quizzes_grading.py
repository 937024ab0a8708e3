"""Benchmark: grading a submitted 100-question attempt (server time, database included).

Run: .venv/bin/python bench/quizzes_grading.py [QUESTIONS]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench_quizzes .venv/bin/python bench/quizzes_grading.py
Creates a throw-away test database (SQLite in memory unless DATABASE_URL is set) and a
quiz of every auto-graded type (single, multiple, true/false, short answer with
wildcards, numerical with tolerance, matching); five trainees each answer every
question, then ``submit_attempt`` (lock, mark every slot, grade, final grade, audit)
is timed. Prints the median and worst wall-clock milliseconds, the query count, and
the pure marking time (``grading.auto_marks`` over the 100 slots, no database).
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

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

from quizzes import grading, services  # noqa: E402
from quizzes.tests import factories as f  # noqa: E402
from tests.factories import make_user  # noqa: E402

BUILDERS = [f.single, f.multiple, f.truefalse, f.shortanswer, f.numerical, f.matching]


def answer(slot, rng):
    data, layout = slot.question_data, slot.layout
    qtype = data["qtype"]
    if qtype == "single":
        return {"choice": rng.choice(layout["keys"])}
    if qtype == "multiple":
        return {"choices": rng.sample(layout["keys"], 2)}
    if qtype == "truefalse":
        return {"value": rng.random() < 0.5}
    if qtype == "shortanswer":
        return {"text": rng.choice(["情绪命名", "命名情绪", "不知道"])}
    if qtype == "numerical":
        return {"value": str(rng.choice([1822, 1823, 1900]))}
    return {"pairs": {k: rng.choice(layout["choice_keys"]) for k in layout["item_keys"]}}


def main(count: int) -> None:
    rng = random.Random(4)
    questions = [BUILDERS[i % len(BUILDERS)](name=f"bench-{i}") for i in range(count)]
    quiz = f.quiz(questions, title="Bench quiz")
    times, queries, pure = [], [], []
    for n in range(5):
        user = make_user("trainee", username=f"bench_trainee_{n}")
        attempt = services.start_attempt(user=user, quiz=quiz)
        slots = list(attempt.slots.all())
        services.save_answers(
            user=user, attempt=attempt, answers={str(s.number): answer(s, rng) for s in slots}
        )
        slots = list(attempt.slots.all())
        start = time.perf_counter()
        for slot in slots:
            grading.auto_marks(slot.question_data, slot.layout, slot.response, slot.max_mark)
        pure.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            services.submit_attempt(user=user, attempt=attempt)
            times.append((time.perf_counter() - start) * 1000)
        queries.append(len(captured))
    attempt.refresh_from_db()
    print(f"database: {connection.vendor}; questions per attempt: {count}")
    print(f"submit + grade: median {statistics.median(times):.1f} ms, worst {max(times):.1f} ms")
    print(f"queries per submit: {sorted(set(queries))}")
    print(f"marking alone ({count} slots, no database): median {statistics.median(pure):.2f} ms")
    print(f"last attempt graded: {attempt.grade:.1f}%")


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    old = setup_databases(verbosity=0, interactive=False)
    try:
        main(size)
    finally:
        teardown_databases(old, verbosity=0)
