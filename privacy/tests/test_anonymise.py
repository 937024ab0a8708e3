"""Anonymising a person: identity and evidence gone, certificates verifiable without a name."""

import io

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditLog
from certification.models import CertificateStatus
from privacy.services import PrivacyError, anonymise_person, is_anonymised


@pytest.fixture
def anonymised(person, administrator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        counts = anonymise_person(person=person, performed_by=administrator)
    person.counts = counts
    person.refresh_from_db()
    return person


def test_name_contact_details_and_log_in_are_gone(anonymised, client):
    assert anonymised.username == f"anonymised-{anonymised.pk}"
    for field in (
        "first_name",
        "last_name",
        "real_name",
        "email",
        "mobile",
        "employer_unit",
        "job_title",
    ):
        assert getattr(anonymised, field) == "", field
    assert anonymised.township is None
    assert anonymised.languages == []
    assert not anonymised.is_active
    assert not anonymised.has_usable_password()
    assert not anonymised.groups.exists()
    assert is_anonymised(anonymised)
    assert not client.login(username="t_subject", password="TalentPool-2026")


def test_an_open_session_of_the_person_ends(person, administrator, client):
    client.force_login(person)
    assert client.get("/dashboard/").status_code == 200
    anonymise_person(person=person, performed_by=administrator)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_log_in_methods_and_tokens_are_removed(anonymised):
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from wagtail.models import APIToken

    assert not EmailAddress.objects.filter(user=anonymised).exists()
    assert not Authenticator.objects.filter(user=anonymised).exists()
    assert not APIToken.objects.filter(user=anonymised).exists()
    assert anonymised.counts["api_tokens"] == 1
    assert anonymised.counts["email_addresses"] == 1


def test_evidence_files_and_narratives_are_removed(anonymised):
    from practicum.models import EntryAttachment, PracticumEntry

    attachment = anonymised.test_attachment
    assert not EntryAttachment.objects.filter(pk=attachment.pk).exists()
    assert not attachment.file.storage.exists(attachment.file.name)
    entry = PracticumEntry.objects.get(trainee=anonymised)
    assert (entry.description, entry.reflection) == ("", "")
    assert entry.minutes == 120  # the hours stay for the programme's figures
    assert anonymised.counts["evidence_files"] == 1


def test_certificate_is_revoked_without_a_name_and_its_pdf_removed(anonymised):
    certificate = anonymised.test_certificate
    pdf_name = certificate.pdf.name
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.holder_name == ""
    assert certificate.serial  # the serial stays, so the verification link still answers
    assert not certificate.pdf
    assert not certificate.pdf.storage.exists(pdf_name)
    revocation = AuditLog.objects.get(action="certification.certificate.revoke")
    assert revocation.object_id == str(certificate.pk)


def test_verification_page_shows_anonymised_without_the_name(anonymised, client):
    code = anonymised.test_certificate.verification_code
    response = client.get(f"/verify/{code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="anonymised"' in html
    assert "测试学员" not in html
    assert "personal data was removed on request" in html
    assert anonymised.test_certificate.serial in html


def test_verification_api_says_anonymised_without_the_name(anonymised, client):
    code = anonymised.test_certificate.verification_code
    body = client.get(f"/api/v1/verify/{code}").json()
    assert body["status"] == "anonymised"
    assert body["holder_name"] is None
    assert body["revoked_on"]


def test_one_audit_record_with_counts_only(anonymised, administrator):
    entry = AuditLog.objects.get(action="privacy.person.anonymise")
    assert entry.actor == administrator
    assert entry.object_repr == anonymised.username
    assert all(isinstance(value, int) for value in entry.changes.values())
    assert entry.changes["files"] == 2  # the evidence file and the certificate PDF
    assert "测试学员" not in str(entry.changes)


def test_anonymising_twice_refuses(anonymised, administrator):
    with pytest.raises(PrivacyError):
        anonymise_person(person=anonymised, performed_by=administrator)


def test_an_administrator_cannot_anonymise_themselves(administrator):
    with pytest.raises(PrivacyError):
        anonymise_person(person=administrator, performed_by=administrator)


@pytest.mark.parametrize("role", ["coordinator", "supervisor", "trainee"])
def test_only_administrators_may_anonymise(person, role, request):
    from django.core.exceptions import PermissionDenied

    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        anonymise_person(person=person, performed_by=actor)
    person.refresh_from_db()
    assert person.real_name == "测试学员"


def test_a_failure_part_way_leaves_everything_in_place(person, administrator, monkeypatch):
    from practicum.models import EntryAttachment

    attachment = person.test_attachment

    def fail(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr("privacy.services.record", fail)
    with pytest.raises(RuntimeError):
        anonymise_person(person=person, performed_by=administrator)
    person.refresh_from_db()
    assert person.real_name == "测试学员"
    assert EntryAttachment.objects.filter(pk=attachment.pk).exists()
    assert attachment.file.storage.exists(attachment.file.name)


def test_command_anonymises_after_the_username_is_typed(person, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "t_subject")
    stdout = io.StringIO()
    call_command("anonymise_person", "t_subject", stdout=stdout)
    person.refresh_from_db()
    assert is_anonymised(person)
    assert f"anonymised-{person.pk}" in stdout.getvalue()


def test_command_without_confirmation_changes_nothing(person, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Not confirmed"):
        call_command("anonymise_person", "t_subject")
    person.refresh_from_db()
    assert not is_anonymised(person)


def test_a_venue_contact_record_of_the_person_is_removed(person, administrator, district):
    from lecturer_corps.models import VenueContact
    from tests.factories import VenueFactory

    venue = VenueFactory(district=district)
    contact = VenueContact.objects.create(
        venue=venue, name="阿依古丽", phone="13899123456", user=person
    )
    other = VenueContact.objects.create(venue=venue, name="李老师", email="li@example.org")
    counts = anonymise_person(person=person, performed_by=administrator)
    assert counts["venue_contacts"] == 1
    assert not VenueContact.objects.filter(pk=contact.pk).exists()
    assert VenueContact.objects.filter(pk=other.pk).exists()
