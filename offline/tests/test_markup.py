"""What the pages give the offline client and the data saver: markers, codes, sizes, srcset."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings, client):
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def test_lesson_images_come_in_phone_and_desktop_sizes():
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    from courses.blocks import ImageBlock

    image = Image.objects.create(title="场地布置", file=get_test_image_file(size=(1600, 1200)))
    html = ImageBlock().render(
        ImageBlock().to_python({"image": image.pk, "caption": "", "alt_text": "场地"})
    )
    srcset = re.search(r'srcset="([^"]+)"', html).group(1)
    widths = sorted(int(w) for w in re.findall(r" (\d+)w", srcset))
    assert widths == [400, 800]
    assert 'sizes="(max-width: 840px) 100vw, 800px"' in html
    assert 'loading="lazy"' in html and 'alt="场地"' in html


def test_a_video_says_its_size_and_loads_only_when_played():
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    from courses.blocks import VideoBlock

    film = get_document_model()(title="示范", file=ContentFile(b"\x00" * 10, name="demo.mp4"))
    film.file_size = 12_500_000
    film.save()
    block = VideoBlock()
    html = block.render(block.to_python({"file": film.pk, "embed_url": "", "caption": ""}))
    assert 'preload="none"' in html and "autoplay" not in html
    assert "11.9\xa0MB" in html and "loads only when you press play" in html


def test_activity_types_carry_the_code_the_api_takes(trainee, supervisor):
    from practicum.defaults import install_defaults
    from practicum.forms import EntryForm
    from practicum.models import ActivityType, Placement

    install_defaults()
    Placement.objects.create(
        trainee=trainee,
        supervisor=supervisor,
        qualification="counsellor",
        start_date=timezone.localdate() - datetime.timedelta(days=30),
    )
    html = str(EntryForm(trainee=trainee)["activity_type"])
    for activity in ActivityType.objects.filter(is_active=True):
        assert f'value="{activity.pk}" data-code="{activity.code}"' in html


def test_the_practicum_form_may_be_drafted_offline(client, trainee, supervisor):
    from practicum.defaults import install_defaults
    from practicum.models import Placement

    install_defaults()
    Placement.objects.create(
        trainee=trainee,
        supervisor=supervisor,
        qualification="counsellor",
        start_date=timezone.localdate() - datetime.timedelta(days=30),
    )
    client.force_login(trainee)
    html = client.get("/practicum/").content.decode()
    assert 'data-offline-draft="entry"' in html


def test_a_delivery_report_is_drafted_offline_when_filed_not_when_corrected(client, district):
    from lecturer_corps import delivery
    from lecturer_corps.models import RequestStatus
    from lecturer_corps.tests.factories import make_lecturer, make_request, make_session
    from tests.factories import VenueFactory, make_user

    venue = VenueFactory(district=district, name="葡萄镇中心小学", capacity=60)
    profile = make_lecturer()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    session = make_session(
        make_request(venue=venue, date=yesterday, status=RequestStatus.CONFIRMED), profile.user
    )
    client.force_login(profile.user)
    url = f"/corps/my-sessions/{session.pk}/report/"
    html = client.get(url).content.decode()
    assert f'data-offline-draft="report" data-session="{session.pk}"' in html
    report = delivery.file_delivery_report(
        actor=profile.user,
        session=session,
        child_counts={("orphan", "6-11"): 4},
        actual_minutes=90,
    )
    from accounts import roles

    coordinator = make_user(roles.COORDINATOR, coordinator_district=district, district=district)
    delivery.return_delivery_report(actor=coordinator, report=report, reason="请核对人数。")
    html = client.get(url).content.decode()
    assert "data-offline-draft" not in html  # corrections go online (no API for them)


def test_the_log_out_form_lets_the_client_clear_the_phone(client, trainee):
    client.force_login(trainee)
    html = client.get("/dashboard/").content.decode()
    assert re.search(r'<form action="/accounts/logout/"[^>]*data-offline-logout', html)
    assert f'data-user="{trainee.pk}"' in html
