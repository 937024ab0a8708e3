"""Matching: every hard constraint excludes with its reason; soft costs rank; fixed queries."""

import datetime

import pytest

from lecturer_corps import selectors
from lecturer_corps.models import SessionStatus, UnavailablePeriod, availability_bit
from lecturer_corps.tests.factories import (
    give_certificate,
    make_lecturer,
    make_request,
    make_session,
    next_weekday,
)

pytestmark = pytest.mark.django_db


def _ranking(request):
    return selectors.rank_candidates(request)


def _excluded_codes(ranking, user_id):
    for exclusion in ranking.exclusions:
        if exclusion.user_id == user_id:
            return exclusion.codes
    return None


def _candidate_ids(ranking):
    return [c.user_id for c in ranking.candidates]


def test_a_qualified_lecturer_is_a_candidate_with_reasons(venue):
    profile = make_lecturer()
    ranking = _ranking(make_request(venue=venue))
    assert _candidate_ids(ranking) == [profile.user_id]
    codes = [reason.code for reason in ranking.candidates[0].reasons]
    assert codes[:5] == ["certificate", "experience", "language", "distance", "workload"]


def test_reason_text_reads_like_the_issue_example(venue):
    profile = make_lecturer(languages=["zh", "ug"], certificates=("counsellor",))
    give_certificate(profile.user, "family_educator", expires_on=datetime.date(2029, 5, 31))
    long_ago = next_weekday(weeks_ahead=-20)
    for week in range(4):
        past = make_request(
            venue=venue, topic="caregiver_01", date=long_ago + datetime.timedelta(weeks=week)
        )
        make_session(past, profile.user, status=SessionStatus.VERIFIED)
    request = make_request(
        venue=venue, topic="caregiver_01", language="ug", date=datetime.date(2029, 4, 17)
    )
    text = _ranking(request).candidates[0].reason_text
    assert text.startswith(
        "valid family-education instructor certificate until 2029-05; "
        "taught this course 4 times; speaks Uyghur; "
    )
    assert text.endswith(" km; 0 sessions this month; has served this venue before")


def test_no_certificate_excludes(venue):
    profile = make_lecturer(certificates=())
    ranking = _ranking(make_request(venue=venue))
    assert _excluded_codes(ranking, profile.user_id) == [selectors.NO_CERTIFICATE]
    assert "no valid psychological counsellor certificate on" in ranking.exclusions[0].reason_text


def test_certificate_of_the_wrong_kind_excludes(venue):
    profile = make_lecturer(certificates=("family_educator",))
    ranking = _ranking(make_request(venue=venue, topic="child_02"))
    assert _excluded_codes(ranking, profile.user_id) == [selectors.NO_CERTIFICATE]


def test_certificate_valid_today_but_expired_on_the_session_date_excludes(venue):
    session_day = next_weekday(weeks_ahead=3)
    profile = make_lecturer(certificates=())
    give_certificate(
        profile.user, "counsellor", expires_on=session_day - datetime.timedelta(days=1)
    )
    ranking = _ranking(make_request(venue=venue, date=session_day))
    assert _excluded_codes(ranking, profile.user_id) == [selectors.NO_CERTIFICATE]


def test_certificate_expiring_on_the_session_date_still_counts(venue):
    session_day = next_weekday(weeks_ahead=3)
    profile = make_lecturer(certificates=())
    give_certificate(profile.user, "counsellor", expires_on=session_day)
    assert _candidate_ids(_ranking(make_request(venue=venue, date=session_day))) == [
        profile.user_id
    ]


def test_certificate_starting_after_the_session_date_excludes(venue):
    session_day = next_weekday(weeks_ahead=2)
    profile = make_lecturer(certificates=())
    give_certificate(
        profile.user, "counsellor", valid_from=session_day + datetime.timedelta(days=1)
    )
    ranking = _ranking(make_request(venue=venue, date=session_day))
    assert _excluded_codes(ranking, profile.user_id) == [selectors.NO_CERTIFICATE]


def test_revoked_certificate_excludes(venue):
    profile = make_lecturer(certificates=())
    give_certificate(profile.user, "counsellor", status="revoked")
    ranking = _ranking(make_request(venue=venue))
    assert _excluded_codes(ranking, profile.user_id) == [selectors.NO_CERTIFICATE]


def test_topic_not_offered_excludes(venue):
    profile = make_lecturer(topics=["child_02"])
    ranking = _ranking(make_request(venue=venue, topic="child_01"))
    assert selectors.TOPIC_NOT_OFFERED in _excluded_codes(ranking, profile.user_id)


