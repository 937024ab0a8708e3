import pytest
from wagtail.models import Page

from courses.models import Course, CourseCatalogue, Lesson, Module, Programme
from courses.tests import factories
from home.models import HomePage


@pytest.fixture
def tree(db):
    course = factories.course(modules=(1,))
    return {
        "catalogue": CourseCatalogue.objects.get(),
        "programme": course.get_parent().specific,
        "course": course,
        "module": Module.objects.child_of(course).get(),
        "lesson": factories.lessons_of(course)[0],
    }


def test_each_page_type_can_be_created_and_published(tree):
    for page in tree.values():
        page.save_revision().publish()
        page.refresh_from_db()
        assert page.live and page.live_revision_id is not None


def test_parent_rules_fix_the_shape_of_the_tree():
    assert Programme.allowed_parent_page_models() == [CourseCatalogue]
    assert Course.allowed_parent_page_models() == [Programme]
    assert Module.allowed_parent_page_models() == [Course]
    assert Lesson.allowed_parent_page_models() == [Module]
    assert CourseCatalogue.allowed_parent_page_models() == [HomePage]
    assert Lesson.allowed_subpage_models() == []


def test_a_lesson_cannot_be_created_directly_under_a_course(tree):
    assert not Lesson.can_create_at(tree["course"])
    assert not Course.can_create_at(tree["catalogue"])
    assert Lesson.can_create_at(tree["module"])
    assert Course.can_create_at(tree["programme"])


def test_only_one_catalogue_may_exist(tree):
    home = HomePage.objects.get()
    assert not CourseCatalogue.can_create_at(home)


def test_lesson_url_is_served_through_the_catalogue(client, trainee, tree):
    from courses import services

    services.enrol(user=trainee, course=tree["course"])
    client.force_login(trainee)

    response = client.get(tree["lesson"].url)

    assert response.status_code == 200
    assert tree["lesson"].title in response.content.decode()


def test_unpublished_lesson_is_not_found_for_trainees(client, trainee, tree):
    from courses import services

    services.enrol(user=trainee, course=tree["course"])
    url = tree["lesson"].url
    tree["lesson"].unpublish()
    client.force_login(trainee)

    assert client.get(url).status_code == 404


def test_pages_under_an_unpublished_module_are_not_found(client, trainee, tree):
    url = tree["lesson"].url
    tree["module"].unpublish(set_expired=False, commit=True)
    Page.objects.filter(pk=tree["lesson"].pk).update(live=True)  # the lesson alone stays live
    client.force_login(trainee)

    assert client.get(url).status_code == 404


def test_unpublished_course_page_is_not_found(client, trainee, tree):
    url = tree["course"].url
    tree["course"].unpublish()
    client.force_login(trainee)

    assert client.get(url).status_code == 404


def test_module_page_leads_to_its_course(client, tree):
    response = client.get(tree["module"].url)

    assert response.status_code == 302
    assert response["Location"].startswith(tree["course"].url)


def test_catalogue_page_is_the_catalogue_view_at_learn(client, tree):
    assert tree["catalogue"].url == "/learn/"
    response = client.get(tree["catalogue"].url)
    assert response.status_code == 200 and tree["course"].title in response.content.decode()


def test_lesson_under_a_view_restriction_is_left_to_wagtail(client, trainee, tree):
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    from courses import services

    services.enrol(user=trainee, course=tree["course"])
    restriction = PageViewRestriction.objects.create(
        page=tree["course"], restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.get_or_create(name="supervisor")[0]])
    client.force_login(trainee)

    response = client.get(tree["lesson"].url)

    assert response.status_code != 200


def test_programme_slug_may_not_shadow_learning_pages(tree):
    from django.core.exceptions import ValidationError

    programme = tree["programme"]
    programme.slug = "cohorts"
    with pytest.raises(ValidationError):
        programme.full_clean()


def test_course_objectives_are_one_per_line(tree):
    assert tree["course"].objective_list == ["目标一", "目标二"]


def test_lesson_search_text_spaces_chinese_characters(tree):
    assert "情 绪" in tree["lesson"].search_text()


def test_scheduled_lesson_goes_live_when_the_task_runs(tree):
    import datetime

    from django.utils import timezone

    from courses.tasks import publish_scheduled_pages

    lesson = tree["lesson"]
    lesson.unpublish()
    lesson.title = "定时发布的课"
    revision = lesson.save_revision()
    type(revision).objects.filter(pk=revision.pk).update(
        approved_go_live_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    lesson.refresh_from_db()
    assert not lesson.live

    publish_scheduled_pages()

    lesson.refresh_from_db()
    assert lesson.live and lesson.title == "定时发布的课"
