"""Languages: zh-hans is complete (checked by scripts/check_translations.py in `make test`),
Uyghur covers navigation, account pages and errors, and pages say their language and direction."""

import pytest
from django.utils import translation

pytestmark = pytest.mark.usefixtures("project_translations")

UYGHUR_REQUIRED = [
    # navigation
    "Dashboard",
    "Profile",
    "Log in",
    "Log out",
    "Sign up",
    "My learning",
    "Courses",
    "Skip to main content",
    "Language",
    "Switch",
    # account pages (ours and allauth's)
    "Sign In",
    "Sign Up",
    "Sign Out",
    "Password",
    "Username or email",
    "Forgot your password?",
    "Remember Me",
    "Password Reset",
    "Two-Factor Authentication",
    "Change password",
    "Your details",
    "Save",
    "Security",
    # errors
    "Page not found",
    "Not allowed",
    "Your role does not give access to this page.",
    "The username and/or password you specified are not correct.",
    "Too many failed login attempts. Try again later.",
    "Log in or send a valid token.",
    "Something went wrong on our side.",
]


@pytest.mark.parametrize("msgid", UYGHUR_REQUIRED)
def test_uyghur_translation_present(msgid):
    with translation.override("ug"):
        assert translation.gettext(msgid) != msgid


@pytest.mark.parametrize("msgid", ["Dashboard", "Log in", "Sign In", "Page not found"])
def test_chinese_translation_present(msgid):
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    assert text != msgid
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_check_script_finds_untranslated_entries(tmp_path):
    from scripts.check_translations import untranslated

    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        'msgid "Done"\nmsgstr "完成"\n\n'
        'msgid "Missing"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Guessed"\nmsgstr "猜的"\n\n'
        'msgid "One"\nmsgid_plural "Many"\nmsgstr[0] ""\n',
        encoding="utf-8",
    )
    assert untranslated(po) == ["Missing", "Guessed", "One"]
