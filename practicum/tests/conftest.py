import datetime

import pytest
from django.utils import timezone

from practicum.defaults import install_defaults


@pytest.fixture(autouse=True)
def practicum_defaults(db):
    """The default rules (activity types, requirements, rubric), even after a flush."""
    install_defaults()


@pytest.fixture
def placement(trainee, supervisor):
    from practicum.models import Placement

    return Placement.objects.create(
        trainee=trainee,
        supervisor=supervisor,
        qualification="counsellor",
        start_date=timezone.localdate() - datetime.timedelta(days=90),
    )


@pytest.fixture(autouse=True)
def english(client, settings):
    """Assertions read English messages: pages and services speak English in these tests."""
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
