"""Practicum's use of the shared children's-data guard (``lms.child_privacy``).

There is one guard: this module only names it for practicum's forms and services.
Every ``NARRATIVE`` field of ``lms.textinput`` runs the same check.
"""

from lms.child_privacy import (
    ANONYMOUS_HELP,
    Finding,
    check_text,
    find_identifying_data,
    privacy_error,
    validate_anonymous,
)

__all__ = [
    "ANONYMOUS_HELP",
    "Finding",
    "check_text",
    "find_identifying_data",
    "privacy_error",
    "validate_anonymous",
]
