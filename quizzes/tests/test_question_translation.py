"""Quiz questions in several languages (issue 16): one question in every language.

A question's translation (wagtail-localize, same ``translation_key``) carries only text;
its structure is the source's and cannot be changed on it. Quizzes, attempts, grading and
item analysis hold the source question; a Uyghur trainee reads a reviewed translation in
its place, with the same option keys, and is graded and analysed as the same question.
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from wagtail.models import Locale
from wagtail_localize.fields import SynchronizedField, get_translatable_fields
from wagtail_localize.models import StringSegment, StringTranslation, TranslationSource
from wagtail_localize.operations import translate_object
from wagtail_localize.strings import StringValue

from accounts import roles
from quizzes import permissions, selectors, services
from quizzes.models import (
    ANSWER_SYNCED_FIELDS,
    QUESTION_SYNCED_FIELDS,
    Answer,
    AttemptSlot,
    Question,
    TranslationReview,
)
from quizzes.tests import factories as f
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

UG_STEM = "ئەڭ مۇۋاپىق جاۋاب قايسى؟"
UG_OPTIONS = {"Right": "توغرا جاۋاب", "Half": "يېرىم جاۋاب", "Wrong": "خاتا جاۋاب"}
UG_FEEDBACK = {"Well done": "ناھايىتى ياخشى", "Almost": "يېقىن", "No": "ياق"}


@pytest.fixture
def uyghur():
    return Locale.objects.get(language_code="ug")


def translate(question, locale, texts: dict[str, str]):
    """Translate ``question`` through wagtail-localize as a translator does: its strings
    into the translation memory, then the translation rebuilt from them."""
    translate_object(question, [locale])
    source = TranslationSource.objects.get_for_instance(question)
    for segment in StringSegment.objects.filter(source=source).select_related("string"):
        text = StringValue(segment.string.data).render_text()
        if text in texts:
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                defaults={
                    "data": StringValue.from_plaintext(texts[text]).data,
                    "translation_type": "manual",
                },
            )
    source.translations.get(target_locale=locale).save_target()
    return Question.objects.get(translation_key=question.translation_key, locale=locale)


def single_texts():
    return {"Stem of a single question": UG_STEM, **UG_OPTIONS, **UG_FEEDBACK}


def reviewed(translation, reviewer):
    return services.review_translation(actor=reviewer, question=translation)


@pytest.fixture
def reviewer(administrator):
    return administrator


@pytest.fixture
def ug_trainee(district):
    user = make_user(roles.TRAINEE, username="t_trainee_ug", district=district)
    return user


def ug_client(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ug"
    return client


# --- the model ---------------------------------------------------------------------------


def test_a_question_and_its_answers_start_in_the_source_locale():
    question = f.single()
    assert question.locale.language_code == settings.LANGUAGE_CODE
    assert question.translation_key
    assert {a.locale_id for a in question.answers.all()} == {question.locale_id}
    assert not question.is_translation


def test_imported_questions_get_the_source_locale_on_their_answers():
    report = services.import_file(data=b"::q::Pick {=a ~b}", fmt="gift", category_path="Imported")
    assert report.ok
    question = Question.objects.get(name="q")
    assert set(question.answers.values_list("locale__language_code", flat=True)) == {
        settings.LANGUAGE_CODE
    }


def test_structure_is_synchronised_and_not_overridable_text_is_translated():
    fields = {field.field_name: field for field in get_translatable_fields(Question)}
    for name in QUESTION_SYNCED_FIELDS:
        assert isinstance(fields[name], SynchronizedField) and not fields[name].overridable
    for name in ("stem", "general_feedback", "name", "answers"):
        assert not isinstance(fields[name], SynchronizedField)
    answer_fields = {field.field_name: field for field in get_translatable_fields(Answer)}
    for name in ANSWER_SYNCED_FIELDS:
        assert not answer_fields[name].overridable
    for name in ("text", "feedback", "match_text"):
        assert not isinstance(answer_fields[name], SynchronizedField)


def test_translating_keeps_the_answers_structure_and_awaits_review(uyghur):
    question = f.single()
    translation = translate(question, uyghur, single_texts())
    assert translation.stem == UG_STEM
    assert translation.translation_review == TranslationReview.AWAITING
    assert translation.translated_version == question.version
    source_answers = list(question.answers.order_by("sort_order"))
    translated = list(translation.answers.order_by("sort_order"))
    assert [a.translation_key for a in translated] == [a.translation_key for a in source_answers]
    assert [a.fraction for a in translated] == [a.fraction for a in source_answers]
    assert [a.text for a in translated] == ["توغرا جاۋاب", "يېرىم جاۋاب", "خاتا جاۋاب"]


def edit_answers(question, edit):
    """Change a question's answers in memory, as the admin's inline formset does."""
    answers = list(question.answers.all())
    edit(answers)
    question.answers = answers


@pytest.mark.parametrize(
    "change",
    [
        lambda q: setattr(q, "default_mark", 5.0),
        lambda q: setattr(q, "qtype", "multiple"),
        lambda q: setattr(q, "is_active", False),
        lambda q: setattr(q, "category", f.category("Other bank")),
        lambda q: edit_answers(q, lambda answers: setattr(answers[0], "fraction", 0.0)),
        lambda q: edit_answers(q, lambda answers: setattr(answers[1], "sort_order", 9)),
        lambda q: edit_answers(
            q, lambda answers: answers.append(Answer(text="Extra", fraction=1.0))
        ),
        lambda q: edit_answers(q, lambda answers: answers.pop()),
    ],
    ids=["mark", "type", "active", "category", "fraction", "order", "extra", "removed"],
)
def test_a_translation_cannot_change_what_the_source_decides(uyghur, supervisor, change):
    question = f.single()
    translation = translate(question, uyghur, single_texts())
    editable = Question.objects.get(pk=translation.pk)  # as the admin's form loads it
    change(editable)
    with pytest.raises(ValidationError):
        services.save_question(actor=supervisor, question=editable)
    translation.refresh_from_db()
    assert translation.default_mark == question.default_mark
    assert list(translation.answers.values_list("fraction", flat=True)) == [1.0, 0.5, 0.0]


def test_a_translations_text_may_change_and_then_awaits_review_again(uyghur, reviewer):
    question = f.single()
    translation = reviewed(translate(question, uyghur, single_texts()), reviewer)
    assert translation.translation_review == TranslationReview.REVIEWED
    editable = Question.objects.get(pk=translation.pk)
    editable.stem = "يېڭى تېكىست"
    services.save_question(actor=reviewer, question=editable)
    translation.refresh_from_db()
    assert translation.stem == "يېڭى تېكىست"
    assert translation.translation_review == TranslationReview.AWAITING


def test_a_sync_after_a_change_of_grades_keeps_the_review_and_shows_the_new_version(
    client, uyghur, reviewer, ug_trainee
):
    question = f.single()
    translation = reviewed(translate(question, uyghur, single_texts()), reviewer)
    answer = question.answers.get(text="Half")
    answer.fraction = 0.25
    answer.save()
    assert question.refresh_version()
    source, _created = TranslationSource.update_or_create_from_instance(question)
    source.translations.get(target_locale=uyghur).save_target()
    translation.refresh_from_db()
    assert translation.translation_review == TranslationReview.REVIEWED
    assert translation.translated_version == question.version
    assert translation.answers.get(text="يېرىم جاۋاب").fraction == 0.25
    attempt = services.start_attempt(user=ug_trainee, quiz=f.quiz([question]))
    url = reverse("quizzes:attempt", args=[attempt.pk])
    assert UG_STEM in ug_client(client, ug_trainee).get(url).content.decode()


def test_a_quiz_slot_takes_the_original_not_a_translation(uyghur, supervisor):
    question = f.single()
    translation = translate(question, uyghur, single_texts())
    quiz = f.quiz([question])
    slot = quiz.slots.first()
    slot.question = translation
    with pytest.raises(ValidationError):
        slot.full_clean()


# --- one question in every language ------------------------------------------------------


def test_banks_and_random_draws_never_count_a_translation(uyghur, trainee):
    cat = f.category("Drawn")
    question = f.single(cat=cat)
    translate(question, uyghur, single_texts())
    assert list(Question.objects.in_bank().filter(category=cat)) == [question]
    quiz = f.quiz(draws=[(cat, 2)])
    with pytest.raises(services.QuizError) as refused:
        services.start_attempt(user=trainee, quiz=quiz)
    assert refused.value.code == "not_enough_questions"
    one = f.quiz(draws=[(cat, 1)], title="one")
    attempt = services.start_attempt(user=trainee, quiz=one)
    assert attempt.slots.get().question_id == question.pk


def test_deleting_a_source_question_deletes_its_translations(uyghur, supervisor):
    question = f.single()
    translate(question, uyghur, single_texts())
    services.delete_question(actor=supervisor, question=question)
    assert not Question.objects.filter(translation_key=question.translation_key).exists()


def _answer_right(client, attempt):
    slot = attempt.slots.get()
    right_index = next(i for i, a in enumerate(slot.question_data["answers"]) if a["fraction"] == 1)
    key = slot.layout["keys"][slot.layout["order"].index(right_index)]
    return {str(slot.number): {"choice": key}}


def test_a_question_answered_in_uyghur_is_the_same_question_graded_and_analysed(
    client, uyghur, reviewer, trainee, ug_trainee
):
    question = f.single()
    reviewed(translate(question, uyghur, single_texts()), reviewer)
    quiz = f.quiz([question])
    zh_attempt = services.start_attempt(user=trainee, quiz=quiz)
    ug_attempt = services.start_attempt(user=ug_trainee, quiz=quiz)

    response = ug_client(client, ug_trainee).get(reverse("quizzes:attempt", args=[ug_attempt.pk]))
    page = response.content.decode()
    assert UG_STEM in page and "توغرا جاۋاب" in page
    assert 'lang="ug" dir="rtl"' in page
    assert "Stem of a single question" not in page
    # The option keys on the Uyghur page are the attempt's own: the same answer.
    for key in ug_attempt.slots.get().layout["keys"]:
        assert key in page

    services.submit_attempt(
        user=trainee, attempt=zh_attempt, answers=_answer_right(client, zh_attempt)
    )
    services.submit_attempt(
        user=ug_trainee, attempt=ug_attempt, answers=_answer_right(client, ug_attempt)
    )
    zh_attempt.refresh_from_db()
    ug_attempt.refresh_from_db()
    assert zh_attempt.grade == ug_attempt.grade == 100.0
    slots = AttemptSlot.objects.filter(attempt__quiz=quiz)
    assert set(slots.values_list("question_id", flat=True)) == {question.pk}
    # The snapshot is the source's, whatever the trainee's language.
    assert {s.question_data["stem"] for s in slots} == {"Stem of a single question"}
    stats = selectors.item_analysis(quiz)
    assert len(stats.items) == 1
    assert stats.items[0].question_id == question.pk and stats.items[0].count == 2


def test_a_uyghur_reader_sees_feedback_in_uyghur_after_the_attempt(
    client, uyghur, reviewer, ug_trainee
):
    question = f.single()
    reviewed(translate(question, uyghur, single_texts()), reviewer)
    quiz = f.quiz([question])
    attempt = services.start_attempt(user=ug_trainee, quiz=quiz)
    services.submit_attempt(
        user=ug_trainee, attempt=attempt, answers=_answer_right(client, attempt)
    )
    page = ug_client(client, ug_trainee).get(reverse("quizzes:review", args=[attempt.pk]))
    text = page.content.decode()
    assert "ناھايىتى ياخشى" in text and "Well done" not in text


def test_an_unreviewed_translation_is_not_shown_the_original_comes_with_a_notice(
    client, uyghur, ug_trainee
):
    question = f.single()
    translate(question, uyghur, single_texts())  # awaiting review
    quiz = f.quiz([question])
    attempt = services.start_attempt(user=ug_trainee, quiz=quiz)
    page = ug_client(client, ug_trainee).get(reverse("quizzes:attempt", args=[attempt.pk]))
    text = page.content.decode()
    assert "Stem of a single question" in text and UG_STEM not in text
    assert "content-language-notice" in text


def test_a_translation_made_from_another_version_is_not_shown(client, uyghur, reviewer, ug_trainee):
    question = f.single()
    reviewed(translate(question, uyghur, single_texts()), reviewer)
    question.stem = "A changed stem"
    question.save()
    question.refresh_version()  # version 2; the translation was made from version 1
    quiz = f.quiz([question])
    attempt = services.start_attempt(user=ug_trainee, quiz=quiz)
    text = ug_client(client, ug_trainee).get(reverse("quizzes:attempt", args=[attempt.pk]))
    text = text.content.decode()
    assert "A changed stem" in text and UG_STEM not in text
    assert "content-language-notice" in text


def test_a_chinese_reader_sees_the_original_without_a_notice(client, uyghur, reviewer, trainee):
    question = f.single()
    reviewed(translate(question, uyghur, single_texts()), reviewer)
    attempt = services.start_attempt(user=trainee, quiz=f.quiz([question]))
    assert client.login(username=trainee.username, password=PASSWORD)
    text = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert "Stem of a single question" in text
    assert UG_STEM not in text and "content-language-notice" not in text


def test_matching_items_and_matches_are_shown_translated_and_graded_on_the_original(
    client, uyghur, reviewer, ug_trainee
):
    question = f.matching()
    texts = {"Canada": "كانادا", "Ottawa": "ئوتتاۋا", "Italy": "ئىتالىيە", "Rome": "رىم"}
    reviewed(translate(question, uyghur, texts), reviewer)
    attempt = services.start_attempt(user=ug_trainee, quiz=f.quiz([question]))
    text = ug_client(client, ug_trainee).get(reverse("quizzes:attempt", args=[attempt.pk]))
    text = text.content.decode()
    assert "كانادا" in text and "ئوتتاۋا" in text and "رىم" in text
    slot = attempt.slots.get()
    answers = slot.question_data["answers"]
    choice_key = dict(zip(slot.layout["choices"], slot.layout["choice_keys"], strict=True))
    pairs = {
        item_key: choice_key[answers[index]["match_text"]]
        for item_key, index in zip(slot.layout["item_keys"], slot.layout["items"], strict=True)
    }
    services.submit_attempt(user=ug_trainee, attempt=attempt, answers={"1": {"pairs": pairs}})
    attempt.refresh_from_db()
    assert attempt.grade == 100.0


def test_the_api_shows_the_owner_the_translation(api_client, uyghur, reviewer, ug_trainee):
    question = f.single()
    reviewed(translate(question, uyghur, single_texts()), reviewer)
    quiz = f.quiz([question])
    attempt = services.start_attempt(user=ug_trainee, quiz=quiz)
    api_client.as_user(ug_trainee)
    api_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ug"
    response = api_client.get(f"/api/v1/attempts/{attempt.pk}")
    assert response.status_code == 200
    shown = response.json()["questions"][0]
    assert shown["language"] == "ug" and shown["stem"] == UG_STEM


def test_a_marker_sees_the_question_as_asked(client, uyghur, reviewer, supervisor, ug_trainee):
    question = f.essay()
    reviewed(translate(question, uyghur, {"Stem of a essay question": "ماقالە سوئالى"}), reviewer)
    attempt = services.start_attempt(user=ug_trainee, quiz=f.quiz([question]))
    services.submit_attempt(user=ug_trainee, attempt=attempt, answers={"1": {"text": "جاۋاب"}})
    f.assign_for_marking(supervisor, ug_trainee)
    assert client.login(username=supervisor.username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ug"
    slot = attempt.slots.get()
    text = client.get(reverse("quizzes:mark", args=[slot.pk])).content.decode()
    assert "Stem of a essay question" in text and "ماقالە سوئالى" not in text


def test_the_uyghur_attempt_page_has_a_fixed_query_count(
    client, uyghur, reviewer, trainee, ug_trainee, django_assert_max_num_queries
):
    questions = [f.single(name=f"q{i}") for i in range(4)] + [f.matching(), f.case_analysis()]
    for question in questions[:3]:
        reviewed(translate(question, uyghur, single_texts()), reviewer)
    quiz = f.quiz(questions)
    zh_attempt = services.start_attempt(user=trainee, quiz=quiz)
    ug_attempt = services.start_attempt(user=ug_trainee, quiz=quiz)
    assert client.login(username=trainee.username, password=PASSWORD)
    zh_url = reverse("quizzes:attempt", args=[zh_attempt.pk])
    client.get(zh_url)
    with django_assert_max_num_queries(12) as zh_queries:
        assert client.get(zh_url).status_code == 200
    ug_url = reverse("quizzes:attempt", args=[ug_attempt.pk])
    ug_client(client, ug_trainee).get(ug_url)
    with django_assert_max_num_queries(14) as ug_queries:
        assert client.get(ug_url).status_code == 200
    # Two queries more for a Uyghur reader: the reviewed translations, their answers.
    assert len(ug_queries.captured_queries) == len(zh_queries.captured_queries) + 2


# --- translators and review ---------------------------------------------------------------


@pytest.fixture
def translator(db):
    from courses.translation import TRANSLATOR_GROUP

    user = make_user(username="t_translator")
    user.groups.add(Group.objects.get_or_create(name=TRANSLATOR_GROUP)[0])
    return user


def test_a_translator_changes_a_translations_text_but_never_the_original(uyghur, translator):
    question = f.single()
    translation = translate(question, uyghur, single_texts())
    permissions.check_can_manage_bank(translator, "view", model=Question)
    permissions.check_can_manage_bank(translator, "change", translation)
    for action, item in (("change", question), ("add", None), ("delete", translation)):
        with pytest.raises(PermissionDenied):
            permissions.check_can_manage_bank(translator, action, item, model=Question)
    editable = Question.objects.get(pk=translation.pk)
    editable.general_feedback = "ئومۇمىي باھا"
    services.save_question(actor=translator, question=editable)
    editable = Question.objects.get(pk=translation.pk)
    editable.default_mark = 3
    with pytest.raises(ValidationError):
        services.save_question(actor=translator, question=editable)


def test_only_staff_mark_a_translation_reviewed(uyghur, translator, supervisor):
    question = f.single()
    translation = translate(question, uyghur, single_texts())
    with pytest.raises(PermissionDenied):
        services.review_translation(actor=translator, question=translation)
    with pytest.raises(services.QuizError):
        services.review_translation(actor=supervisor, question=question)
    services.review_translation(actor=supervisor, question=translation)
    translation.refresh_from_db()
    assert translation.translation_review == TranslationReview.REVIEWED


def test_a_translator_opens_the_translation_editor_of_a_question(client, uyghur, translator):
    from django.contrib.auth.models import Permission

    translator.groups.get().permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="submit_translation"),
    )
    question = f.single()
    translation = translate(question, uyghur, single_texts())
    assert client.login(username=translator.username, password=PASSWORD)
    edit = reverse("wagtailsnippets_quizzes_question:edit", args=[translation.pk])
    response = client.get(edit)
    assert response.status_code == 200
    assert b"editor" in response.content  # wagtail-localize's translation editor
    source_edit = reverse("wagtailsnippets_quizzes_question:edit", args=[question.pk])
    assert client.get(source_edit).status_code in (302, 403)


def test_staff_mark_a_translation_reviewed_in_the_admin(client, uyghur, administrator):
    question = f.single()
    translation = translate(question, uyghur, single_texts())
    assert client.login(username=administrator.username, password=PASSWORD)
    listing = client.get(reverse("wagtailsnippets_quizzes_question:list"), {"locale": "ug"})
    url = reverse("quizzes_review_translation", args=[translation.pk])
    assert url in listing.content.decode()
    page = client.get(url)
    assert page.status_code == 200
    assert UG_STEM in page.content.decode() and "Stem of a single question" in page.content.decode()
    assert client.post(url).status_code == 302
    translation.refresh_from_db()
    assert translation.translation_review == TranslationReview.REVIEWED
    source_url = reverse("quizzes_review_translation", args=[question.pk])
    assert client.get(source_url).status_code == 404


def test_a_translator_cannot_mark_a_translation_reviewed_in_the_admin(client, uyghur, translator):
    from django.contrib.auth.models import Permission

    translator.groups.get().permissions.add(Permission.objects.get(codename="access_admin"))
    translation = translate(f.single(), uyghur, single_texts())
    assert client.login(username=translator.username, password=PASSWORD)
    url = reverse("quizzes_review_translation", args=[translation.pk])
    assert client.post(url).status_code in (302, 403)
    translation.refresh_from_db()
    assert translation.translation_review == TranslationReview.AWAITING


def test_a_case_analysis_is_shown_translated_only_when_it_and_every_part_are(
    client, uyghur, reviewer, ug_trainee
):
    case = f.case_analysis()
    single_part, essay_part = case.parts.order_by("sort_order")
    case_translation = reviewed(translate(case, uyghur, {case.stem: "ۋەقە تەسۋىرى"}), reviewer)
    single_translation = reviewed(translate(single_part, uyghur, single_texts()), reviewer)
    # A part's translation belongs to the case's translation, not to the original case.
    assert single_translation.case_id == case_translation.pk
    assert list(case.parts.order_by("sort_order")) == [single_part, essay_part]
    attempt = services.start_attempt(user=ug_trainee, quiz=f.quiz([case]))
    parts = attempt.slots.get().question_data["parts"]
    assert [part["id"] for part in parts] == [single_part.pk, essay_part.pk]
    url = reverse("quizzes:attempt", args=[attempt.pk])
    text = ug_client(client, ug_trainee).get(url).content.decode()
    assert "ۋەقە تەسۋىرى" not in text and "content-language-notice" in text  # a part missing
    reviewed(translate(essay_part, uyghur, {"Stem of a essay question": "ماقالە سوئالى"}), reviewer)
    # Translating a part synced the case's translation again: no text changed, so its
    # review stands.
    case_translation.refresh_from_db()
    assert case_translation.translation_review == TranslationReview.REVIEWED
    text = client.get(url).content.decode()
    assert "ۋەقە تەسۋىرى" in text and UG_STEM in text and "ماقالە سوئالى" in text
    assert "content-language-notice" not in text
