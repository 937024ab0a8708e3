"""Factories for practicum tests. Defaults are installed by the data migration."""

from __future__ import annotations

import datetime
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts import roles
from practicum.models import (
    ActivityType,
    EntryState,
    Placement,
    PracticumEntry,
    Qualification,
)
from tests.factories import VenueFactory, make_user


def activity(code: str) -> ActivityType:
    return ActivityType.objects.get(code=code)


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    trainee = factory.LazyFunction(lambda: make_user(roles.TRAINEE))
    supervisor = factory.LazyFunction(lambda: make_user(roles.SUPERVISOR))
    qualification = Qualification.COUNSELLOR
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))


class EntryFactory(factory.django.DjangoModelFactory):
    """An entry as the services would store it (no rule checks: use services for those)."""

    class Meta:
        model = PracticumEntry

    placement = factory.SubFactory(PlacementFactory)
    trainee = factory.SelfAttribute("placement.trainee")
    supervisor = factory.SelfAttribute("placement.supervisor")
    qualification = factory.SelfAttribute("placement.qualification")
    date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
    start_time = None
    end_time = None
    minutes = 120
    activity_type = factory.LazyFunction(lambda: activity("group_counselling"))
    service_kind = factory.LazyAttribute(lambda e: e.activity_type.service_kind)
    children_6_11 = 10
    description = "带领10名儿童开展团体辅导，练习识别情绪。"
    state = EntryState.DRAFT


def entry_data(**overrides) -> dict:
    """Valid form/service data for an entry three days ago, 09:00–11:00, group counselling."""
    data = {
        "date": timezone.localdate() - datetime.timedelta(days=3),
        "start_time": datetime.time(9, 0),
        "end_time": datetime.time(11, 0),
        "minutes": None,
        "venue": None,
        "activity_type": activity("group_counselling"),
        "topic": "",
        "children_0_5": 0,
        "children_6_11": 12,
        "children_12_17": 0,
        "caregivers": 0,
        "teachers": 1,
        "language": "zh",
        "description": "在小学四年级开展情绪主题团体辅导，12名儿童参加，一名9岁男孩起初不愿发言。",
        "reflection": "总结环节偏短，下次预留更多时间。",
    }
    data.update(overrides)
    return data


def jpeg_with_gps(size=(64, 48)) -> bytes:
    """A JPEG carrying EXIF with a GPS position (Turpan) and a camera model."""
    from PIL import Image

    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x0110] = "PhoneCam 9"  # Model
    exif[0x0132] = "2026:05:01 10:00:00"  # DateTime
    gps = {1: "N", 2: (42.0, 57.0, 0.0), 3: "E", 4: (89.0, 11.0, 0.0)}
    exif[0x8825] = gps
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

__all__ = ["EntryFactory", "PlacementFactory", "VenueFactory", "activity", "entry_data"]
