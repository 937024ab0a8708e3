"""Serving the site's pages: one public address per page, in every interface language.

With Wagtail's i18n on, Wagtail routes a request through the site root's translation in
the active language, so a trainee reading in Uyghur got a 404 for every page not (yet)
translated. The site's addresses are the Chinese original's (docs/decisions.md, "One
course, several languages"); the pages show a translation in its place where one is
live. So the route is found in the original's tree, whatever the interface language,
and Wagtail then serves it as usual (hooks, restrictions, caching of the route).
"""

from django.conf import settings
from django.utils import translation
from wagtail import views as wagtail_views
from wagtail.models import Page


def serve(request, path):
    with translation.override(settings.LANGUAGE_CODE):
        Page.route_for_request(request, path)  # cached on the request for Wagtail's view
    return wagtail_views.serve(request, path)
