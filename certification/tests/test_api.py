"""The certification API: checklists, certificates, PDF, credential, revoke, verify."""

import pytest

from certification import credentials
from certification.tests.factories import (
    ALL_INITIAL,
    CertificationTypeFactory,
    add_requirements,
    make_certificate,
)

pytestmark = pytest.mark.django_db


def test_me_certifications_lists_checklists(api_client, trainee, sources):
    add_requirements(CertificationTypeFactory(), *ALL_INITIAL)
    response = api_client.as_user(trainee).get("/api/v1/me/certifications")
    assert response.status_code == 200
    (checklist,) = response.json()
    assert checklist["certification"] == "counsellor"
    assert checklist["requirements"][0]["message"] == "0 of 3 required courses"
    assert checklist["eligible"] is False


def test_me_certificates_lists_only_mine(api_client, trainee, other_trainee):
    mine = make_certificate(trainee)
    make_certificate(other_trainee)
    data = api_client.as_user(trainee).get("/api/v1/me/certificates").json()
    assert [c["serial"] for c in data] == [mine.serial]
    assert data[0]["status"] == "valid"


def test_api_needs_authentication(client):
    assert client.get("/api/v1/me/certificates").status_code == 401


def test_pdf_and_credential_for_holder(api_client, trainee):
    certificate = make_certificate(trainee)
    client = api_client.as_user(trainee)
    pdf = client.get(f"/api/v1/certificates/{certificate.serial}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    credential = client.get(f"/api/v1/certificates/{certificate.serial}/credential")
    assert credential["Content-Type"] == "application/vc+jwt"
    assert credentials.verify(credential.content.decode())["credentialSubject"]["name"]


def test_pdf_of_someone_else_is_404(api_client, trainee, other_trainee):
    certificate = make_certificate(trainee)
    response = api_client.as_user(other_trainee).get(
        f"/api/v1/certificates/{certificate.serial}/pdf"
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_coordinator_revokes_through_api(api_client, trainee, district_coordinator):
    certificate = make_certificate(trainee)
    response = api_client.as_user(district_coordinator).post(
        f"/api/v1/certificates/{certificate.serial}/revoke",
        {"reason": "违反伦理"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    again = api_client.post(
        f"/api/v1/certificates/{certificate.serial}/revoke",
        {"reason": "again"},
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json()["code"] == "not_revocable"


@pytest.mark.parametrize("who", ["trainee", "other_district_coordinator", "other_trainee"])
def test_revoke_refused_for_others(api_client, trainee, who, request):
    certificate = make_certificate(trainee)
    user = request.getfixturevalue(who)
    response = api_client.as_user(user).post(
        f"/api/v1/certificates/{certificate.serial}/revoke",
        {"reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == "active"


def test_revoke_needs_a_reason(api_client, trainee, coordinator):
    certificate = make_certificate(trainee)
    response = api_client.as_user(coordinator).post(
        f"/api/v1/certificates/{certificate.serial}/revoke", {}, content_type="application/json"
    )
    assert response.status_code == 422


def test_verify_api_is_public_and_minimal(client, trainee):
    certificate = make_certificate(trainee)
    data = client.get(f"/api/v1/verify/{certificate.verification_code}").json()
    assert data["status"] == "valid" and data["holder_name"] == certificate.holder_name
    assert set(data) <= {
        "status",
        "serial",
        "holder_name",
        "qualification",
        "qualification_en",
        "issuing_authority",
        "issued_on",
        "valid_from",
        "expires_on",
        "revoked_on",
        "revocation_reason",
    }


def test_verify_api_unknown(client):
    assert client.get("/api/v1/verify/nope").json()["status"] == "unknown"


def test_verify_api_revoked(client, trainee, coordinator):
    from certification import services

    certificate = make_certificate(trainee)
    services.revoke_certificate(certificate=certificate, revoked_by=coordinator, reason="撤销原因")
    data = client.get(f"/api/v1/verify/{certificate.verification_code}").json()
    assert data["status"] == "revoked" and data["revocation_reason"] == "撤销原因"


def test_verify_api_is_rate_limited(client, settings):
    settings.CERTIFICATE_VERIFY_RATE = "2/m"
    codes = [client.get("/api/v1/verify/x").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_me_certifications_query_count(api_client, trainee, sources, django_assert_max_num_queries):
    add_requirements(CertificationTypeFactory(), *ALL_INITIAL)
    client = api_client.as_user(trainee)
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/me/certifications").status_code == 200


@pytest.mark.parametrize(
    ("reason", "field_message"),
    [("\u200b\u200b \u2060", "cannot be empty"), ("误" * 1_000_000, "1000000")],
)
def test_a_revoke_reason_invisible_or_too_long_is_refused_not_cut(
    api_client, trainee, district_coordinator, reason, field_message
):
    certificate = make_certificate(trainee)
    response = api_client.as_user(district_coordinator).post(
        f"/api/v1/certificates/{certificate.serial}/revoke",
        {"reason": reason},
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    assert body["detail"].startswith("reason:") and field_message in body["detail"]
    certificate.refresh_from_db()
    assert certificate.status == "active" and certificate.revocation_reason == ""


def test_the_revoke_service_refuses_a_reason_over_the_limit(trainee, district_coordinator):
    from django.core.exceptions import ValidationError

    from certification import services

    certificate = make_certificate(trainee)
    with pytest.raises(ValidationError) as caught:
        services.revoke_certificate(
            certificate=certificate, revoked_by=district_coordinator, reason="x" * 301
        )
    assert caught.value.code == "too_long"
    certificate.refresh_from_db()
    assert certificate.status == "active"
