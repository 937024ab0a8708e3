import pytest

from . import factories


@pytest.fixture
def course(db):
    """A sequential course: two modules, 2 + 1 lessons; the first lesson has a reflection."""
    return factories.course(modules=(2, 1), reflection_limit=200)


@pytest.fixture
def lessons(course):
    return factories.lessons_of(course)


@pytest.fixture
def enrolled(trainee, course):
    from courses import services

    enrolment, _created = services.enrol(user=trainee, course=course)
    return enrolment
