"""A page with an inline script carrying the request's nonce (tests of the CSP nonce)."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

PAGE = '<!DOCTYPE html><script nonce="{{ request.csp_nonce }}">document.title = "ok";</script>'


def inline_script_page(request):
    template = engines["django"].from_string(PAGE)
    return HttpResponse(template.render({}, request))


urlpatterns = [path("nonce/", inline_script_page)]
