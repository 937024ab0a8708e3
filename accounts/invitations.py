"""The invitation a person created by an import receives: a link to choose a password.

The link is allauth's own password-reset link, so choosing the first password
uses the same pages, token rules and expiry (``PASSWORD_RESET_TIMEOUT``) as a reset.
"""

from __future__ import annotations

from allauth.account import app_settings as allauth_settings
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def invitation_url(user) -> str:
    token = allauth_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": token},
    )
    return f"{settings.SITE_URL}{path}"


def render_invitation(user) -> tuple[str, str]:
    """(subject, body) in the person's interface language."""
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "site_name": settings.WAGTAIL_SITE_NAME,
            "site_url": settings.SITE_URL,
            "invitation_url": invitation_url(user),
            "login_url": f"{settings.SITE_URL}{reverse('account_login')}",
            "reset_url": f"{settings.SITE_URL}{reverse('account_reset_password')}",
            "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        }
        subject = render_to_string("accounts/email/invitation_subject.txt", context)
        body = render_to_string("accounts/email/invitation_message.txt", context)
    return " ".join(subject.split()), body
