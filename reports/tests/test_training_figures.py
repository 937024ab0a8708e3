"""The training funnel, quiz pass rates and certificates against fixtures counted by hand.

Funnel, October 2026 (programmes: counsellor = courses A, B + final exam on its
programme page; family education = course C, no exam yet):

| trainee | district, system   | enrolments (by 31 Oct)        | completed | exam passed   | certificate     |
| T1      | Gaochang, civil    | A, B                          | A, B      | 10-10         | counsellor 10-20 |
| T2      | Gaochang, education| A, C                          | A         | —             | —               |
| T3      | Shanshan, civil    | A, B                          | A, B      | 11-05 (late)  | —               |
| T4      | Shanshan, other    | A (withdrawn 10-15)           | —         | —             | —               |
| T5      | Gaochang, civil    | C on 11-02 (after the month)  | —         | —             | —               |
"""

import datetime as dt

import pytest

from accounts import roles
from accounts.models import System
from certification.models import Certificate, CertificateStatus
from courses.models import Enrolment
from courses.tests import factories as course_factories
from lecturer_corps.tests.factories import give_certificate
from quizzes.models import Attempt, AttemptState, QuizGrade
from quizzes.tests.factories import quiz as make_quiz
from reports import selectors
from reports.periods import Scope
from tests.factories import make_user

from .conftest import at

D = dt.date


def _table(group, key):
    return next(t for t in group.tables if t.key == key)


def _rows(table):
    label = table.columns[0].key
    return {row[label]: row for row in table.rows}


@pytest.fixture
def funnel(district, other_district):
    counsellor = course_factories.programme()  # qualifications: counsellor
    family = course_factories.programme(title="家庭教育指导师")
    family.qualifications = ["family_educator"]
    family.save()
    course_a = course_factories.course(counsellor, modules=())
    course_b = course_factories.course(counsellor, modules=())
    course_c = course_factories.course(family, modules=(), qualifications=["family_educator"])
    exam = make_quiz(title="结业考试", page=counsellor)

    def trainee(area, system):
        return make_user(roles.TRAINEE, district=area, system=system, date_joined=at(2026, 1, 5))

    def enrol(user, course, enrolled, completed=None, withdrawn=None):
        Enrolment.objects.create(
            user=user,
            course=course,
            enrolled_at=enrolled,
            completed_at=completed,
            withdrawn_at=withdrawn,
        )

    t1 = trainee(district, System.CIVIL_AFFAIRS)
    enrol(t1, course_a, at(2026, 9, 1), at(2026, 10, 3))
    enrol(t1, course_b, at(2026, 9, 1), at(2026, 10, 3))
    QuizGrade.objects.create(
        quiz=exam, user=t1, grade=80, best_grade=80, passed=True, first_passed_at=at(2026, 10, 10)
    )
    certificate = give_certificate(t1, "counsellor")
    Certificate.objects.filter(pk=certificate.pk).update(issued_at=at(2026, 10, 20))

    t2 = trainee(district, System.EDUCATION)
    enrol(t2, course_a, at(2026, 9, 1), at(2026, 9, 20))
    enrol(t2, course_c, at(2026, 9, 1))

    t3 = trainee(other_district, System.CIVIL_AFFAIRS)
    enrol(t3, course_a, at(2026, 8, 1), at(2026, 8, 20))
    enrol(t3, course_b, at(2026, 8, 1), at(2026, 9, 20))
    QuizGrade.objects.create(
        quiz=exam, user=t3, grade=90, best_grade=90, passed=True, first_passed_at=at(2026, 11, 5)
    )

    t4 = trainee(other_district, System.OTHER)
    enrol(t4, course_a, at(2026, 10, 1), withdrawn=at(2026, 10, 15))

    t5 = trainee(district, System.CIVIL_AFFAIRS)
    enrol(t5, course_c, at(2026, 11, 2))


def test_funnel_by_programme(funnel, period):
    rows = _rows(_table(selectors.training_funnel(Scope(period)), "funnel_by_programme"))
    assert [(k, rows[k]["counsellor"], rows[k]["family_educator"]) for k in rows] == [
        ("Enrolled", 3, 1),
        ("Courses completed", 2, 0),
        ("Final exam passed", 1, 0),
        ("Practicum complete", 0, 0),
        ("Certified", 1, 0),
    ]
    assert rows["Enrolled"]["total"] == 4


def test_funnel_by_district_and_system(funnel, period):
    group = selectors.training_funnel(Scope(period))
    districts = _rows(_table(group, "funnel_by_district"))
    stages = ("enrolled", "courses_completed", "exam_passed", "practicum_complete", "certified")
    assert tuple(districts["高昌区"][s] for s in stages) == (3, 1, 1, 0, 1)
    assert tuple(districts["鄯善县"][s] for s in stages) == (1, 1, 0, 0, 0)
    systems = _rows(_table(group, "funnel_by_system"))
    assert tuple(systems["Civil affairs"][s] for s in stages) == (2, 2, 1, 0, 1)
    assert tuple(systems["Education"][s] for s in stages) == (2, 0, 0, 0, 0)
    assert tuple(systems["Other"][s] for s in stages) == (0, 0, 0, 0, 0)


def test_funnel_in_one_district(funnel, period, other_district):
    group = selectors.training_funnel(Scope(period, other_district))
    rows = _rows(_table(group, "funnel_by_programme"))
    assert rows["Enrolled"]["counsellor"] == 1 and rows["Courses completed"]["counsellor"] == 1
    assert rows["Final exam passed"]["counsellor"] == 0