def test_course_not_completed_excludes(venue):
    profile = make_lecturer(topics=["child_01"], completed=[])
    ranking = _ranking(make_request(venue=venue))
    assert _excluded_codes(ranking, profile.user_id) == [selectors.COURSE_NOT_COMPLETED]
    assert "has not completed the course “我是有能力的小公民”" in ranking.exclusions[0].reason_text


def test_language_excludes(venue):
    profile = make_lecturer(languages=["zh"])
    ranking = _ranking(make_request(venue=venue, language="ug"))
    assert _excluded_codes(ranking, profile.user_id) == [selectors.LANGUAGE]
    assert "does not speak Uyghur" in ranking.exclusions[0].reason_text


def test_weekly_availability_excludes(venue):
    tuesday = next_weekday(1)
    mornings_only = sum(availability_bit(day, 0) for day in range(7))
    profile = make_lecturer(weekly_availability=mornings_only)
    afternoon = make_request(
        venue=venue, date=tuesday, start=datetime.time(14, 0), end=datetime.time(16, 0)
    )
    assert _excluded_codes(_ranking(afternoon), profile.user_id) == [selectors.WEEKLY_AVAILABILITY]
    morning = make_request(venue=venue, date=tuesday)
    assert _candidate_ids(_ranking(morning)) == [profile.user_id]


def test_a_session_across_noon_needs_both_half_days(venue):
    mornings_only = sum(availability_bit(day, 0) for day in range(7))
    profile = make_lecturer(weekly_availability=mornings_only)
    request = make_request(venue=venue, start=datetime.time(11, 0), end=datetime.time(13, 0))
    assert _excluded_codes(_ranking(request), profile.user_id) == [selectors.WEEKLY_AVAILABILITY]


def test_unavailable_date_excludes_with_the_note(venue):
    day = next_weekday()
    profile = make_lecturer()
    UnavailablePeriod.objects.create(profile=profile, starts_on=day, ends_on=day, note="培训")
    ranking = _ranking(make_request(venue=venue, date=day))
    assert _excluded_codes(ranking, profile.user_id) == [selectors.UNAVAILABLE_DATE]
    assert "培训" in ranking.exclusions[0].reason_text


def test_monthly_cap_excludes(venue):
    day = next_weekday(weeks_ahead=5).replace(day=20)
    profile = make_lecturer(monthly_cap=2)
    for hour in (8, 14):
        make_session(
            make_request(
                venue=venue,
                date=day.replace(day=3),
                start=datetime.time(hour, 0),
                end=datetime.time(hour + 2, 0),
            ),
            profile.user,
        )
    ranking = _ranking(make_request(venue=venue, date=day))
    assert _excluded_codes(ranking, profile.user_id) == [selectors.MONTHLY_CAP]
    assert "monthly cap 2" in ranking.exclusions[0].reason_text


def test_a_cancelled_session_does_not_count_toward_the_cap(venue):
    day = next_weekday(weeks_ahead=5).replace(day=20)
    profile = make_lecturer(monthly_cap=1)
    make_session(
        make_request(venue=venue, date=day.replace(day=3)),
        profile.user,
        status=SessionStatus.CANCELLED,
    )
    assert _candidate_ids(_ranking(make_request(venue=venue, date=day))) == [profile.user_id]


def test_overlap_with_another_session_excludes(venue, far_venue):
    day = next_weekday()
    profile = make_lecturer()
    make_session(
        make_request(
            venue=far_venue, date=day, start=datetime.time(10, 0), end=datetime.time(12, 0)
        ),
        profile.user,
    )
    ranking = _ranking(make_request(venue=venue, date=day))
    assert selectors.OVERLAP in _excluded_codes(ranking, profile.user_id)
    assert "already booked 10:00–12:00 at 远镇农场" in ranking.exclusions[0].reason_text


def test_too_little_travel_time_between_venues_excludes(venue, far_venue):
    day = next_weekday()
    profile = make_lecturer()
    # Ends 11:00 at a farm ~80 km by road away; the new session starts 12:00 (60 min gap).
    make_session(
        make_request(
            venue=far_venue, date=day, start=datetime.time(9, 0), end=datetime.time(11, 0)
        ),
        profile.user,
    )
    request = make_request(
        venue=venue, date=day, start=datetime.time(12, 0), end=datetime.time(14, 0)
    )
    ranking = _ranking(request)
    assert _excluded_codes(ranking, profile.user_id) == [selectors.TRAVEL_TIME]
    assert "to travel from 远镇农场" in ranking.exclusions[0].reason_text


