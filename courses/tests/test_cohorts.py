import datetime

import pytest

from accounts import roles
from courses import services
from courses.models import Cohort, Enrolment, EnrolmentSource
from courses.permissions import LearningDenied
from courses.tests import factories
from tests.factories import make_user


@pytest.fixture
def programme_courses(db):
    programme = factories.programme(slug="counsellor")
    return programme, [factories.course(parent=programme, modules=(1,)) for _ in range(2)]


@pytest.fixture
def cohort(coordinator, programme_courses):
    programme, _courses = programme_courses
    return services.create_cohort(
        actor=coordinator,
        name="2027 吐鲁番心理咨询师培训一班",
        starts_on=datetime.date(2027, 3, 1),
        ends_on=datetime.date(2027, 6, 30),
        programme=programme,
    )


def test_bulk_enrolment_adds_members_and_enrols_them(
    coordinator, cohort, programme_courses, trainee, other_trainee
):
    _programme, courses = programme_courses

    result = services.bulk_enrol(
        actor=coordinator, cohort=cohort, users=[trainee, other_trainee], courses=courses
    )

    assert (result.members_added, result.enrolments_created) == (2, 4)
    enrolment = Enrolment.objects.get(user=trainee, course=courses[0])
    assert enrolment.source == EnrolmentSource.COHORT and enrolment.cohort == cohort
    assert enrolment.deadline == datetime.date(2027, 6, 30)


def test_bulk_enrolment_twice_changes_nothing(coordinator, cohort, programme_courses, trainee):
    _programme, courses = programme_courses
    services.bulk_enrol(actor=coordinator, cohort=cohort, users=[trainee], courses=courses)

    result = services.bulk_enrol(actor=coordinator, cohort=cohort, users=[trainee], courses=courses)

    assert (result.members_added, result.enrolments_created, result.already_enrolled) == (0, 0, 2)
    assert Enrolment.objects.count() == 2


def test_bulk_enrolment_skips_and_reports_missing_prerequisites(
    coordinator, cohort, programme_courses, trainee
):
    _programme, courses = programme_courses
    courses[1].prerequisites.set([courses[0]])
    courses[1].save()

    result = services.bulk_enrol(actor=coordinator, cohort=cohort, users=[trainee], courses=courses)

    assert result.enrolments_created == 1 and len(result.skipped) == 1
    waived = services.bulk_enrol(
        actor=coordinator, cohort=cohort, users=[trainee], courses=courses, waive_prerequisites=True
    )
    assert waived.enrolments_created == 1


def test_district_coordinator_cannot_create_a_city_wide_cohort(district_coordinator):
    with pytest.raises(LearningDenied):
        services.create_cohort(
            actor=district_coordinator,
            name="x",
            starts_on=datetime.date(2027, 1, 1),
            ends_on=datetime.date(2027, 2, 1),
        )


def test_district_coordinator_cannot_manage_another_districts_cohort(
    other_district_coordinator, cohort, trainee, programme_courses
):
    with pytest.raises(LearningDenied):
        services.bulk_enrol(
            actor=other_district_coordinator, cohort=cohort, users=[trainee], courses=[]
        )


def test_people_outside_the_coordinators_district_refuse_the_whole_batch(
    district_coordinator, district, other_district, programme_courses, trainee
):
    cohort = services.create_cohort(
        actor=district_coordinator,
        name="高昌区一班",
        starts_on=datetime.date(2027, 3, 1),
        ends_on=datetime.date(2027, 6, 30),
        district=district,
    )
    outsider = make_user(roles.TRAINEE, username="outsider", district=other_district)

    with pytest.raises(LearningDenied) as refusal:
        services.bulk_enrol(
            actor=district_coordinator,
            cohort=cohort,
            users=[trainee, outsider],
            courses=programme_courses[1],
        )
    assert "outsider" in refusal.value.message
    assert not Enrolment.objects.exists() and not cohort.members.exists()


def test_cohort_pages_need_the_coordinator_role(client, trainee):
    client.force_login(trainee)
    assert client.get("/learn/cohorts/").status_code == 403


def test_cohort_list_shows_only_cohorts_in_scope(client, district_coordinator, cohort, district):
    services.create_cohort(
        actor=district_coordinator,
        name="高昌区一班",
        starts_on=datetime.date(2027, 3, 1),
        ends_on=datetime.date(2027, 6, 30),
        district=district,
    )
    client.force_login(district_coordinator)

    body = client.get("/learn/cohorts/").content.decode()

    assert "高昌区一班" in body and cohort.name not in body


def test_other_district_coordinator_gets_403_on_cohort_detail(
    client, other_district_coordinator, cohort
):
    client.force_login(other_district_coordinator)
    assert client.get(f"/learn/cohorts/{cohort.pk}/").status_code == 403


def test_bulk_enrol_form_from_a_list_of_usernames_and_emails(
    client, coordinator, cohort, programme_courses, trainee, other_trainee
):
    _programme, courses = programme_courses
    client.force_login(coordinator)

    response = client.post(
        f"/learn/cohorts/{cohort.pk}/",
        {
            "people": f"{trainee.username}\n{other_trainee.email}",
            "courses": [course.pk for course in courses],
        },
    )

    assert response.status_code == 302
    assert Enrolment.objects.filter(cohort=cohort).count() == 4
    body = client.get(f"/learn/cohorts/{cohort.pk}/").content.decode()
    assert trainee.display_name in body and other_trainee.display_name in body


def test_bulk_enrol_form_by_district_and_system_filter(
    client, coordinator, cohort, programme_courses, trainee, district
):
    from accounts.models import System

    _programme, courses = programme_courses
    make_user(roles.TRAINEE, username="edu", district=district, system=System.EDUCATION)
    client.force_login(coordinator)

    client.post(
        f"/learn/cohorts/{cohort.pk}/",
        {
            "filter_district": district.pk,
            "filter_system": System.EDUCATION,
            "courses": [courses[0].pk],
        },
    )

    assert list(cohort.members.values_list("username", flat=True)) == ["edu"]


def test_bulk_enrol_form_names_unknown_people_and_changes_nothing(
    client, coordinator, cohort, programme_courses, trainee
):
    client.force_login(coordinator)

    response = client.post(
        f"/learn/cohorts/{cohort.pk}/",
        {"people": f"{trainee.username}\nnobody-here", "courses": [programme_courses[1][0].pk]},
    )

    assert response.status_code == 400 and "nobody-here" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_cohort_create_form_for_a_district_coordinator(client, district_coordinator, district):
    client.force_login(district_coordinator)

    response = client.post(
        "/learn/cohorts/new/",
        {
            "name": "高昌区二班",
            "starts_on": "2027-03-01",
            "ends_on": "2027-06-30",
            "district": district.pk,
        },
    )

    assert response.status_code == 302
    assert Cohort.objects.get(name="高昌区二班").district == district


def test_cohort_end_before_start_is_refused(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        "/learn/cohorts/new/", {"name": "x", "starts_on": "2027-03-01", "ends_on": "2027-01-01"}
    )
    assert response.status_code == 200 and not Cohort.objects.exists()
