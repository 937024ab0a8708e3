import pytest

from courses import services
from courses.selectors import search_learning
from courses.tests import factories


def _titles(results):
    return {(result["kind"], result["page"].title) for result in results}


def test_search_finds_published_courses_by_chinese_words(trainee):
    factories.course(title="情绪管理入门", summary="学习如何识别情绪。")
    assert ("course", "情绪管理入门") in _titles(search_learning(trainee, "情绪"))


def test_unpublished_courses_are_not_found(trainee):
    course = factories.course(title="保密原则", summary="未发布的内容")
    course.unpublish()
    assert search_learning(trainee, "保密") == []


def test_lessons_are_found_only_by_people_enrolled_in_their_course(trainee, other_trainee):
    course = factories.course(modules=(1,), title="沟通课")
    lesson = factories.lessons_of(course)[0]
    services.enrol(user=trainee, course=course)

    assert ("lesson", lesson.title) in _titles(search_learning(trainee, "沟通"))
    assert ("lesson", lesson.title) not in _titles(search_learning(other_trainee, "沟通"))


def test_lessons_under_an_unpublished_module_are_not_found(supervisor):
    course = factories.course(modules=(1,))
    lesson = factories.lessons_of(course)[0]
    lesson.get_parent().specific.unpublish(set_expired=False, commit=True)
    type(lesson).objects.filter(pk=lesson.pk).update(live=True)

    assert ("lesson", lesson.title) not in _titles(search_learning(supervisor, "沟通"))


def test_search_page_shows_results(client, trainee):
    factories.course(title="团体辅导", summary="带领团体活动。")
    client.force_login(trainee)
    body = client.get("/learn/search/", {"q": "团体"}).content.decode()
    assert "团体辅导" in body


def test_empty_search_shows_no_results(client, trainee):
    client.force_login(trainee)
    assert client.get("/learn/search/", {"q": ""}).status_code == 200


@pytest.mark.parametrize("query", ["团\x00体", "x" * 201])
def test_a_search_with_a_control_character_or_too_long_is_refused_not_a_server_error(
    client, trainee, query
):
    client.force_login(trainee)
    response = client.get("/learn/search/", {"q": query})
    assert response.status_code == 200
    assert response.context["query"] == "" and response.context["results"] == []
    assert list(response.context["messages"])
