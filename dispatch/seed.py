"""Demo data of dispatch planning (after the corps and certification in ``seed_demo``).

* ``venue`` — a venue contact's log-in (the demo password) for 高昌区葡萄镇中心小学, with a
  request waiting for triage and one sent back for changes;
* ``expert`` — an external expert (lecturer role) without a certificate of ours but with
  an approved national counsellor's qualification covering the children's topics;
* a tariff in force (100 yuan per class hour; travel subsidy by road distance) and each
  district's budget for this month and the next;
* the demo's caregiver requests marked to recur every month.

Idempotent: everything is found by its natural key and updated in place.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts import roles
from accounts.models import User
from accounts.seed import DEMO_PASSWORD
from lecturer_corps.models import LecturerProfile, ServiceRequest, VenueContact
from lecturer_corps.topics import TOPICS
from places.models import District, Township, Venue

from .models import (
    Budget,
    PlannedRequest,
    PriorQualification,
    PriorQualificationStatus,
    RequestSource,
    Tariff,
    TravelBand,
    VenueRequest,
    VenueRequestStatus,
    first_of_month,
    next_month,
)

DEMO_VENUE = "高昌区葡萄镇中心小学"
BUDGETS = {"gaochang": Decimal("20000"), "shanshan": Decimal("12000"), "toksun": Decimal("12000")}
# A one-page PDF standing for a scanned certificate.
DEMO_EVIDENCE = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed(stdout=None) -> None:
    tariff = seed_tariff()
    budgets = seed_budgets()
    contact = seed_venue_contact()
    requests = seed_venue_requests(contact) if contact else 0
    expert = seed_expert()
    recurring = seed_recurring()
    if stdout:
        stdout.write(
            f"  dispatch: tariff {tariff.name}, {budgets} budgets, venue log-in "
            f"{'venue' if contact else '-'} ({requests} requests), expert "
            f"{'expert' if expert else '-'}, {recurring} recurring requests"
        )


def seed_tariff() -> Tariff:
    tariff, _ = Tariff.objects.update_or_create(
        effective_from=datetime.date(2024, 1, 1),
        defaults={
            "name": "2024 标准",
            "fee_per_class_hour": Decimal("100.00"),
            "basis": "distance",
            "unknown_location_subsidy": Decimal("30.00"),
        },
    )
    for up_to, subsidy in ((10, "0"), (30, "30"), (60, "60"), (None, "100")):
        TravelBand.objects.update_or_create(
            tariff=tariff, up_to=up_to, defaults={"subsidy": Decimal(subsidy)}
        )
    return tariff


def seed_budgets() -> int:
    this_month = first_of_month(timezone.localdate())
    made = 0
    for district in District.objects.filter(code__in=BUDGETS):
        for month in (this_month, next_month(this_month)):
            Budget.objects.update_or_create(
                district=district, month=month, defaults={"amount": BUDGETS[district.code]}
            )
            made += 1
    return made


def seed_venue_contact() -> VenueContact | None:
    venue = Venue.objects.filter(name=DEMO_VENUE).first()
    if venue is None:
        return None
    user, _ = User.objects.get_or_create(username="venue")
    user.real_name = "王校长"
    user.email = "venue@demo.talentpool.local"
    user.district = venue.district
    user.set_password(DEMO_PASSWORD)
    user.save()
    contact = VenueContact.objects.filter(user=user).first()
    if contact is None:
        contact, _ = VenueContact.objects.get_or_create(
            venue=venue, name="王校长", defaults={"phone": "0995-0000000"}
        )
        contact.user = user
        contact.save(update_fields=["user"])
    return contact


def _next_weekday(weekday: int, weeks: int) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(weeks=weeks)
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def seed_venue_requests(contact) -> int:
    if VenueRequest.objects.filter(venue=contact.venue).exists():
        return VenueRequest.objects.filter(venue=contact.venue).count()
    VenueRequest.objects.create(
        venue=contact.venue,
        contact=contact,
        submitted_by=contact.user,
        topic="child_06",
        audience="children",
        age_band="6-11",
        expected_size=40,
        language="zh",
        dates=[_next_weekday(2, 3).isoformat(), _next_weekday(2, 4).isoformat()],
        start_time=datetime.time(15, 0),
        end_time=datetime.time(16, 40),
        notes="四年级两个班，多功能教室。",
    )
    VenueRequest.objects.create(
        venue=contact.venue,
        contact=contact,
        submitted_by=contact.user,
        topic="caregiver_03",
        audience="caregivers",
        expected_size=30,
        language="ug",
        dates=[_next_weekday(5, 3).isoformat()],
        start_time=datetime.time(10, 0),
        end_time=datetime.time(11, 40),
        monthly=True,
        status=VenueRequestStatus.CHANGES_REQUESTED,
        coordinator_message="周六上午讲师不足，能否改到周五下午？",
    )
    return 2


def seed_expert() -> User | None:
    gaochang = District.objects.filter(code="gaochang").first()
    if gaochang is None:
        return None
    township = Township.objects.filter(district=gaochang, name="老城路街道").first()
    user, _ = User.objects.get_or_create(username="expert")
    user.real_name = "阿依古丽·买买提"
    user.email = "expert@demo.talentpool.local"
    user.district = gaochang
    user.township = township
    user.languages = ["zh", "ug"]
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.add(Group.objects.get_or_create(name=roles.LECTURER)[0])
    children = [t.code for t in TOPICS if t.qualification == "counsellor"]
    LecturerProfile.objects.update_or_create(
        user=user,
        defaults={
            "topics": children[:5],
            "languages": ["zh", "ug"],
            "district": gaochang,
            "township": township,
            "latitude": township.latitude if township else None,
            "longitude": township.longitude if township else None,
        },
    )
    if not PriorQualification.objects.filter(holder=user).exists():
        qualification = PriorQualification(
            holder=user,
            title="国家二级心理咨询师",
            issuer="人力资源和社会保障部",
            number="1511003000200457",
            issued_on=datetime.date(2019, 6, 1),
            expires_on=datetime.date(timezone.localdate().year + 3, 6, 1),
            topics=children,
            evidence_type="application/pdf",
            status=PriorQualificationStatus.APPROVED,
            recorded_by=user,
            decided_by=User.objects.filter(username="coordinator").first(),
            decided_at=timezone.now(),
        )
        qualification.evidence.save("evidence.pdf", ContentFile(DEMO_EVIDENCE), save=False)
        qualification.save()
    return user


def seed_recurring() -> int:
    marked = 0
    for service_request in ServiceRequest.objects.filter(audience="caregivers").order_by("pk")[:4]:
        PlannedRequest.objects.update_or_create(
            service_request=service_request,
            defaults={"recurring": True},
            create_defaults={"recurring": True, "source": RequestSource.COORDINATOR},
        )
        marked += 1
    return marked
