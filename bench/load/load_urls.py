"""The site's URLs plus a bare Django view, mounted only in the load test."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path

from lms.urls import handler404, handler500  # noqa: F401
from lms.urls import urlpatterns as site_urlpatterns


def bare(request):
    """The baseline: one ``SELECT 1`` and a tiny response, through the same middleware."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare), *site_urlpatterns]