def test_enough_travel_time_between_venues_is_allowed(venue, far_venue):
    day = next_weekday()
    profile = make_lecturer()
    make_session(
        make_request(
            venue=far_venue, date=day, start=datetime.time(8, 0), end=datetime.time(10, 0)
        ),
        profile.user,
    )
    request = make_request(
        venue=venue, date=day, start=datetime.time(14, 0), end=datetime.time(16, 0)
    )
    assert _candidate_ids(_ranking(request)) == [profile.user_id]


def test_back_to_back_at_the_same_venue_is_allowed(venue):
    day = next_weekday()
    profile = make_lecturer()
    make_session(make_request(venue=venue, date=day), profile.user)
    request = make_request(
        venue=venue, date=day, start=datetime.time(11, 0), end=datetime.time(13, 0)
    )
    assert _candidate_ids(_ranking(request)) == [profile.user_id]


def test_paused_lecturer_is_excluded(venue):
    profile = make_lecturer(is_active=False)
    ranking = _ranking(make_request(venue=venue))
    assert _excluded_codes(ranking, profile.user_id) == [selectors.PAUSED]


def test_a_lecturer_who_declined_is_not_proposed_again(venue):
    profile = make_lecturer()
    request = make_request(venue=venue)
    make_session(request, profile.user, status=SessionStatus.DECLINED)
    assert _excluded_codes(_ranking(request), profile.user_id) == [selectors.DECLINED]


def test_every_failed_constraint_is_listed(venue):
    profile = make_lecturer(certificates=(), languages=["zh"], is_active=False)
    ranking = _ranking(make_request(venue=venue, language="ug"))
    assert set(_excluded_codes(ranking, profile.user_id)) == {
        selectors.PAUSED,
        selectors.NO_CERTIFICATE,
        selectors.LANGUAGE,
    }
    assert len(ranking.exclusions[0].reasons) == 3


def test_nearer_lecturer_ranks_first(venue):
    far = make_lecturer(latitude=42.80, longitude=88.50)
    near = make_lecturer(latitude=42.95, longitude=89.18)
    assert _candidate_ids(_ranking(make_request(venue=venue))) == [near.user_id, far.user_id]


def test_workload_fairness_ranks_the_less_busy_first(venue):
    day = next_weekday(weeks_ahead=5).replace(day=20)
    busy = make_lecturer(monthly_cap=8)
    idle = make_lecturer(monthly_cap=8, latitude=42.96, longitude=89.20)  # ~2 km farther
    for d in (2, 3, 4):
        make_session(make_request(venue=venue, date=day.replace(day=d)), busy.user)
    ranking = _ranking(make_request(venue=venue, date=day))
    assert _candidate_ids(ranking) == [idle.user_id, busy.user_id]
    assert "3 sessions this month" in ranking.candidates[1].reason_text


def test_series_continuity_prefers_the_series_lecturer(venue):
    import uuid

    series = uuid.uuid4()
    day = next_weekday()
    regular = make_lecturer(latitude=42.99, longitude=89.30)  # ~13 km farther
    make_lecturer()
    first = make_request(venue=venue, date=day, series=series, series_index=1)
    make_session(first, regular.user)
    second = make_request(
        venue=venue, date=day + datetime.timedelta(weeks=1), series=series, series_index=2
    )
    ranking = _ranking(second)
    assert ranking.candidates[0].user_id == regular.user_id
    assert "already teaches this series" in ranking.candidates[0].reason_text


def test_lecturer_preferences_lower_the_rank(venue):
    picky = make_lecturer(preferred_venue_types=["farm"])
    plain = make_lecturer(latitude=42.96, longitude=89.20)
    ranking = _ranking(make_request(venue=venue))
    assert _candidate_ids(ranking) == [plain.user_id, picky.user_id]
    assert "prefers other kinds of venue" in ranking.candidates[1].reason_text


def test_hard_constraint_failures_for_one_lecturer(venue):
    profile = make_lecturer(languages=["zh"])
    failures = selectors.hard_constraint_failures(
        make_request(venue=venue, language="ug"), profile.user
    )
    assert [f.code for f in failures] == [selectors.LANGUAGE]


def test_matching_runs_a_fixed_number_of_queries(venue, django_assert_max_num_queries):
    request = make_request(venue=venue)
    make_lecturer()
    with django_assert_max_num_queries(12) as one:
        selectors.rank_candidates(request)
    for _ in range(8):
        make_lecturer()
    with django_assert_max_num_queries(12) as many:
        ranking = selectors.rank_candidates(request)
    assert len(ranking.candidates) == 9
    assert len(many.captured_queries) == len(one.captured_queries)
