"""Pages: the trainee's checklist, certificate pages, public verification, coordinator pages."""

import datetime

import pytest
from django.urls import reverse

from accounts import roles
from certification import services
from certification.models import Certificate, IssueMode, IssueRequest
from certification.tests.factories import (
    ALL_INITIAL,
    CertificationTypeFactory,
    add_requirements,
    make_certificate,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def counsellor(db):
    return add_requirements(CertificationTypeFactory(), *ALL_INITIAL)


def test_checklist_shows_what_is_missing(client, trainee, counsellor, sources):
    sources.completed[trainee.pk] = {1: datetime.date(2027, 1, 1), 2: datetime.date(2027, 1, 2)}
    client.force_login(trainee)
    response = client.get(reverse("certification:my_certifications"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 of 3 required courses" in html
    assert "Final evaluation pending" in html
    assert "Get my certificate" not in html


def test_checklist_query_count_is_fixed(
    client, trainee, counsellor, sources, django_assert_max_num_queries
):
    make_certificate(trainee, counsellor)
    client.force_login(trainee)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("certification:my_certifications")).status_code == 200


def test_checklist_needs_log_in(client):
    response = client.get(reverse("certification:my_certifications"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_eligible_trainee_claims_and_downloads(client, trainee, counsellor, sources):
    sources.make_eligible(trainee)
    client.force_login(trainee)
    response = client.post(reverse("certification:claim", args=["counsellor"]))
    certificate = Certificate.objects.get(holder=trainee)
    assert response.status_code == 302
    assert response["Location"] == reverse("certification:detail", args=[certificate.serial])
    pdf = client.get(reverse("certification:pdf", args=[certificate.serial]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_claim_when_not_eligible_shows_why(client, trainee, counsellor, sources):
    client.force_login(trainee)
    response = client.post(reverse("certification:claim", args=["counsellor"]), follow=True)
    assert "Not all requirements are met" in response.content.decode()
    assert not Certificate.objects.exists()


def test_claim_for_approval_type_waits_for_coordinator(client, trainee, counsellor, sources):
    counsellor.issue_mode = IssueMode.APPROVAL
    counsellor.save()
    sources.make_eligible(trainee)
    client.force_login(trainee)
    response = client.post(reverse("certification:claim", args=["counsellor"]), follow=True)
    assert "waiting for a coordinator" in response.content.decode()
    assert IssueRequest.objects.filter(trainee=trainee).count() == 1


def test_others_cannot_see_or_download_a_certificate(client, trainee, other_trainee):
    certificate = make_certificate(trainee)
    client.force_login(other_trainee)
    for name in ("detail", "pdf", "credential"):
        assert (
            client.get(reverse(f"certification:{name}", args=[certificate.serial])).status_code
            == 404
        )


def test_coordinator_in_scope_sees_holder_certificate(client, trainee, district_coordinator):
    certificate = make_certificate(trainee)
    client.force_login(district_coordinator)
    response = client.get(reverse("certification:detail", args=[certificate.serial]))
    assert response.status_code == 200 and "Revoke" in response.content.decode()


def test_credential_download_is_a_vc_jwt(client, trainee):
    certificate = make_certificate(trainee)
    client.force_login(trainee)
    response = client.get(reverse("certification:credential", args=[certificate.serial]))
    assert response["Content-Type"] == "application/vc+jwt"
    assert response.content.count(b".") == 2


@pytest.mark.parametrize(
    ("setup", "status", "text"),
    [
        ("valid", 200, "This certificate is valid."),
        ("expired", 200, "This certificate has expired."),
        ("revoked", 200, "This certificate has been revoked."),
    ],
)
def test_verification_page_states(client, trainee, coordinator, setup, status, text):
    valid_from = datetime.date(2020, 1, 1) if setup == "expired" else datetime.date.today()
    certificate = make_certificate(trainee, valid_from=valid_from)
    if setup == "revoked":
        services.revoke_certificate(
            certificate=certificate, revoked_by=coordinator, reason="材料不实"
        )
    response = client.get(reverse("certification:verify", args=[certificate.verification_code]))
    html = response.content.decode()
    assert response.status_code == status and text in html
    assert certificate.holder_name in html and certificate.serial in html
    if setup == "revoked":
        assert "材料不实" in html


def test_verification_page_shows_nothing_private(client, trainee):
    trainee.mobile = "13912345678"
    trainee.save()
    certificate = make_certificate(trainee)
    other = make_certificate(
        trainee, CertificationTypeFactory(code="family_educator", serial_prefix="FE")
    )
    html = client.get(
        reverse("certification:verify", args=[certificate.verification_code])
    ).content.decode()
    assert trainee.email not in html and "13912345678" not in html
    assert other.serial not in html and trainee.username not in html


def test_verification_of_unknown_code(client):
    response = client.get(reverse("certification:verify", args=["not-a-real-code"]))
    assert response.status_code == 404
    assert "No certificate has this verification code." in response.content.decode()


def test_verification_is_rate_limited(client, settings, trainee):
    settings.CERTIFICATE_VERIFY_RATE = "3/m"
    certificate = make_certificate(trainee)
    url = reverse("certification:verify", args=[certificate.verification_code])
    statuses = [client.get(url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_verification_page_after_reissue_says_replaced(client, trainee, coordinator):
    old = make_certificate(trainee)
    new = services.reissue_certificate(certificate=old, reissued_by=coordinator, reason="更名")
    html = client.get(
        reverse("certification:verify", args=[old.verification_code])
    ).content.decode()
    assert "revoked" in html and "Replaced by a reissued version" in html
    html = client.get(
        reverse("certification:verify", args=[new.verification_code])
    ).content.decode()
    assert "This certificate is valid." in html and new.display_serial in html


def test_jwks_is_public(client):
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200 and response.json()["keys"][0]["crv"] == "Ed25519"


@pytest.mark.parametrize(
    "name", ["manage", "pending", "certificate_list", "expiring", "cohort_issue"]
)
def test_coordinator_pages_refuse_trainees_and_anonymous(client, trainee, name):
    url = reverse(f"certification:{name}")
    assert client.get(url).status_code == 302
    client.force_login(trainee)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "name", ["manage", "pending", "certificate_list", "expiring", "cohort_issue"]
)
def test_coordinator_pages_open_for_coordinator(client, coordinator, name, trainee):
    make_certificate(trainee)
    client.force_login(coordinator)
    assert client.get(reverse(f"certification:{name}")).status_code == 200


def test_coordinator_revokes_through_the_page(client, trainee, district_coordinator):
    certificate = make_certificate(trainee)
    client.force_login(district_coordinator)
    url = reverse("certification:revoke", args=[certificate.serial])
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "违反职业伦理", "confirm": "on"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "revoked"


def test_other_district_coordinator_cannot_revoke(client, trainee, other_district_coordinator):
    certificate = make_certificate(trainee)
    client.force_login(other_district_coordinator)
    url = reverse("certification:revoke", args=[certificate.serial])
    assert client.post(url, {"reason": "x"}).status_code == 404
    certificate.refresh_from_db()
    assert certificate.status == "active"


def test_coordinator_reissues_with_corrected_name(client, trainee, coordinator):
    certificate = make_certificate(trainee)
    client.force_login(coordinator)
    url = reverse("certification:reissue", args=[certificate.serial])
    response = client.post(url, {"reason": "姓名有误", "holder_name": "李娜（更正）"})
    new = Certificate.objects.get(version=2)
    assert response["Location"] == reverse("certification:detail", args=[new.display_serial])
    assert new.holder_name == "李娜（更正）"


def test_coordinator_approves_from_pending_page(client, trainee, coordinator, counsellor, sources):
    counsellor.issue_mode = IssueMode.APPROVAL
    counsellor.save()
    sources.make_eligible(trainee)
    issue_request = services.claim_certificate(trainee=trainee, certification=counsellor)
    client.force_login(coordinator)
    assert "pending-request" in client.get(reverse("certification:pending")).content.decode()
    client.post(reverse("certification:decide", args=[issue_request.pk, "approve"]))
    assert Certificate.objects.filter(holder=trainee).exists()


def test_expiring_page_lists_certificates_expiring_soon(client, trainee, coordinator):
    certificate = make_certificate(trainee)
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_on=datetime.date.today() + datetime.timedelta(days=20)
    )
    client.force_login(coordinator)
    assert certificate.serial in client.get(reverse("certification:expiring")).content.decode()


def test_cohort_issue_page_shows_table_and_starts_job(
    client, coordinator, counsellor, sources, district, django_capture_on_commit_callbacks
):
    from courses.models import Cohort, CohortMembership

    cohort = Cohort.objects.create(
        name="第一期", starts_on=datetime.date(2027, 1, 1), ends_on=datetime.date(2027, 6, 1)
    )
    people = [make_user(roles.TRAINEE, username=f"m{i}", district=district) for i in range(3)]
    for person in people:
        CohortMembership.objects.create(cohort=cohort, user=person)
    sources.make_eligible(people[0])
    sources.make_eligible(people[1])
    client.force_login(coordinator)
    url = reverse("certification:cohort_issue")
    page = client.get(url, {"certification": counsellor.pk, "cohort": cohort.pk})
    assert "2 members can be issued a certificate" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"certification": counsellor.pk, "cohort": cohort.pk})
    assert response.status_code == 302
    progress = client.get(response["Location"] + "progress.json").json()
    assert progress["total"] == 2 and progress["counts"]["issued"] == 2 and progress["finished"]
    assert client.get(response["Location"]).status_code == 200


def test_job_of_another_district_is_hidden(
    client, coordinator, other_district_coordinator, counsellor, sources, district
):
    from django.contrib.auth import get_user_model

    person = make_user(roles.TRAINEE, username="j1", district=district)
    sources.make_eligible(person)
    job = services.start_bulk_issue(
        certification=counsellor,
        users=get_user_model().objects.filter(pk=person.pk),
        started_by=coordinator,
    )
    client.force_login(other_district_coordinator)
    assert client.get(reverse("certification:job_progress", args=[job.pk])).status_code == 404
