"""Sends staff-role users to two-factor set-up before the admin interfaces."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from .permissions import needs_two_factor_setup

STAFF_PREFIXES = ("/cms/", "/django-admin/")


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(STAFF_PREFIXES) and needs_two_factor_setup(request.user):
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
        return self.get_response(request)


class PreferredLanguageMiddleware:
    """Chooses the interface language: the language cookie, then the user's setting, then zh-hans.

    The browser's Accept-Language is deliberately ignored: the bureau's default is
    Simplified Chinese whatever language a borrowed phone happens to be set to.
    Replaces Django's LocaleMiddleware (same position in the stack).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        supported = {code for code, _label in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in supported:
            user = getattr(request, "user", None)
            language = getattr(user, "preferred_language", None) if user else None
        if language not in supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response
