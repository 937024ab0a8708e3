"""A Uyghur-speaking trainee on a 390 px phone takes a translated lesson and quiz (issue 16).

The demo seed's Uyghur translation of a children's theme activity, approved and
published as a reviewer would: the lesson is read in Uyghur (right to left, nothing
scrolls sideways), completed, and the progress is the original course's — the same
progress seen in a Chinese interface. A quiz question translated through
wagtail-localize and marked reviewed is asked in Uyghur, answered, and graded as the
source question.
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COURSE = "capable-little-citizen"


@pytest.fixture
def translated_course(transactional_db):
    """The course as the demo seed builds it, its Uyghur drafts published (as the review
    workflow would after a native speaker's review), and a trainee enrolled."""
    from wagtail.models import Locale

    from accounts import roles
    from courses import seed, services
    from courses.curriculum import PROGRAMMES
    from courses.models import Lesson
    from courses.seed_translations import seed_translations
    from courses.tests import factories
    from tests.factories import make_user

    wanted = [
        {**programme, "courses": [{**course, "prerequisites": []}]}
        for programme in PROGRAMMES
        for course in programme["courses"]
        if course["slug"] == COURSE
    ]
    courses = seed.build_curriculum(factories.catalogue(), wanted)
    seed_translations(courses)
    course = courses[COURSE]
    uyghur = Locale.objects.get(language_code="ug")
    lessons = list(Lesson.objects.descendant_of(course).live().order_by("path"))
    for page in [course, *course.get_descendants()]:
        translation = page.specific.get_translation_or_none(uyghur)
        if translation is not None and translation.alias_of_id is None:
            translation.get_latest_revision().publish()
    trainee = make_user(roles.TRAINEE, username="ug_phone_trainee")
    services.enrol(user=trainee, course=course)
    return course, lessons, trainee, uyghur


def _context(browser, live_server, user, language):
    from django.test import Client

    client = Client()
    client.force_login(user)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    context.add_cookies(
        [
            {"name": name, "value": value, "domain": host, "path": "/"}
            for name, value in (
                ("sessionid", client.cookies["sessionid"].value),
                ("django_language", language),
            )
        ]
    )
    page = context.new_page()
    page.set_default_timeout(60_000)  # a guard for a loaded machine, not a budget
    return context, page


def _fits(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_uyghur_trainee_takes_a_translated_lesson_on_a_phone(
    browser, live_server, translated_course, settings
):
    from courses.models import Enrolment, LessonProgress, LessonStatus
    from courses.seed_translations import UYGHUR

    settings.LOCALE_PATHS = settings.PROJECT_LOCALE_PATHS  # the real Uyghur interface
    course, lessons, trainee, uyghur = translated_course
    intro = lessons[0]
    texts = UYGHUR[COURSE]["modules"][0]["lessons"][0]
    context, phone = _context(browser, live_server, trainee, "ug")

    phone.goto(live_server.url + course.url)
    assert phone.evaluate("document.documentElement.dir") == "rtl"
    assert _fits(phone) <= 390
    phone.locator(f"a[href='{intro.url}']").first.click()
    phone.wait_for_load_state()

    # The lesson reads in Uyghur, right to left, at the original's address.
    assert phone.url == live_server.url + intro.url
    assert phone.locator("h1").inner_text() == texts["title"]
    article = phone.locator("article.lesson-body")
    assert article.get_attribute("lang") == "ug" and article.get_attribute("dir") == "rtl"
    assert "بالىلارنى قارار چىقىرىشقا قاتناشتۇرۇش" in article.inner_text()
    assert phone.locator(".content-language-notice").count() == 0
    assert phone.evaluate("getComputedStyle(document.querySelector('article')).direction") == (
        "rtl"
    )
    assert _fits(phone) <= 390

    phone.locator("form[action*='/complete/'] button[type=submit]").click()
    phone.wait_for_load_state()

    # The next lesson (the activity plan) is not translated: the original, with a notice.
    assert phone.url == live_server.url + lessons[1].url
    assert phone.locator(".content-language-notice").count() == 1
    assert phone.locator("h1").inner_text() == lessons[1].title
    assert phone.locator("[data-testid=course-progress]").get_attribute("aria-valuenow") == "33"
    assert _fits(phone) <= 390
    context.close()

    # The progress is the original course's lesson...
    done = LessonProgress.objects.get(user=trainee, status=LessonStatus.COMPLETE)
    assert done.lesson_id == intro.pk and done.course_id == course.pk
    assert not LessonProgress.objects.filter(user=trainee, lesson__locale=uyghur).exists()
    assert Enrolment.objects.get(user=trainee, course=course).completed_lessons == 1

    # ...so a Chinese interface shows the same progress, and the lesson in Chinese.
    context, phone = _context(browser, live_server, trainee, "zh-hans")
    phone.goto(live_server.url + course.url)
    assert phone.locator("[data-testid=course-progress]").get_attribute("aria-valuenow") == "33"
    phone.goto(live_server.url + intro.url)
    assert phone.locator("h1").inner_text() == intro.title
    assert texts["title"] not in phone.content()
    context.close()


@pytest.fixture
def translated_quiz(transactional_db):
    """A quiz of one question, translated into Uyghur through wagtail-localize and marked
    reviewed (quizzes' own gate), and a trainee in a Uyghur interface."""
    from wagtail.models import Locale

    from accounts import roles
    from quizzes import services
    from quizzes.tests import factories as f
    from quizzes.tests.test_question_translation import translate
    from tests.factories import make_user

    source = f.question(
        "single",
        [
            {"text": "先停下来，请教督导", "fraction": 1.0, "feedback": "对。"},
            {"text": "自己决定", "fraction": 0.0},
        ],
        name="伦理-不确定时",
        stem="遇到拿不准的伦理问题时，应该怎么做？",
    )
    uyghur = Locale.objects.get(language_code="ug")
    translation = translate(
        source,
        uyghur,
        {
            "遇到拿不准的伦理问题时，应该怎么做？": "ئېنىق بىلەلمىگەن ئەخلاق مەسىلىسىگە يولۇققاندا نېمە قىلىش كېرەك؟",
            "先停下来，请教督导": "ئالدى بىلەن توختاپ، نازارەتچىدىن مەسلىھەت سوراش",
            "自己决定": "ئۆزى قارار چىقىرىش",
            "对。": "توغرا.",
        },
    )
    services.review_translation(
        actor=make_user(roles.ADMINISTRATOR, username="ug_quiz_reviewer"), question=translation
    )
    quiz = f.quiz([source], title="伦理小测", pass_mark=60)
    return quiz, source, make_user(roles.TRAINEE, username="ug_quiz_trainee")


def test_a_uyghur_trainee_takes_a_translated_quiz_on_a_phone(
    browser, live_server, translated_quiz, settings
):
    from quizzes.models import AttemptSlot

    settings.LOCALE_PATHS = settings.PROJECT_LOCALE_PATHS
    quiz, source, trainee = translated_quiz
    context, phone = _context(browser, live_server, trainee, "ug")

    phone.goto(f"{live_server.url}/quizzes/{quiz.pk}/")
    phone.locator("form[action$='/start/'] button[type=submit]").click()
    phone.wait_for_url("**/attempts/**")
    stem = phone.get_by_text("ئېنىق بىلەلمىگەن ئەخلاق مەسىلىسىگە يولۇققاندا")
    assert stem.is_visible()
    assert stem.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert "遇到拿不准" not in phone.content()
    assert _fits(phone) <= 390
    phone.get_by_label("ئالدى بىلەن توختاپ، نازارەتچىدىن مەسلىھەت سوراش").check()
    phone.locator("button[name=action][value=finish]").click()
    phone.wait_for_url("**/finish/")
    phone.locator("[data-testid=confirm-submit]").click()
    phone.wait_for_url("**/review/")
    assert "100.0%" in phone.locator(".quiz-grade").inner_text()
    assert _fits(phone) <= 390
    context.close()

    # The question answered in Uyghur is the source question, graded as such.
    slot = AttemptSlot.objects.get(attempt__user=trainee)
    assert slot.question_id == source.pk and slot.mark == slot.max_mark
