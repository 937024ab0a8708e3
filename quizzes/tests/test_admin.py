"""The question bank in the Wagtail admin: listings, import page, export, versioning hook."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from quizzes.models import Question
from quizzes.tests import factories as f
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

GIFT = "$CATEGORY: 导入\n\n::a::第一题 {=对 ~错}\n\n::b::第二题 {T}\n"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_snippet_listings_open_for_a_supervisor(client, supervisor):
    f.single()
    f.quiz([f.truefalse()])
    login(client, supervisor)
    for url in (
        "/cms/snippets/quizzes/quiz/",
        "/cms/snippets/quizzes/question/",
        "/cms/snippets/quizzes/questioncategory/",
    ):
        assert client.get(url).status_code == 200, url


def test_import_page_imports_a_gift_file(client, supervisor):
    login(client, supervisor)
    upload = SimpleUploadedFile("bank.gift", GIFT.encode(), content_type="text/plain")
    response = client.post(
        "/cms/quizzes/import/", {"file": upload, "format": "gift", "category": "管理后台"}
    )
    assert response.status_code == 200
    assert Question.objects.count() == 2
    assert Question.objects.get(name="a").category.path == "管理后台/导入"


def test_import_page_dry_run_and_refusal_report(client, supervisor):
    login(client, supervisor)
    upload = SimpleUploadedFile("bank.gift", b"::x::broken {=a ~b\n", content_type="text/plain")
    response = client.post(
        "/cms/quizzes/import/", {"file": upload, "format": "gift", "category": "X"}
    )
    assert "line 1:" in response.content.decode()
    assert Question.objects.count() == 0


def test_import_page_refuses_trainees_and_coordinators(client, trainee, coordinator):
    for user in (trainee, coordinator):
        client.logout()
        login(client, user)
        assert client.get("/cms/quizzes/import/").status_code in (302, 403)


def test_export_downloads_gift(client, supervisor):
    f.single(name="导出题")
    login(client, supervisor)
    response = client.get("/cms/quizzes/export/")
    assert response.status_code == 200
    assert "::导出题::" in response.content.decode()


def test_template_download_is_a_workbook(client, supervisor):
    login(client, supervisor)
    response = client.get("/cms/quizzes/template.xlsx")
    assert response.content[:2] == b"PK"


def test_editing_a_question_in_the_admin_makes_a_new_version(client, supervisor):
    question = f.single()
    login(client, supervisor)
    url = f"/cms/snippets/quizzes/question/edit/{question.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = value
    for prefix, formset in form.formsets.items():
        data.update(
            {k: v for k, v in formset.management_form.initial.items() for k in [f"{prefix}-{k}"]}
        )
        for index, child in enumerate(formset.forms):
            for name in child.fields:
                value = child[name].value()
                if value is not None:
                    data[f"{prefix}-{index}-{name}"] = value
    data["stem"] = "改写后的题干"
    data["tags"] = ""
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    question.refresh_from_db()
    assert question.stem == "改写后的题干"
    assert question.version == 2


def _question_form(question, **extra):
    answers = list(question.answers.order_by("sort_order"))
    data = {
        "qtype": question.qtype,
        "category": question.category_id,
        "name": question.name,
        "stem": question.stem,
        "default_mark": question.default_mark,
        "stem_format": question.stem_format,
        "general_feedback": "",
        "shuffle_choices": "on",
        "width_insensitive": "on",
        "grader_info": "",
        "case": "",
        "sort_order": 0,
        "tags": "",
        "is_active": "on",
        "answers-TOTAL_FORMS": len(answers),
        "answers-INITIAL_FORMS": len(answers),
        "answers-MIN_NUM_FORMS": 0,
        "answers-MAX_NUM_FORMS": 1000,
    }
    for n, answer in enumerate(answers):
        data.update(
            {
                f"answers-{n}-id": answer.pk,
                f"answers-{n}-text": answer.text,
                f"answers-{n}-fraction": answer.fraction,
                f"answers-{n}-tolerance": answer.tolerance,
                f"answers-{n}-match_text": answer.match_text,
                f"answers-{n}-feedback": answer.feedback,
                f"answers-{n}-ORDER": n + 1,
                f"answers-{n}-DELETE": "",
            }
        )
    data.update(extra)
    return data


def test_editing_a_question_in_the_admin_makes_a_new_version_through_the_service(
    client, supervisor
):
    from audit.models import AuditLog

    question = f.single()
    login(client, supervisor)
    url = f"/cms/snippets/quizzes/question/edit/{question.pk}/"
    response = client.post(url, _question_form(question, **{"answers-0-fraction": 0.0}))
    assert response.status_code == 302, response.context["form"].errors
    question.refresh_from_db()
    assert question.version == 2
    row = AuditLog.objects.get(action="quizzes.question.update")
    assert row.actor == supervisor
    assert row.changes["new_version"] is True and "answers" in row.changes["fields"]
    # Saving it unchanged keeps the version (and says so).
    client.post(url, _question_form(question))
    question.refresh_from_db()
    assert question.version == 2


def test_a_coordinator_cannot_change_the_bank_in_the_admin(client, coordinator):
    question = f.single()
    login(client, coordinator)
    url = f"/cms/snippets/quizzes/question/edit/{question.pk}/"
    response = client.post(url, _question_form(question, stem="改写"))
    assert response.status_code in (302, 403)
    question.refresh_from_db()
    assert question.stem != "改写" and question.version == 1


def test_a_quiz_trainees_attempted_is_not_deleted_from_the_admin(client, supervisor, trainee):
    from quizzes import services
    from quizzes.models import Quiz

    quiz = f.quiz([f.single()])
    services.start_attempt(user=trainee, quiz=quiz)
    login(client, supervisor)
    response = client.post(f"/cms/snippets/quizzes/quiz/delete/{quiz.pk}/", {})
    assert response.status_code in (200, 302)
    assert Quiz.objects.filter(pk=quiz.pk).exists()
