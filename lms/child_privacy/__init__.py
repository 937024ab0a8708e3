"""The children's-data guard (issue 15): one engine, plugged into every narrative field.

``find_identifying_data`` finds; ``check_text`` refuses with a message that teaches
(see ``messages``); ``ChildPrivacyConfig.ready`` registers the check for
``lms.textinput.NARRATIVE``, so every free-text field in which people write about
practice, sessions, children or families runs it.
"""

from .detect import KINDS, Finding, find_identifying_data, id_checksum_ok, mask, normalise
from .guard import ANONYMOUS_HELP, check_narrative, check_text, privacy_error, validate_anonymous

__all__ = [
    "ANONYMOUS_HELP",
    "KINDS",
    "Finding",
    "check_narrative",
    "check_text",
    "find_identifying_data",
    "id_checksum_ok",
    "mask",
    "normalise",
    "privacy_error",
    "validate_anonymous",
]
