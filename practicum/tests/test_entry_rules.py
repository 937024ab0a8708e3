"""The rules of a log entry, each refusal with its message."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practicum import services
from practicum.models import EntryState, PracticumSettings

from .factories import EntryFactory, activity, entry_data


def create(trainee, placement, **overrides):
    return services.create_entry(trainee=trainee, placement=placement, data=entry_data(**overrides))


def errors_of(caught) -> dict:
    return caught.value.message_dict


def test_valid_entry_is_saved_as_a_draft_with_duration_from_times(trainee, placement):
    entry = create(trainee, placement)
    assert entry.state == EntryState.DRAFT
    assert entry.minutes == 120
    assert entry.supervisor == placement.supervisor
    assert entry.service_kind == "direct"


def test_duration_alone_is_accepted(trainee, placement):
    entry = create(trainee, placement, start_time=None, end_time=None, minutes=45)
    assert entry.minutes == 45 and entry.start_time is None


def test_service_kind_follows_the_activity_type_rule(trainee, placement):
    entry = create(
        trainee, placement, activity_type=activity("supervision"), children_6_11=0, teachers=0
    )
    assert entry.service_kind == "indirect"


def test_future_date_is_refused(trainee, placement):
    with pytest.raises(ValidationError) as caught:
        create(trainee, placement, date=timezone.localdate() + datetime.timedelta(days=1))
    assert "future" in errors_of(caught)["date"][0]


def test_session_that_has_not_ended_today_is_refused(trainee, placement):
    now = timezone.localtime()
    if now.hour >= 23:
        pytest.skip("no later hour today")
    later = datetime.time(now.hour + 1, 0)
    with pytest.raises(ValidationError) as caught:
        create(
            trainee,
            placement,
            date=timezone.localdate(),
            start_time=datetime.time(now.hour, 0),
            end_time=later,
        )
    assert "not ended" in errors_of(caught)["end_time"][0]


def test_backdating_window_is_set_by_administrators(trainee, placement):
    config = PracticumSettings.load()
    config.backdating_days = 10
    config.save()
    old = timezone.localdate() - datetime.timedelta(days=11)
    with pytest.raises(ValidationError) as caught:
        create(trainee, placement, date=old)
    assert "10 days" in errors_of(caught)["date"][0]
    config.backdating_days = 30
    config.save()
    assert create(trainee, placement, date=old).date == old


def test_more_than_twelve_hours_in_a_day_is_refused(trainee, placement):
    day = timezone.localdate() - datetime.timedelta(days=2)
    create(
        trainee, placement, date=day, start_time=datetime.time(6, 0), end_time=datetime.time(12, 0)
    )
    create(
        trainee, placement, date=day, start_time=datetime.time(12, 0), end_time=datetime.time(17, 0)
    )
    with pytest.raises(ValidationError) as caught:
        create(
            trainee,
            placement,
            date=day,
            start_time=datetime.time(18, 0),
            end_time=datetime.time(20, 0),
        )
    assert "12 hours" in errors_of(caught)["minutes"][0]


def test_rejected_entries_do_not_count_toward_the_day(trainee, placement):
    day = timezone.localdate() - datetime.timedelta(days=2)
    EntryFactory(placement=placement, date=day, minutes=660, state=EntryState.REJECTED)
    assert create(trainee, placement, date=day).minutes == 120


def test_overlapping_entries_of_one_trainee_are_refused(trainee, placement):
    day = timezone.localdate() - datetime.timedelta(days=2)
    create(
        trainee, placement, date=day, start_time=datetime.time(9, 0), end_time=datetime.time(11, 0)
    )
    with pytest.raises(ValidationError) as caught:
        create(
            trainee,
            placement,
            date=day,
            start_time=datetime.time(10, 30),
            end_time=datetime.time(12, 0),
        )
    assert "09:00–11:00" in errors_of(caught)["start_time"][0]
    # Back to back is fine.
    create(
        trainee, placement, date=day, start_time=datetime.time(11, 0), end_time=datetime.time(12, 0)
    )


def test_other_trainees_entries_do_not_overlap_mine(trainee, other_trainee, placement, supervisor):
    from practicum.models import Placement

    other = Placement.objects.create(
        trainee=other_trainee,
        supervisor=supervisor,
        qualification="counsellor",
        start_date=placement.start_date,
    )
    create(trainee, placement)
    assert create(other_trainee, other).pk


def test_end_before_start_is_refused(trainee, placement):
    with pytest.raises(ValidationError) as caught:
        create(trainee, placement, start_time=datetime.time(11, 0), end_time=datetime.time(9, 0))
    assert "after the start" in errors_of(caught)["end_time"][0]


def test_no_time_and_no_duration_is_refused(trainee, placement):
    with pytest.raises(ValidationError) as caught:
        create(trainee, placement, start_time=None, end_time=None, minutes=None)
    assert "minutes" in errors_of(caught)


def test_direct_service_needs_participant_counts(trainee, placement):
    with pytest.raises(ValidationError) as caught:
        create(trainee, placement, children_6_11=0, teachers=0)
    assert "participant" in errors_of(caught)["children_0_5"][0]


def test_date_before_the_placement_is_refused(trainee, placement):
    placement.start_date = timezone.localdate() - datetime.timedelta(days=1)
    placement.save()
    with pytest.raises(ValidationError) as caught:
        create(trainee, placement)
    assert "outside your placement" in errors_of(caught)["date"][0]


def test_child_name_in_description_is_refused_with_guidance(trainee, placement):
    with pytest.raises(ValidationError) as caught:
        create(trainee, placement, description="学生王小明在活动中哭了。")
    message = errors_of(caught)["description"][0]
    assert "小A" in message


def test_phone_number_in_reflection_is_refused(trainee, placement):
    with pytest.raises(ValidationError) as caught:
        create(trainee, placement, reflection="需要回访，家长电话13912345678。")
    assert "reflection" in errors_of(caught)


def test_only_the_placed_trainee_can_log_in_a_placement(other_trainee, placement):
    with pytest.raises(PermissionDenied):
        create(other_trainee, placement)


def test_closed_placement_takes_no_new_entries(trainee, placement):
    placement.closed_on = timezone.localdate()
    placement.save()
    with pytest.raises(PermissionDenied):
        create(trainee, placement)


def test_draft_is_editable(trainee, placement):
    entry = create(trainee, placement)
    services.update_entry(entry=entry, actor=trainee, data={"teachers": 2, "minutes": None})
    entry.refresh_from_db()
    assert entry.teachers == 2


def test_update_is_checked_against_the_rules(trainee, placement):
    entry = create(trainee, placement)
    with pytest.raises(ValidationError):
        services.update_entry(
            entry=entry,
            actor=trainee,
            data={"date": timezone.localdate() + datetime.timedelta(days=2)},
        )


def test_submitted_entry_is_locked_for_the_trainee(trainee, placement):
    entry = create(trainee, placement)
    services.submit_entry(entry=entry, actor=trainee)
    with pytest.raises(PermissionDenied):
        services.update_entry(entry=entry, actor=trainee, data={"teachers": 3})


def test_returned_entry_is_editable_again(trainee, placement, supervisor):
    entry = create(trainee, placement)
    services.submit_entry(entry=entry, actor=trainee)
    services.review_entry(
        entry=entry, reviewer=supervisor, action="return", comment="请补充复盘时长"
    )
    services.update_entry(entry=entry, actor=trainee, data={"reflection": "复盘15分钟已计入。"})
    entry.refresh_from_db()
    assert entry.state == EntryState.RETURNED and "15" in entry.reflection


@pytest.mark.parametrize("role_fixture", ["trainee", "supervisor", "administrator"])
def test_approved_entry_cannot_be_edited_by_anyone(
    request, role_fixture, placement, supervisor, trainee
):
    entry = create(trainee, placement)
    services.submit_entry(entry=entry, actor=trainee)
    services.review_entry(entry=entry, reviewer=supervisor, action="approve")
    with pytest.raises(PermissionDenied):
        services.update_entry(
            entry=entry, actor=request.getfixturevalue(role_fixture), data={"teachers": 3}
        )


def test_only_a_draft_can_be_deleted(trainee, placement):
    entry = create(trainee, placement)
    services.submit_entry(entry=entry, actor=trainee)
    with pytest.raises(PermissionDenied):
        services.delete_draft(entry=entry, actor=trainee)
    draft = create(
        trainee, placement, start_time=datetime.time(14, 0), end_time=datetime.time(15, 0)
    )
    services.delete_draft(entry=draft, actor=trainee)
    assert not type(draft).objects.filter(pk=draft.pk).exists()


def test_submit_rechecks_the_day(trainee, placement):
    day = timezone.localdate() - datetime.timedelta(days=2)
    entry = create(
        trainee, placement, date=day, start_time=datetime.time(8, 0), end_time=datetime.time(10, 0)
    )
    # Another entry added directly later fills the day (e.g. data fixed by an administrator).
    EntryFactory(placement=placement, date=day, minutes=640, state=EntryState.APPROVED)
    with pytest.raises(ValidationError):
        services.submit_entry(entry=entry, actor=trainee)


def test_attachments_are_stored_privately_and_limited(trainee, placement, settings):
    from practicum.storage import private_root
    from practicum.uploads import MAX_ATTACHMENTS_PER_ENTRY

    from .factories import MINIMAL_PDF, jpeg_with_gps, upload

    entry = services.create_entry(
        trainee=trainee,
        placement=placement,
        data=entry_data(),
        uploads=[upload("sheet.jpg", jpeg_with_gps())],
    )
    stored = entry.attachments.get()
    path = private_root() / stored.file.name
    assert path.exists()
    assert str(private_root()) not in str(settings.MEDIA_ROOT)
    assert not str(path).startswith(str(settings.MEDIA_ROOT))
    assert b"PhoneCam" not in path.read_bytes()
    for _ in range(MAX_ATTACHMENTS_PER_ENTRY - 1):
        services.add_attachment(entry=entry, actor=trainee, upload=upload("a.pdf", MINIMAL_PDF))
    with pytest.raises(ValidationError):
        services.add_attachment(entry=entry, actor=trainee, upload=upload("b.pdf", MINIMAL_PDF))
