"""The home seed rebuilds the page tree on a database with no tree at all."""

import pytest
from wagtail.models import Collection, Locale, Page, Site

from home import seed
from home.models import HomePage

pytestmark = pytest.mark.django_db


def test_seed_makes_root_and_home_on_a_flushed_database():
    # What `manage.py flush` and transactional tests leave: no root page.
    Site.objects.all().delete()
    Page.objects.filter(depth=1).delete()
    Locale.objects.all().delete()
    Collection.objects.all().delete()
    assert Page.get_first_root_node() is None

    home = seed.seed()

    root = Page.get_first_root_node()
    assert root is not None and root.depth == 1
    assert HomePage.objects.get().get_parent().specific_class is Page
    assert home.live
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert home.locale == Locale.get_default()
    assert Collection.get_first_root_node() is not None


def test_seed_twice_keeps_one_home_page():
    seed.seed()
    seed.seed()
    assert HomePage.objects.count() == 1
    assert Page.objects.filter(depth=1).count() == 1
