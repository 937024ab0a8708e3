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


def _supervise(supervisor, trainee):
    """A practicum placement: how a supervising expert comes to supervise a trainee."""
    import datetime

    from practicum.models import Placement

    return Placement.objects.create(
        trainee=trainee,
        supervisor=supervisor,
        qualification="counsellor",
        start_date=datetime.date(2026, 1, 5),
    )


def test_shared_answers_are_readable_by_their_supervisor_only(
    trainee, other_trainee, supervisor, enrolled, lessons
):
    from accounts import roles
    from tests.factories import make_user

    _supervise(supervisor, trainee)
    stranger = make_user(roles.SUPERVISOR, username="stranger_expert")
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
    # A supervising expert who does not supervise the author does not read it.
    assert not can_read_reflection(stranger, answer)


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
    _supervise(supervisor, trainee)
    client.force_login(supervisor)
    assert "分享的体会" in client.get("/learn/reflections/shared/").content.decode()
    one = client.get(f"/learn/reflections/shared/?trainee={trainee.pk}").content.decode()
    assert "分享的体会" in one and f"/practicum/review/trainees/{trainee.pk}/" in one


def test_shared_reflections_are_only_those_of_ones_own_trainees(
    client, supervisor, trainee, other_trainee, enrolled, lessons, django_assert_max_num_queries
):
    from accounts import roles
    from tests.factories import make_user

    services.save_reflection(
        user=trainee,
        lesson=lessons[0],
        block_id=REFLECTION_BLOCK_ID,
        text="只给督导看",
        shared=True,
    )
    _supervise(supervisor, other_trainee)
    stranger = make_user(roles.SUPERVISOR, username="stranger_expert")
    _supervise(stranger, trainee)
    client.force_login(supervisor)
    with django_assert_max_num_queries(12):
        body = client.get("/learn/reflections/shared/").content.decode()
    assert "只给督导看" not in body
    # Naming a trainee one does not supervise is not found, not an empty list.
    assert client.get(f"/learn/reflections/shared/?trainee={trainee.pk}").status_code == 404
    client.force_login(stranger)
    assert "只给督导看" in client.get("/learn/reflections/shared/").content.decode()


def test_trainee_cannot_open_shared_reflections_page(client, trainee):
    client.force_login(trainee)
    assert client.get("/learn/reflections/shared/").status_code == 403
