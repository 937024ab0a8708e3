import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditLog
from courses import services
from courses.models import ReflectionAnswer
from courses.permissions import LearningDenied, can_read_reflection
from courses.tests.factories import REFLECTION_BLOCK_ID


def test_reflection_is_saved_privately(trainee, enrolled, lessons):
    answer = services.save_reflection(
        user=trainee, lesson=lessons[0], block_id=REFLECTION_BLOCK_ID, text="我学会了倾听。"
    )

    assert answer.text == "我学会了倾听。" and not answer.shared_with_supervisor
    log = AuditLog.objects.get(action="courses.reflection.save")
    assert "我学会了倾听" not in str(log.changes) and log.changes["length"] == 7


def test_saving_again_updates_the_same_answer(trainee, enrolled, lessons):
    for text in ("初稿", "修改稿"):
        services.save_reflection(
            user=trainee, lesson=lessons[0], block_id=REFLECTION_BLOCK_ID, text=text
        )
    assert ReflectionAnswer.objects.get().text == "修改稿"


def test_an_answer_over_the_limit_is_refused_not_truncated(trainee, enrolled, lessons):
    with pytest.raises(ValidationError) as refusal:
        services.save_reflection(
            user=trainee, lesson=lessons[0], block_id=REFLECTION_BLOCK_ID, text="字" * 201
        )
    assert "201" in str(refusal.value) and "200" in str(refusal.value)
    assert not ReflectionAnswer.objects.exists()


def test_an_answer_at_the_limit_is_kept_whole(trainee, enrolled, lessons):
    answer = services.save_reflection(
        user=trainee, lesson=lessons[0], block_id=REFLECTION_BLOCK_ID, text="字" * 200
    )
    assert len(answer.text) == 200


def test_unknown_prompt_is_refused(trainee, enrolled, lessons):
    with pytest.raises(ValidationError):
        services.save_reflection(user=trainee, lesson=lessons[0], block_id="nope", text="x")


def test_reflection_needs_an_enrolment(trainee, lessons):
    with pytest.raises(LearningDenied) as refusal:
        services.save_reflection(
            user=trainee, lesson=lessons[0], block_id=REFLECTION_BLOCK_ID, text="x"
        )
    assert refusal.value.code == "not_enrolled"


def test_shared_answers_are_readable_by_supervisors_only(
    trainee, other_trainee, supervisor, enrolled, lessons
):
    answer = services.save_reflection(
        user=trainee, lesson=lessons[0], block_id=REFLECTION_BLOCK_ID, text="x", shared=False
    )
    assert can_read_reflection(trainee, answer)
    assert not can_read_reflection(supervisor, answer)
    answer = services.save_reflection(
        user=trainee, lesson=lessons[0], block_id=REFLECTION_BLOCK_ID, text="x", shared=True
    )
    assert can_read_reflection(supervisor, answer)
    assert not can_read_reflection(other_trainee, answer)


def test_reflection_form_refusal_shows_the_limit_and_keeps_the_text(
    client, trainee, enrolled, lessons
):
    client.force_login(trainee)
    text = "长" * 250
    response = client.post(
        f"/learn/lessons/{lessons[0].pk}/reflection/",
        {"block_id": REFLECTION_BLOCK_ID, "text": text},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert text in body and "200" in body
    assert not ReflectionAnswer.objects.exists()


def test_supervisor_sees_shared_reflections_page(client, supervisor, trainee, enrolled, lessons):
    services.save_reflection(
        user=trainee, lesson=lessons[0], block_id=REFLECTION_BLOCK_ID, text="分享的", shared=True
    )
    services.save_reflection(
        user=trainee,
        lesson=lessons[0],
        block_id=REFLECTION_BLOCK_ID,
        text="分享的体会",
        shared=True,
    )
    client.force_login(supervisor)
    assert "分享的体会" in client.get("/learn/reflections/shared/").content.decode()


def test_trainee_cannot_open_shared_reflections_page(client, trainee):
    client.force_login(trainee)
    assert client.get("/learn/reflections/shared/").status_code == 403
