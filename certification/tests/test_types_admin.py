"""Certification types, requirements and signatories: edited in the Wagtail admin through
the services (administrators only); read-only in the Django admin."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditLog
from certification import services
from certification.models import CertificationType

from .factories import ALL_INITIAL, CertificationTypeFactory, add_requirements

pytestmark = pytest.mark.django_db


@pytest.fixture
def counsellor(db):
    return add_requirements(CertificationTypeFactory(), *ALL_INITIAL)


def test_code_and_serial_prefix_are_fixed_once_certificates_exist(
    trainee, sources, counsellor, coordinator, administrator
):
    sources.make_eligible(trainee)
    services.issue_certificate(trainee=trainee, certification=counsellor, issued_by=coordinator)
    counsellor.serial_prefix = "XX"
    with pytest.raises(ValidationError) as refused:
        services.save_certification_type(
            actor=administrator, certification=counsellor, changed=["serial_prefix"]
        )
    assert "serial_prefix" in refused.value.error_dict
    assert CertificationType.objects.get(pk=counsellor.pk).serial_prefix == "PC"
    counsellor.serial_prefix = "PC"
    counsellor.validity_months = 24
    services.save_certification_type(
        actor=administrator, certification=counsellor, changed=["validity_months"]
    )
    assert CertificationType.objects.get(pk=counsellor.pk).validity_months == 24


def test_a_coordinator_sees_the_types_but_changes_none(client, counsellor, district_coordinator):
    counsellor.name = "改名"
    with pytest.raises(PermissionDenied):
        services.save_certification_type(actor=district_coordinator, certification=counsellor)
    client.force_login(district_coordinator)
    assert client.get("/cms/certification_types/").status_code == 200
    response = client.get(f"/cms/certification_types/edit/{counsellor.pk}/")
    assert response.status_code in (302, 403)
    assert client.get("/cms/certification_requirements/").status_code in (302, 403)
    assert not AuditLog.objects.filter(action__startswith="certification.certificationtype")


def test_the_django_admin_shows_types_read_only(client, admin_user, counsellor):
    from tests.factories import enable_two_factor

    enable_two_factor(admin_user)
    client.force_login(admin_user)
    url = f"/django-admin/certification/certificationtype/{counsellor.pk}/change/"
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="name"' not in response.content.decode()
    client.post(url, {"name": "改名"})
    counsellor.refresh_from_db()
    assert counsellor.name != "改名"
