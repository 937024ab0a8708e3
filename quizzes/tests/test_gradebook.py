"""Gradebook (who may see it, scope, exports, queries) and item analysis."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from quizzes import selectors, services
from quizzes.tests import factories as f
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def take(user, quiz, right: bool):
    attempt = services.start_attempt(user=user, quiz=quiz)
    answers = {}
    for slot in attempt.slots.all():
        if right:
            answers[str(slot.number)] = {
                "choice": slot.layout["keys"][slot.layout["order"].index(0)]
            }
    services.submit_attempt(user=user, attempt=attempt, answers=answers)


@pytest.fixture
def book(trainee, other_district):
    quiz = f.quiz([f.single()], title="伦理测验", pass_mark=60)
    far = make_user("trainee", username="far_trainee", district=other_district)
    take(trainee, quiz, right=True)
    take(far, quiz, right=False)
    return quiz, far


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_gradebook_shows_best_grade_and_result(client, supervisor, book, trainee):
    f.assign_for_marking(supervisor, trainee)
    login(client, supervisor)
    html = client.get(reverse("quizzes:gradebook")).content.decode()
    assert "伦理测验" in html
    assert trainee.real_name in html
    assert "100.0%" in html and "0.0%" in html


def test_district_coordinator_sees_only_their_district(client, district_coordinator, book, trainee):
    _quiz, far = book
    login(client, district_coordinator)
    html = client.get(reverse("quizzes:gradebook")).content.decode()
    assert trainee.real_name in html
    assert far.real_name not in html


@pytest.mark.parametrize("fixture", ["trainee", "lecturer"])
def test_trainees_cannot_see_the_gradebook(client, request, fixture, book):
    login(client, request.getfixturevalue(fixture))
    assert client.get(reverse("quizzes:gradebook")).status_code == 403


def test_gradebook_csv_export(client, coordinator, book, trainee):
    login(client, coordinator)
    response = client.get(reverse("quizzes:gradebook") + "?format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows[0]) == 5
    mine = next(r for r in rows if r[0] == trainee.username)
    assert mine[3:] == ["100.0", "pass"]


def test_gradebook_xlsx_export(client, supervisor, book):
    _quiz, far = book
    f.assign_for_marking(supervisor, far)
    login(client, supervisor)
    response = client.get(reverse("quizzes:gradebook") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    far_row = next(r for r in rows if r[0] == "far_trainee")
    assert far_row[3:] == [0, "fail"]


def test_gradebook_selector_query_count_is_fixed(django_assert_num_queries):
    quizzes = [f.quiz([f.single(name=f"g{i}")], title=f"Q{i}") for i in range(3)]
    people = [make_user("trainee") for _ in range(5)]
    for person in people:
        for quiz in quizzes:
            take(person, quiz, right=True)
    users = selectors.trainees_in_scope(None)
    with django_assert_num_queries(2):
        book = selectors.gradebook(quizzes=quizzes, users=users)
    assert len(book.rows) == 5
    assert all(row.passed_all for row in book.rows)


def test_gradebook_page_query_count(
    client, supervisor, trainee, django_assert_max_num_queries, book
):
    f.assign_for_marking(supervisor, trainee)
    login(client, supervisor)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("quizzes:gradebook")).status_code == 200


def test_item_analysis_statistics_and_flags():
    easy, hard, good = f.single(name="easy"), f.single(name="hard"), f.single(name="good")
    quiz = f.quiz([easy, hard, good])
    # five trainees: everyone gets "easy", nobody "hard", the strongest get "good"
    plans = [
        (True, False, True),
        (True, False, True),
        (True, False, False),
        (True, False, False),
        (True, False, True),
    ]
    for right_easy, right_hard, right_good in plans:
        person = make_user("trainee")
        attempt = services.start_attempt(user=person, quiz=quiz)
        answers = {}
        for slot, right in zip(
            attempt.slots.order_by("number"), (right_easy, right_hard, right_good), strict=True
        ):
            index = 0 if right else 2
            answers[str(slot.number)] = {
                "choice": slot.layout["keys"][slot.layout["order"].index(index)]
            }
        services.submit_attempt(user=person, attempt=attempt, answers=answers)
    stats = selectors.item_analysis(quiz)
    items = {item.name: item for item in stats.items}
    assert stats.attempts == 5
    assert items["easy"].facility == 1.0
    assert "very easy" in " ".join(items["easy"].flags)
    assert items["hard"].facility == 0.0
    assert "very hard" in " ".join(items["hard"].flags)
    assert items["good"].facility == pytest.approx(0.6)
    assert items["good"].sd == pytest.approx(0.5477, abs=1e-3)
    assert items["good"].discrimination is None  # the rest of the test does not vary here
    assert stats.mean_grade == pytest.approx((3 * 200 / 3 + 2 * 100 / 3) / 5)


def test_discrimination_is_the_correlation_with_the_rest_of_the_test():
    q1, q2 = f.single(name="q1"), f.single(name="q2")
    quiz = f.quiz([q1, q2])
    for pattern in [(1, 1), (1, 1), (0, 0), (0, 0), (1, 0)]:
        person = make_user("trainee")
        attempt = services.start_attempt(user=person, quiz=quiz)
        answers = {
            str(slot.number): {
                "choice": slot.layout["keys"][slot.layout["order"].index(0 if right else 2)]
            }
            for slot, right in zip(attempt.slots.order_by("number"), pattern, strict=True)
        }
        services.submit_attempt(user=person, attempt=attempt, answers=answers)
    items = {item.name: item for item in selectors.item_analysis(quiz).items}
    # q1 = [1,1,0,0,1], rest (q2) = [1,1,0,0,0]: Pearson r = 0.6667
    assert items["q1"].discrimination == pytest.approx(2 / 3, abs=1e-4)
    assert items["q1"].flags == []


def test_item_analysis_page_for_staff_only(client, supervisor, trainee, book):
    quiz, _far = book
    login(client, supervisor)
    assert client.get(reverse("quizzes:item_analysis", args=[quiz.pk])).status_code == 200
    client.logout()
    login(client, trainee)
    assert client.get(reverse("quizzes:item_analysis", args=[quiz.pk])).status_code == 403
