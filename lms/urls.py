from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts.views import set_language
from home import serving
from home.views import admin_login_redirect, healthz

from .api import api
from .optional import app_module


class FaviconRedirect(RedirectView):
    """/favicon.ico → the static icon, resolved per request (the manifest names it)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static_url("favicon.ico")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Pages name their icon with <link rel="icon">; this answers clients that ask the root.
    path("favicon.ico", FaviconRedirect.as_view()),
    path("django-admin/login/", admin_login_redirect),
    path("cms/login/", admin_login_redirect),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    # The installable site: /sw.js, /manifest.webmanifest, /offline/… (issue 20)
    path("", include("offline.urls")),
    path("", include("home.urls")),
]

# App URLs are added here as the apps gain pages (each with its own namespace).
for app_label, prefix in [
    ("courses", "learn/"),
    ("quizzes", "quizzes/"),
    ("practicum", "practicum/"),
    ("certification", ""),
    ("lecturer_corps", "corps/"),
    ("dispatch", "dispatch/"),
    ("classes", "classes/"),
    ("safeguarding", "concerns/"),
    ("supervision", "supervision/"),
    ("reports", "reports/"),
]:
    if app_module(app_label, "urls") is not None:
        urlpatterns.append(path(prefix, include(f"{app_label}.urls")))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's front-end URLs, with pages routed in the original's tree whatever the
# interface language (home.serving).
urlpatterns += [
    re_path(pattern.pattern.regex.pattern, serving.serve, name="wagtail_serve")
    if getattr(pattern, "name", None) == "wagtail_serve"
    else pattern
    for pattern in wagtail_urls.urlpatterns
]

handler400 = "home.views.bad_request"
handler404 = "home.views.page_not_found"
handler500 = "home.views.server_error"
