"""The supervising expert's review flow: descriptions and age in the queue, one trainee's
entries together, approve/return and go to the next, keyboard-friendly decisions."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from practicum import selectors
from practicum.models import EntryState, PracticumEntry

from .factories import EntryFactory, PlacementFactory

NOW = timezone.make_aware(datetime.datetime(2026, 11, 20, 9, 0))


def waiting_entries(placement, count, *, first_submitted=NOW, description="带领儿童开展团体辅导"):
    """``count`` submitted entries, submitted an hour apart (the oldest first)."""
    return [
        EntryFactory(
            placement=placement,
            state=EntryState.SUBMITTED,
            submitted_at=first_submitted + datetime.timedelta(hours=index),
            description=f"{description}（第{index + 1}次）",
            date=first_submitted.date() - datetime.timedelta(days=index + 1),
        )
        for index in range(count)
    ]


@pytest.fixture
def supervisor_client(client, supervisor):
    client.force_login(supervisor)
    return client


def test_queue_shows_a_truncated_description_and_the_age(
    supervisor_client, placement, time_machine
):
    time_machine.move_to(NOW + datetime.timedelta(days=3, hours=2), tick=False)
    long_text = "在小学四年级开展情绪主题团体辅导，" * 20
    EntryFactory(
        placement=placement, state=EntryState.SUBMITTED, submitted_at=NOW, description=long_text
    )
    body = supervisor_client.get(reverse("practicum:review_queue")).content.decode()
    assert 'data-testid="queue-excerpt"' in body
    assert long_text[:60] in body and long_text not in body  # cut, not whole
    assert "3 days" in body


def test_queue_says_since_today_for_an_entry_submitted_today(
    supervisor_client, placement, time_machine
):
    time_machine.move_to(NOW + datetime.timedelta(hours=5), tick=False)
    waiting_entries(placement, 1)
    assert (
        "since today" in supervisor_client.get(reverse("practicum:review_queue")).content.decode()
    )


def test_queue_query_count_does_not_grow_with_descriptions(
    supervisor_client, supervisor, django_assert_max_num_queries
):
    for _ in range(3):
        waiting_entries(PlacementFactory(supervisor=supervisor), 10)
    with django_assert_max_num_queries(16):
        response = supervisor_client.get(reverse("practicum:review_queue"))
    assert response.content.decode().count('data-testid="queue-excerpt"') == 25


def test_approve_and_next_opens_the_next_waiting_entry(supervisor_client, placement):
    first, second, third = waiting_entries(placement, 3)
    page = supervisor_client.get(reverse("practicum:entry_detail", args=[first.pk]))
    body = page.content.decode()
    assert "1 of 3 entries waiting for your review" in body
    assert 'accesskey="a"' in body and "autofocus" in body
    response = supervisor_client.post(
        reverse("practicum:entry_review", args=[first.pk]), {"action": "approve", "then": "next"}
    )
    assert response["Location"] == reverse("practicum:entry_detail", args=[second.pk])
    first.refresh_from_db()
    assert first.state == EntryState.APPROVED
    # Returning needs a comment; with it, the next one opens.
    response = supervisor_client.post(
        reverse("practicum:entry_review", args=[second.pk]),
        {"action": "return", "comment": "请补充活动目标。", "then": "next"},
    )
    assert response["Location"] == reverse("practicum:entry_detail", args=[third.pk])
    second.refresh_from_db()
    assert second.state == EntryState.RETURNED and second.review_comment == "请补充活动目标。"


def test_the_last_decision_goes_back_to_the_queue_saying_nothing_is_left(
    supervisor_client, placement
):
    (only,) = waiting_entries(placement, 1)
    response = supervisor_client.post(
        reverse("practicum:entry_review", args=[only.pk]),
        {"action": "approve", "then": "next"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("practicum:review_queue")
    assert "Nothing else is waiting for your review." in response.content.decode()


def test_returning_without_a_comment_is_refused_and_stays_on_the_entry(
    supervisor_client, placement
):
    first, _second = waiting_entries(placement, 2)
    response = supervisor_client.post(
        reverse("practicum:entry_review", args=[first.pk]), {"action": "return", "then": "next"}
    )
    assert response.status_code == 400
    assert "Say what needs to change, or why." in response.content.decode()
    first.refresh_from_db()
    assert first.state == EntryState.SUBMITTED


def test_going_through_one_trainee_keeps_to_that_trainee(supervisor_client, supervisor, placement):
    other = PlacementFactory(supervisor=supervisor)
    # The other trainee's entry waits longest, but is not theirs.
    waiting_entries(other, 1, first_submitted=NOW - datetime.timedelta(days=5))
    first, second = waiting_entries(placement, 2)
    trainee_id = placement.trainee_id
    body = supervisor_client.get(
        reverse("practicum:entry_detail", args=[first.pk]) + f"?trainee={trainee_id}"
    ).content.decode()
    assert "1 of 2 entries of" in body
    response = supervisor_client.post(
        reverse("practicum:entry_review", args=[first.pk]),
        {"action": "approve", "then": "next", "trainee": trainee_id},
    )
    assert response["Location"] == (
        reverse("practicum:entry_detail", args=[second.pk]) + f"?trainee={trainee_id}"
    )
    response = supervisor_client.post(
        reverse("practicum:entry_review", args=[second.pk]),
        {"action": "approve", "then": "next", "trainee": trainee_id},
    )
    assert response["Location"] == reverse("practicum:trainee_review", args=[trainee_id])


def test_next_waiting_entry_wraps_round_and_never_offers_the_same_entry(supervisor, placement):
    first, second, third = waiting_entries(placement, 3)
    assert selectors.next_waiting_entry(supervisor) == first.pk
    assert selectors.next_waiting_entry(supervisor, after=second) == third.pk
    # Skipping the last one comes back to the oldest; the skipped one is not offered.
    assert selectors.next_waiting_entry(supervisor, after=third) == first.pk
    PracticumEntry.objects.exclude(pk=third.pk).update(state=EntryState.APPROVED)
    assert selectors.next_waiting_entry(supervisor, after=third) is None


def test_an_expert_cannot_review_another_experts_entry_through_the_flow(
    client, other_supervisor, placement
):
    (entry,) = waiting_entries(placement, 1)
    client.force_login(other_supervisor)
    response = client.post(
        reverse("practicum:entry_review", args=[entry.pk]), {"action": "approve", "then": "next"}
    )
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.state == EntryState.SUBMITTED


def test_reviewing_forty_entries_without_returning_to_the_list(supervisor_client, placement):
    entries = waiting_entries(placement, 40)
    url = reverse("practicum:entry_detail", args=[entries[0].pk])
    for index in range(40):
        assert url == reverse("practicum:entry_detail", args=[entries[index].pk])
        response = supervisor_client.post(
            reverse("practicum:entry_review", args=[entries[index].pk]),
            {"action": "approve", "then": "next"},
        )
        url = response["Location"]
    assert url == reverse("practicum:review_queue")
    assert PracticumEntry.objects.filter(state=EntryState.APPROVED).count() == 40


# --- one trainee's entries together ----------------------------------------------------


def test_trainee_page_shows_every_waiting_entry_in_full_with_hours(
    supervisor_client, placement, django_assert_max_num_queries
):
    entries = waiting_entries(placement, 12, description="完整描述" * 60)
    EntryFactory.create_batch(3, placement=placement, state=EntryState.APPROVED)
    with django_assert_max_num_queries(18):
        response = supervisor_client.get(
            reverse("practicum:trainee_review", args=[placement.trainee_id])
        )
    body = response.content.decode()
    assert response.status_code == 200
    assert all(f'data-testid="together-{e.pk}"' in body for e in entries)
    assert "完整描述" * 60 in body  # whole, not cut
    assert 'role="progressbar"' in body
    assert "12 entries are waiting for your review." in body
    assert f"?trainee={placement.trainee_id}" in body


def test_trainee_page_refuses_someone_elses_trainee(client, other_supervisor, trainee, placement):
    client.force_login(other_supervisor)
    url = reverse("practicum:trainee_review", args=[trainee.pk])
    assert client.get(url).status_code == 404
    client.force_login(trainee)
    assert client.get(url).status_code == 403


def test_bulk_approve_from_the_trainee_page_comes_back_to_it(supervisor_client, placement):
    first, second = waiting_entries(placement, 2)
    response = supervisor_client.post(
        reverse("practicum:bulk_approve"),
        {"entries": [first.pk, second.pk], "trainee": placement.trainee_id},
    )
    assert response["Location"] == reverse("practicum:trainee_review", args=[placement.trainee_id])
    assert set(PracticumEntry.objects.values_list("state", flat=True)) == {EntryState.APPROVED}


def test_my_trainees_links_each_trainees_entries_and_shared_reflections(
    supervisor_client, placement
):
    waiting_entries(placement, 2)
    body = supervisor_client.get(reverse("practicum:my_trainees")).content.decode()
    assert reverse("practicum:trainee_review", args=[placement.trainee_id]) in body
    assert "Entries (2 waiting)" in body
    assert f"/learn/reflections/shared/?trainee={placement.trainee_id}" in body
