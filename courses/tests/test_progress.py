import pytest
from django.utils import timezone

from courses import selectors, services
from courses.models import Enrolment, LessonProgress, LessonStatus
from courses.permissions import LearningDenied
from courses.tests import factories


def test_completing_a_lesson_stores_status_and_course_percent(trainee, enrolled, lessons):
    row = services.complete_lesson(user=trainee, lesson=lessons[0])

    assert row.status == LessonStatus.COMPLETE
    assert row.completed_at is not None and row.completed_via == "manual"
    enrolled.refresh_from_db()
    assert (enrolled.completed_lessons, enrolled.progress_percent) == (1, 33)


def test_completing_twice_changes_nothing(trainee, enrolled, lessons):
    first = services.complete_lesson(user=trainee, lesson=lessons[0])
    second = services.complete_lesson(user=trainee, lesson=lessons[0])

    assert second.completed_at == first.completed_at
    assert LessonProgress.objects.filter(user=trainee).count() == 1
    enrolled.refresh_from_db()
    assert enrolled.completed_lessons == 1


def test_course_completion_date_is_recorded_once(trainee, enrolled, lessons, course):
    for lesson in lessons:
        services.complete_lesson(user=trainee, lesson=lesson)
    enrolled.refresh_from_db()
    completed_at = enrolled.completed_at
    assert completed_at is not None and enrolled.progress_percent == 100

    new_lesson = factories.lesson(course.get_children().first().specific, with_revision=True)
    course.refresh_from_db()
    services.refresh_course_progress(course)
    enrolled.refresh_from_db()
    assert enrolled.progress_percent == 75
    services.complete_lesson(user=trainee, lesson=new_lesson)

    enrolled.refresh_from_db()
    assert enrolled.completed_at == completed_at


def test_course_completed_signal_is_sent_once(
    trainee, enrolled, lessons, django_capture_on_commit_callbacks
):
    from courses.signals import course_completed

    received = []
    course_completed.connect(
        lambda sender, enrolment, **kw: received.append(enrolment.pk),
        weak=False,
        dispatch_uid="test",
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            for lesson in lessons:
                services.complete_lesson(user=trainee, lesson=lesson)
            services.complete_lesson(user=trainee, lesson=lessons[-1])
    finally:
        course_completed.disconnect(dispatch_uid="test")
    assert received == [enrolled.pk]


def test_sequential_lesson_is_locked_until_the_previous_is_complete(trainee, enrolled, lessons):
    with pytest.raises(LearningDenied) as refusal:
        services.complete_lesson(user=trainee, lesson=lessons[1])
    assert refusal.value.code == "lesson_locked"
    assert refusal.value.link_url == lessons[0].get_url()

    services.complete_lesson(user=trainee, lesson=lessons[0])
    services.complete_lesson(user=trainee, lesson=lessons[1])
    assert LessonProgress.objects.filter(user=trainee, status="complete").count() == 2


def test_free_navigation_opens_every_lesson(trainee):
    course = factories.course(modules=(3,), navigation="free")
    services.enrol(user=trainee, course=course)
    last = factories.lessons_of(course)[-1]

    row = services.complete_lesson(user=trainee, lesson=last)

    assert row.status == LessonStatus.COMPLETE


def test_optional_lessons_do_not_lock_or_count(trainee):
    course = factories.course(modules=(0,))
    module = course.get_children().first().specific
    required = factories.lesson(module, slug="a")
    factories.lesson(module, slug="b", is_optional=True)
    after = factories.lesson(module, slug="c")
    services.enrol(user=trainee, course=course)

    services.complete_lesson(user=trainee, lesson=required)
    services.complete_lesson(user=trainee, lesson=after)

    enrolment = Enrolment.objects.get(user=trainee, course=course)
    assert enrolment.progress_percent == 100 and enrolment.completed_at is not None


def test_manual_completion_is_refused_when_the_lesson_needs_its_quiz(trainee):
    course = factories.course(modules=(0,))
    module = course.get_children().first().specific
    quiz_lesson = factories.lesson(module, requires_quiz_pass=True)
    services.enrol(user=trainee, course=course)

    with pytest.raises(LearningDenied) as refusal:
        services.complete_lesson(user=trainee, lesson=quiz_lesson)
    assert refusal.value.code == "quiz_required"

    row = services.complete_lesson(user=trainee, lesson=quiz_lesson, via="quiz")
    assert row.completed_via == "quiz"


def test_completion_needs_an_enrolment(trainee, lessons):
    with pytest.raises(LearningDenied) as refusal:
        services.complete_lesson(user=trainee, lesson=lessons[0])
    assert refusal.value.code == "not_enrolled"


def test_opening_a_lesson_marks_it_in_progress_and_remembers_it(trainee, enrolled, lessons):
    services.start_lesson(user=trainee, lesson=lessons[0], enrolment=enrolled, status="not_started")

    row = LessonProgress.objects.get(user=trainee, lesson=lessons[0])
    assert row.status == LessonStatus.IN_PROGRESS and row.started_at <= timezone.now()
    enrolled.refresh_from_db()
    assert enrolled.last_lesson_id == lessons[0].pk


def test_resume_goes_to_the_last_unfinished_lesson_opened(trainee):
    course = factories.course(modules=(3,), navigation="free")
    enrolment, _ = services.enrol(user=trainee, course=course)
    lessons = factories.lessons_of(course)
    services.complete_lesson(user=trainee, lesson=lessons[0])
    services.start_lesson(
        user=trainee, lesson=lessons[2], enrolment=enrolment, status="not_started"
    )

    progress = selectors.course_progress(trainee, course)

    assert progress.next_lesson(lessons[2].pk).id == lessons[2].pk
    assert progress.next_lesson(None).id == lessons[1].pk


def test_publishing_a_new_lesson_updates_stored_progress(trainee, enrolled, lessons, course):
    services.complete_lesson(user=trainee, lesson=lessons[0])
    module = course.get_children().first().specific

    factories.lesson(module, slug="extra", with_revision=True)  # bumps the outline version
    course.refresh_from_db()
    services.refresh_course_progress(course)

    enrolled.refresh_from_db()
    assert enrolled.progress_percent == 25


def test_unpublished_lessons_leave_the_outline(course, lessons):
    lessons[1].unpublish()
    course.refresh_from_db()

    outline = selectors.course_outline(course)

    assert [row["id"] for row in outline["lessons"]] == [lessons[0].pk, lessons[2].pk]
