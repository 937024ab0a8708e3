"""Delivery reports: who, when, bounded counts, the photo; verification feeds renewal."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from lecturer_corps import selectors, services
from lecturer_corps.models import DeliveryReport, RequestStatus, SessionStatus
from lecturer_corps.tests.factories import make_lecturer, make_request, make_session

pytestmark = pytest.mark.django_db


def photo(*, with_gps=True, fmt="JPEG") -> SimpleUploadedFile:
    image = Image.new("RGB", (120, 80), "white")
    out = io.BytesIO()
    if with_gps and fmt == "JPEG":
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (42.0, 57.0, 0.0), 3: "E", 4: (89.0, 11.0, 0.0)}  # GPS
        image.save(out, format=fmt, exif=exif)
    else:
        image.save(out, format=fmt)
    return SimpleUploadedFile("sheet.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def ended(venue):
    """A confirmed session that ended yesterday, and its lecturer."""
    profile = make_lecturer()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    request = make_request(venue=venue, date=yesterday, status=RequestStatus.CONFIRMED)
    return make_session(request, profile.user)


def _file(session, actor=None, **counts):
    values = {
        "children_count": 18,
        "caregivers_count": 2,
        "teachers_count": 1,
        "others_count": 0,
        "actual_minutes": 95,
    }
    values.update(counts)
    return services.file_delivery_report(
        actor=actor or session.lecturer,
        session=session,
        sign_in_sheet=values.pop("sign_in_sheet", photo()),
        notes="活动顺利",
        **values,
    )


def test_the_lecturer_files_a_report_after_the_session(ended, coordinator):
    report = _file(ended)
    ended.refresh_from_db()
    ended.request.refresh_from_db()
    assert report.person_times == 21
    assert ended.status == SessionStatus.DELIVERED
    assert ended.request.status == RequestStatus.DELIVERED


def test_a_report_before_the_session_ends_is_refused(venue):
    profile = make_lecturer()
    session = make_session(make_request(venue=venue), profile.user)
    with pytest.raises(ValidationError, match="file the report after it"):
        _file(session)
    assert not DeliveryReport.objects.exists()


def test_someone_else_cannot_file_the_report(ended, lecturer):
    with pytest.raises(PermissionDenied):
        _file(ended, actor=lecturer)


def test_negative_counts_are_refused(ended):
    with pytest.raises(ValidationError) as error:
        _file(ended, caregivers_count=-1)
    assert "caregivers_count" in error.value.message_dict


def test_counts_beyond_the_venue_capacity_are_refused_with_a_clear_message(ended):
    with pytest.raises(ValidationError, match="holds at most 60"):
        _file(ended, children_count=70)


def test_a_report_with_nobody_counted_is_refused(ended):
    with pytest.raises(ValidationError, match="at least one participant"):
        _file(ended, children_count=0, caregivers_count=0, teachers_count=0)


def test_a_report_cannot_be_filed_twice(ended):
    _file(ended)
    with pytest.raises(ValidationError, match="already been filed"):
        _file(ended)


def test_a_file_that_is_not_a_photo_is_refused(ended):
    fake = SimpleUploadedFile("sheet.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="JPEG, PNG or WebP"):
        _file(ended, sign_in_sheet=fake)


def test_the_photo_is_stored_without_exif(ended):
    upload = photo(with_gps=True)
    assert Image.open(io.BytesIO(upload.read())).getexif()  # the original carries GPS
    upload.seek(0)
    report = _file(ended, sign_in_sheet=upload)
    with report.sign_in_sheet.open("rb") as stored:
        image = Image.open(stored)
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "exif" not in image.info


def test_the_photo_is_stored_privately(ended, settings):
    report = _file(ended)
    assert str(settings.MEDIA_ROOT) not in report.sign_in_sheet.path
    with pytest.raises(ValueError):
        report.sign_in_sheet.url  # noqa: B018


def test_verification_counts_toward_renewal_and_person_times(ended, coordinator):
    from django.contrib.auth import get_user_model

    from certification.selectors import verified_sessions_delivered

    report = _file(ended)
    lecturer = ended.lecturer
    since = timezone.localdate() - datetime.timedelta(days=30)
    assert selectors.verified_sessions_count([lecturer.pk], since) == {}
    services.verify_delivery_report(actor=coordinator, report=report)
    ended.refresh_from_db()
    ended.request.refresh_from_db()
    assert ended.status == SessionStatus.VERIFIED
    assert ended.request.status == RequestStatus.VERIFIED
    assert selectors.verified_sessions_count([lecturer.pk], since) == {lecturer.pk: 1}
    assert selectors.verified_sessions_count([lecturer.pk], timezone.localdate()) == {}
    users = get_user_model().objects.filter(pk=lecturer.pk)
    window = {lecturer.pk: (since, timezone.localdate())}
    assert verified_sessions_delivered(users, window) == {lecturer.pk: 1}
    assert selectors.person_times()["total"] == 21
    assert selectors.person_times()["children"] == 18


def test_an_unverified_report_does_not_count(ended):
    _file(ended)
    assert selectors.person_times()["total"] == 0
    assert selectors.verified_sessions_count([ended.lecturer_id]) == {}


def test_a_coordinator_of_another_district_cannot_verify(ended, other_district_coordinator):
    report = _file(ended)
    with pytest.raises(PermissionDenied):
        services.verify_delivery_report(actor=other_district_coordinator, report=report)


def test_a_report_is_verified_once(ended, coordinator):
    report = _file(ended)
    services.verify_delivery_report(actor=coordinator, report=report)
    with pytest.raises(ValidationError, match="already verified"):
        services.verify_delivery_report(actor=coordinator, report=report)
