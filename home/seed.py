"""The Wagtail site tree: one home page, the default site's root."""

from django.conf import settings
from wagtail.models import Collection, Page, Site

from .models import HomePage

INTRO = (
    "<p>吐鲁番市民政局困境儿童心理健康与家庭教育人才库培训平台："
    "在线学习、考核、实习督导、证书认证与讲师团服务一站完成。</p>"
)


def seed(stdout=None) -> HomePage:
    home = HomePage.objects.first()
    root = Page.get_first_root_node()
    if root is None:
        # Wagtail's migrations make the default locale and the tree's root; a flushed
        # database (a transactional test, `manage.py flush`) has neither: make them again.
        from django.contrib.contenttypes.models import ContentType
        from wagtail.coreutils import get_supported_content_language_variant
        from wagtail.models import Locale

        Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )

        root = Page.add_root(
            instance=Page(
                title="Root",
                slug="root",
                content_type=ContentType.objects.get_for_model(Page),
            )
        )
    if Collection.get_first_root_node() is None:
        # Likewise Wagtail's root collection (images and documents live under it).
        Collection.add_root(name="Root")
    if home is None:
        # Wagtail's first migration makes a plain "Welcome" page; our home page replaces it.
        for page in root.get_children().exclude(content_type__model="homepage"):
            page.delete()
        home = HomePage(title="人才库培训平台", slug="home", intro=INTRO)
        root.add_child(instance=home)
        home.save_revision().publish()
    hostname = settings.SITE_URL.split("://", 1)[-1].split(":")[0].split("/")[0]
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={
            "hostname": hostname or "localhost",
            "port": 80,
            "root_page": home,
            "site_name": "人才库培训平台",
        },
    )
    Site.objects.exclude(is_default_site=True).filter(root_page__depth=1).delete()
    if stdout:
        stdout.write("  home: site tree ready")
    return home
