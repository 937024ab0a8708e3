"""Pages: who reaches what, what they see, the forms, and pinned query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from practicum import services
from practicum.models import EntryState, PracticumEntry

from .factories import EntryFactory, PlacementFactory, entry_data, jpeg_with_gps, upload


def form_post(**overrides):
    data = entry_data(**overrides)
    post = {}
    for key, value in data.items():
        if value is None:
            post[key] = ""
        elif hasattr(value, "pk"):
            post[key] = value.pk
        elif isinstance(value, datetime.time):
            post[key] = value.strftime("%H:%M")
        else:
            post[key] = str(value)
    return post


@pytest.fixture
def trainee_client(client, trainee):
    client.force_login(trainee)
    return client


def test_anonymous_is_sent_to_log_in(client):
    for name in ("practicum:my_entries", "practicum:review_queue", "practicum:overview"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_trainee_page_shows_progress_and_form(
    trainee_client, placement, django_assert_max_num_queries
):
    EntryFactory.create_batch(5, placement=placement, state=EntryState.APPROVED)
    with django_assert_max_num_queries(20):
        response = trainee_client.get(reverse("practicum:my_entries"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="progressbar"' in body and 'data-testid="entry-form"' in body
    assert "10.0 / 100.0 h" in body


def test_trainee_page_query_count_does_not_grow(
    trainee_client, placement, django_assert_max_num_queries
):
    EntryFactory.create_batch(40, placement=placement, state=EntryState.SUBMITTED)
    with django_assert_max_num_queries(20):
        assert trainee_client.get(reverse("practicum:my_entries")).status_code == 200


def test_trainee_without_placement_is_told(trainee_client):
    response = trainee_client.get(reverse("practicum:my_entries"))
    assert "no current practicum placement" in response.content.decode()


def test_trainee_logs_and_submits_an_entry_with_a_photo(trainee_client, placement):
    post = form_post()
    post["placement"] = placement.pk
    post["then"] = "submit"
    post["attachment"] = upload("sheet.jpg", jpeg_with_gps(), "image/jpeg")
    response = trainee_client.post(reverse("practicum:my_entries"), post)
    assert response.status_code == 302
    entry = PracticumEntry.objects.get()
    assert entry.state == EntryState.SUBMITTED
    assert entry.attachments.count() == 1


def test_form_shows_privacy_refusal(trainee_client, placement):
    post = form_post(description="孩子叫李浩然，今年9岁。")
    post["placement"] = placement.pk
    response = trainee_client.post(reverse("practicum:my_entries"), post)
    assert response.status_code == 400
    assert "一名9岁男孩" in response.content.decode()
    assert not PracticumEntry.objects.exists()


def test_form_shows_overlap_refusal(trainee_client, placement, trainee):
    services.create_entry(trainee=trainee, placement=placement, data=entry_data())
    post = form_post(start_time=datetime.time(10, 0), end_time=datetime.time(12, 0))
    post["placement"] = placement.pk
    response = trainee_client.post(reverse("practicum:my_entries"), post)
    assert response.status_code == 400
    assert "overlaps" in response.content.decode()


def test_trainee_cannot_open_the_review_queue(trainee_client):
    assert trainee_client.get(reverse("practicum:review_queue")).status_code == 403


def test_trainee_cannot_review_through_the_page(trainee_client, placement):
    entry = EntryFactory(placement=placement, state=EntryState.SUBMITTED)
    response = trainee_client.post(
        reverse("practicum:entry_review", args=[entry.pk]), {"action": "approve"}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.state == EntryState.SUBMITTED


def test_trainee_cannot_see_another_trainees_entry(client, other_trainee, placement):
    entry = EntryFactory(placement=placement)
    client.force_login(other_trainee)
    assert client.get(reverse("practicum:entry_detail", args=[entry.pk])).status_code == 404


def test_another_supervisor_gets_404(client, other_supervisor, placement):
    entry = EntryFactory(placement=placement, state=EntryState.SUBMITTED)
    client.force_login(other_supervisor)
    assert client.get(reverse("practicum:entry_detail", args=[entry.pk])).status_code == 404
    response = client.post(
        reverse("practicum:entry_review", args=[entry.pk]), {"action": "approve"}
    )
    assert response.status_code == 404


def test_supervisor_queue_lists_only_own_waiting_entries(
    client, supervisor, placement, other_supervisor, django_assert_max_num_queries
):
    mine = EntryFactory.create_batch(
        30, placement=placement, state=EntryState.SUBMITTED, submitted_at=timezone.now()
    )
    theirs = EntryFactory(state=EntryState.SUBMITTED, placement__supervisor=other_supervisor)
    client.force_login(supervisor)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("practicum:review_queue"))
    body = response.content.decode()
    assert f'queue-row-{mine[0].pk}"' in body
    assert f'queue-row-{theirs.pk}"' not in body
    assert "30 entries" in body


def test_queue_filters_by_trainee_and_sorts(client, supervisor):
    first = PlacementFactory(supervisor=supervisor)
    second = PlacementFactory(supervisor=supervisor)
    a = EntryFactory(placement=first, state=EntryState.SUBMITTED, submitted_at=timezone.now())
    b = EntryFactory(placement=second, state=EntryState.SUBMITTED, submitted_at=timezone.now())
    client.force_login(supervisor)
    body = client.get(
        reverse("practicum:review_queue"), {"trainee": first.trainee_id, "sort": "newest"}
    ).content.decode()
    assert f'queue-row-{a.pk}"' in body and f'queue-row-{b.pk}"' not in body


def test_queue_filters_by_waiting_age(client, supervisor, placement):
    old = EntryFactory(
        placement=placement,
        state=EntryState.SUBMITTED,
        submitted_at=timezone.now() - datetime.timedelta(days=9),
    )
    new = EntryFactory(placement=placement, state=EntryState.SUBMITTED, submitted_at=timezone.now())
    client.force_login(supervisor)
    body = client.get(reverse("practicum:review_queue"), {"waiting": 7}).content.decode()
    assert f'queue-row-{old.pk}"' in body and f'queue-row-{new.pk}"' not in body


def test_bulk_approve_page(client, supervisor, placement):
    entries = EntryFactory.create_batch(3, placement=placement, state=EntryState.SUBMITTED)
    client.force_login(supervisor)
    response = client.post(
        reverse("practicum:bulk_approve"), {"entries": [e.pk for e in entries[:2]]}
    )
    assert response.status_code == 302
    states = sorted(PracticumEntry.objects.values_list("state", flat=True))
    assert states == ["approved", "approved", "submitted"]


def test_supervisor_returns_with_comment_through_the_page(client, supervisor, placement):
    entry = EntryFactory(placement=placement, state=EntryState.SUBMITTED)
    client.force_login(supervisor)
    response = client.post(reverse("practicum:entry_review", args=[entry.pk]), {"action": "return"})
    assert response.status_code == 400
    response = client.post(
        reverse("practicum:entry_review", args=[entry.pk]),
        {"action": "return", "comment": "请补充复盘时长"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.state == EntryState.RETURNED and entry.review_comment == "请补充复盘时长"


def test_supervisor_without_two_factor_is_sent_to_set_it_up(client, placement):
    from tests.factories import make_user

    supervisor = make_user("supervisor", two_factor=False)
    client.force_login(supervisor)
    response = client.get(reverse("practicum:review_queue"))
    assert response.status_code == 302 and "totp" in response["Location"]


def test_entry_detail_shows_history(trainee_client, trainee, placement, supervisor):
    entry = services.create_entry(trainee=trainee, placement=placement, data=entry_data())
    services.submit_entry(entry=entry, actor=trainee)
    services.review_entry(entry=entry, reviewer=supervisor, action="return", comment="补充时长")
    body = trainee_client.get(reverse("practicum:entry_detail", args=[entry.pk])).content.decode()
    arrow = '<span class="dir-arrow" aria-hidden="true">→</span>'  # mirrored right to left
    assert f"Waiting for review {arrow} Returned for changes" in body and "补充时长" in body
    assert 'data-testid="submit-entry"' in body


def test_attachment_is_served_only_to_allowed_people_with_safe_headers(
    client, trainee, placement, other_trainee, supervisor, other_supervisor
):
    from .factories import MINIMAL_PDF

    entry = services.create_entry(
        trainee=trainee,
        placement=placement,
        data=entry_data(),
        uploads=[upload("a.pdf", MINIMAL_PDF), upload("b.jpg", jpeg_with_gps())],
    )
    pdf, photo = entry.attachments.order_by("pk")
    for user in (other_trainee, other_supervisor):
        client.force_login(user)
        assert client.get(reverse("practicum:attachment", args=[pdf.pk])).status_code == 404
    client.force_login(supervisor)
    response = client.get(reverse("practicum:attachment", args=[pdf.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == MINIMAL_PDF
    response = client.get(reverse("practicum:attachment", args=[photo.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert b"PhoneCam" not in b"".join(response.streaming_content)
    client.logout()
    assert client.get(reverse("practicum:attachment", args=[pdf.pk])).status_code == 302


def test_evidence_has_no_public_url(trainee, placement):
    from .factories import MINIMAL_PDF

    entry = services.create_entry(
        trainee=trainee,
        placement=placement,
        data=entry_data(),
        uploads=[upload("a.pdf", MINIMAL_PDF)],
    )
    with pytest.raises(ValueError):
        entry.attachments.get().file.url  # noqa: B018


def test_ledger_and_pdf_for_trainee_supervisor_and_coordinator(
    client,
    trainee,
    placement,
    supervisor,
    district_coordinator,
    other_district_coordinator,
    other_supervisor,
    django_assert_max_num_queries,
):
    EntryFactory.create_batch(10, placement=placement, state=EntryState.APPROVED)
    url = reverse("practicum:ledger", args=[trainee.pk, "counsellor"])
    for user in (trainee, supervisor, district_coordinator):
        client.force_login(user)
        with django_assert_max_num_queries(18):
            response = client.get(url)
        assert response.status_code == 200
        assert 'data-testid="approved-total">20.0<' in response.content.decode()
    for user in (other_supervisor, other_district_coordinator):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(trainee)
    response = client.get(reverse("practicum:record_pdf", args=[trainee.pk, "counsellor"]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content[:5] == b"%PDF-"


def test_ledger_query_count_does_not_grow(
    client, trainee, placement, django_assert_max_num_queries
):
    EntryFactory.create_batch(60, placement=placement, state=EntryState.APPROVED)
    client.force_login(trainee)
    with django_assert_max_num_queries(18):
        client.get(reverse("practicum:ledger", args=[trainee.pk, "counsellor"]))


def test_coordinator_overview_is_scoped(
    client,
    placement,
    other_district,
    district_coordinator,
    other_district_coordinator,
    supervisor,
    django_assert_max_num_queries,
):
    from tests.factories import make_user

    elsewhere = PlacementFactory(trainee=make_user("trainee", district=other_district))
    EntryFactory(
        placement=placement,
        state=EntryState.SUBMITTED,
        submitted_at=timezone.now() - datetime.timedelta(days=15),
    )
    client.force_login(district_coordinator)
    with django_assert_max_num_queries(16):
        body = client.get(reverse("practicum:overview")).content.decode()
    assert f'overview-row-{placement.pk}"' in body
    assert f'overview-row-{elsewhere.pk}"' not in body
    client.force_login(other_district_coordinator)
    body = client.get(reverse("practicum:overview")).content.decode()
    assert f'overview-row-{placement.pk}"' not in body


def test_supervisor_and_trainee_cannot_open_the_overview(client, supervisor, trainee):
    for user in (supervisor, trainee):
        client.force_login(user)
        assert client.get(reverse("practicum:overview")).status_code == 403


def test_coordinator_creates_and_reassigns_a_placement(
    client, coordinator, trainee, supervisor, other_supervisor
):
    client.force_login(coordinator)
    response = client.post(
        reverse("practicum:placement_create"),
        {
            "trainee_username": trainee.username,
            "supervisor": supervisor.pk,
            "qualification": "counsellor",
            "start_date": "2026-03-01",
        },
    )
    assert response.status_code == 302
    placement = trainee.practicum_placements.get()
    response = client.post(
        reverse("practicum:placement_reassign", args=[placement.pk]),
        {"supervisor": other_supervisor.pk, "reason": "工作调整"},
    )
    assert response.status_code == 302
    assert trainee.practicum_placements.current().get().supervisor == other_supervisor


def test_evaluation_pages(client, supervisor, placement, trainee):
    client.force_login(supervisor)
    response = client.post(
        reverse("practicum:evaluation_start", args=[placement.pk]), {"stage": "midterm"}
    )
    evaluation = placement.evaluations.get()
    assert response["Location"] == reverse("practicum:evaluation", args=[evaluation.pk])
    # The trainee does not see a draft.
    client.force_login(trainee)
    assert client.get(response["Location"]).status_code == 404
    client.force_login(supervisor)
    data = {f"rating_{r.rubric_item_id}": 4 for r in evaluation.ratings.all()}
    data.update(sign="1", signed_name="陈静", confirm="on")
    # "Sign" on the ratings page saves them and opens the confirmation page; it never signs.
    saved = client.post(response["Location"], data)
    assert saved["Location"] == reverse("practicum:evaluation_sign", args=[evaluation.pk])
    evaluation.refresh_from_db()
    assert not evaluation.is_signed
    page = client.get(saved["Location"]).content.decode()
    assert 'data-passed="true"' in page and "Pass rule:" in page
    signed = client.post(
        saved["Location"], {"signed_name": "陈静", "confirm": "on", "expected": "pass"}
    )
    assert signed["Location"] == response["Location"]
    evaluation.refresh_from_db()
    assert evaluation.is_signed and evaluation.passed
    client.force_login(trainee)
    body = client.get(response["Location"]).content.decode()
    assert "陈静" in body and 'data-testid="evaluation-result"' in body


def test_signed_evaluation_page_refuses_changes(client, supervisor, placement):
    evaluation = services.start_evaluation(
        placement=placement, supervisor=supervisor, stage="final"
    )
    services.save_evaluation(
        evaluation=evaluation,
        supervisor=supervisor,
        ratings={r.rubric_item_id: (4, "") for r in evaluation.ratings.all()},
    )
    services.sign_evaluation(evaluation=evaluation, supervisor=supervisor, signed_name="陈静")
    client.force_login(supervisor)
    url = reverse("practicum:evaluation", args=[evaluation.pk])
    assert client.post(url, {"overall_comment": "x"}).status_code == 403


def test_administrator_edits_the_rules_in_the_cms(client, administrator):
    from practicum.models import PracticumRequirement, RubricItem

    client.force_login(administrator)
    requirement = PracticumRequirement.objects.get(qualification="counsellor")
    rubric_item = RubricItem.objects.first()
    for url in (
        "/cms/snippets/practicum/practicumrequirement/",
        f"/cms/snippets/practicum/practicumrequirement/edit/{requirement.pk}/",
        "/cms/snippets/practicum/activitytype/",
        f"/cms/snippets/practicum/rubricitem/edit/{rubric_item.pk}/",
        "/cms/settings/practicum/practicumsettings/",
    ):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert "/cms/" in response.request["PATH_INFO"]


def test_coordinator_dashboard_links_to_the_overview(client, coordinator):
    from home.selectors import role_destinations

    urls = [d.url for _, group in role_destinations(coordinator) for d in group]
    assert reverse("practicum:overview") in urls


def test_empty_participant_counts_mean_none(trainee_client, placement):
    from .factories import activity

    post = form_post(activity_type=activity("supervision"))
    post.update(placement=placement.pk, children_6_11="", teachers="", caregivers="")
    response = trainee_client.post(reverse("practicum:my_entries"), post)
    assert response.status_code == 302
    entry = PracticumEntry.objects.get()
    assert entry.participants_total == 0 and entry.service_kind == "indirect"
