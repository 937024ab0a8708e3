"""Content-Security-Policy: django-csp's middleware, with one relaxed policy for Wagtail's admin.

Every page of ours runs only scripts from our own origin (or an inline script carrying
the request's nonce: ``<script nonce="{{ request.csp_nonce }}">``). Wagtail's admin
still writes a few inline scripts of its own (date pickers, inline panels), and shows
page previews in a same-origin frame, so under ``CSP_ADMIN_PREFIXES`` the script
policy also allows inline scripts and the page may be framed by the same origin.
The Django admin needs no exception. See docs/security.md and docs/decisions.md.
"""

from __future__ import annotations

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

ADMIN_POLICY_CHANGES = {
    "script-src": [SELF, UNSAFE_INLINE],
    "frame-ancestors": [SELF],
}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        prefixes = tuple(getattr(settings, "CSP_ADMIN_PREFIXES", ()))
        if not report_only and prefixes and request.path_info.startswith(prefixes):
            # No nonce in this script-src: a nonce makes browsers ignore 'unsafe-inline'.
            parts.replace = {**(parts.replace or {}), **ADMIN_POLICY_CHANGES}
        return parts