@pytest.fixture
def attempts(district, other_district):
    quiz_one = make_quiz(title="情绪管理小测")
    quiz_two = make_quiz(title="伦理小测")
    local = [make_user(roles.TRAINEE, district=district) for _ in range(3)]
    remote = make_user(roles.TRAINEE, district=other_district)

    def attempt(
        quiz,
        user,
        number,
        submitted,
        *,
        grade=None,
        passed=None,
        state=AttemptState.FINISHED,
        marking=False,
    ):
        Attempt.objects.create(
            quiz=quiz,
            user=user,
            number=number,
            state=state,
            submitted_at=submitted,
            grade=grade,
            passed=passed,
            needs_grading=marking,
        )

    attempt(quiz_one, local[0], 1, at(2026, 10, 2), grade=50, passed=False)
    attempt(quiz_one, local[0], 2, at(2026, 10, 3), grade=80, passed=True)
    attempt(quiz_one, local[1], 1, at(2026, 10, 4), grade=90, passed=True)
    attempt(quiz_one, local[2], 1, at(2026, 10, 5), marking=True)  # essay waiting
    attempt(quiz_one, local[2], 2, None, state=AttemptState.IN_PROGRESS)
    attempt(quiz_one, local[1], 2, at(2026, 9, 30, 10), grade=40, passed=False)  # September
    attempt(quiz_two, remote, 1, at(2026, 10, 9), grade=100, passed=True)


def test_quiz_pass_rates(attempts, period):
    group = selectors.quiz_results(Scope(period))
    assert {h.key: h.value for h in group.headlines} == {
        "finished": 5,
        "pass_rate": pytest.approx(75.0),
        "waiting": 1,
    }
    rows = _rows(_table(group, "quiz_pass_rates"))
    one = rows["情绪管理小测"]
    assert (one["finished"], one["trainees"], one["passed"], one["waiting"]) == (4, 3, 2, 1)
    assert float(one["pass_rate"]) == 66.7
    assert float(rows["伦理小测"]["pass_rate"]) == 100.0


def test_quiz_pass_rates_in_one_district(attempts, period, district):
    group = selectors.quiz_results(Scope(period, district))
    assert list(_rows(_table(group, "quiz_pass_rates"))) == ["情绪管理小测"]


@pytest.fixture
def certificates(district, other_district):
    def holder(area):
        return make_user(roles.TRAINEE, district=area)

    def certificate(user, code, issued, valid_from, expires, **fields):
        cert = give_certificate(user, code, valid_from=valid_from, expires_on=expires)
        Certificate.objects.filter(pk=cert.pk).update(issued_at=issued, **fields)
        return cert

    # C1: issued in October.
    certificate(holder(district), "counsellor", at(2026, 10, 5), D(2026, 10, 5), D(2029, 10, 4))
    # C2: valid, expires within 90 days of 31 October.
    certificate(
        holder(district), "family_educator", at(2023, 12, 1), D(2023, 12, 1), D(2026, 12, 15)
    )
    # C3: revoked in October.
    certificate(
        holder(other_district),
        "counsellor",
        at(2024, 1, 1),
        D(2024, 1, 1),
        D(2027, 1, 1),
        status=CertificateStatus.REVOKED,
        revoked_at=at(2026, 10, 20),
    )
    # C4: expired in June.
    certificate(holder(other_district), "counsellor", at(2023, 7, 1), D(2023, 7, 1), D(2026, 6, 30))
    # C5: reissued in October (name correction): version 1 superseded, version 2 current.
    owner = holder(district)
    old = certificate(owner, "counsellor", at(2025, 3, 1), D(2025, 3, 1), D(2028, 2, 28))
    Certificate.objects.filter(pk=old.pk).update(status=CertificateStatus.SUPERSEDED)
    old.refresh_from_db()
    Certificate.objects.create(
        certification=old.certification,
        holder=owner,
        cycle=old.cycle,
        version=2,
        serial=old.serial,
        verification_code="reissued-code",
        holder_name="新名字",
        issued_at=at(2026, 10, 12),
        valid_from=old.valid_from,
        expires_on=old.expires_on,
        previous_version=old,
        status_list=old.status_list,
        status_list_index=old.status_list_index + 1000,
    )


def test_certificates_by_qualification(certificates, period):
    group = selectors.certificates(Scope(period))
    rows = {row["type"]: row for row in _table(group, "certificates_by_type").rows}
    keys = ("issued", "valid", "expiring", "revoked")
    assert tuple(rows["心理咨询师"][k] for k in keys) == (1, 2, 0, 1)
    assert tuple(rows["家庭教育指导师"][k] for k in keys) == (0, 1, 1, 0)
    assert {h.key: h.value for h in group.headlines} == {
        "issued": 1,
        "valid": 3,
        "expiring": 1,
        "revoked": 1,
    }


def test_certificates_by_district(certificates, period, district):
    rows = _rows(_table(selectors.certificates(Scope(period)), "certificates_by_district"))
    keys = ("issued", "valid", "expiring", "revoked")
    assert tuple(rows["高昌区"][k] for k in keys) == (1, 3, 1, 0)
    assert tuple(rows["鄯善县"][k] for k in keys) == (0, 0, 0, 1)
    local = selectors.certificates(Scope(period, district))
    assert {h.key: h.value for h in local.headlines}["revoked"] == 0
