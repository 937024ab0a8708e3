"""Factories for dispatch tests: venue requests, tariffs, prior qualifications."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dispatch.models import PriorQualification, Tariff, TravelBand, VenueRequest

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_upload(name="scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def weekday_after(weeks: int, weekday: int = 1) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(weeks=weeks)
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def request_fields(**overrides) -> dict:
    fields = {
        "topic": "child_01",
        "audience": "children",
        "age_band": "6-11",
        "expected_size": 30,
        "language": "zh",
        "dates": [weekday_after(3)],
        "start_time": datetime.time(9, 0),
        "end_time": datetime.time(11, 0),
        "class_hours": 2,
        "monthly": False,
        "notes": "多功能教室",
    }
    fields.update(overrides)
    return fields


def make_venue_request(venue, contact_user=None, **overrides) -> VenueRequest:
    fields = request_fields(**overrides)
    fields["dates"] = [d.isoformat() for d in fields["dates"]]
    return VenueRequest.objects.create(
        venue=venue,
        contact=getattr(contact_user, "venue_contact", None) if contact_user else None,
        submitted_by=contact_user,
        **fields,
    )


def make_tariff(
    *,
    effective_from=datetime.date(2020, 1, 1),
    fee="100.00",
    basis="distance",
    bands=((10, "0"), (30, "30"), (None, "80")),
    unknown="20.00",
) -> Tariff:
    tariff = Tariff.objects.create(
        name=f"tariff {effective_from}",
        effective_from=effective_from,
        fee_per_class_hour=Decimal(fee),
        basis=basis,
        unknown_location_subsidy=Decimal(unknown),
    )
    for up_to, subsidy in bands:
        TravelBand.objects.create(tariff=tariff, up_to=up_to, subsidy=Decimal(subsidy))
    return tariff


def make_prior(
    holder,
    *,
    topics=("child_01",),
    status="approved",
    issued_on=None,
    expires_on=None,
    number="PQ-1",
):
    qualification = PriorQualification(
        holder=holder,
        title="国家二级心理咨询师",
        issuer="人力资源和社会保障部",
        number=number,
        issued_on=issued_on or datetime.date(2019, 1, 1),
        expires_on=expires_on,
        topics=list(topics),
        evidence_type="application/pdf",
        status=status,
    )
    qualification.evidence.save("evidence.pdf", pdf_upload(), save=False)
    qualification.save()
    return qualification
