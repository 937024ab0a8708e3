"""People: the custom user model with the profile a bureau keeps.

API tokens are Wagtail's ``wagtail.models.APIToken`` (digest stored, shown once).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import roles


class System(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    EDUCATION = "education", _("Education")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    MANDARIN = "zh", _("Mandarin")
    UYGHUR = "ug", _("Uyghur")


class NameScript(models.TextChoices):
    """The script a person's name is printed in on their certificates (issue 16)."""

    CHINESE = "zh", _("Chinese characters")
    UYGHUR = "ug", _("Uyghur script")
    LATIN = "latn", _("Latin letters")


class User(AbstractUser):
    """A person who uses the LMS. Roles are groups; see ``accounts.roles``."""

    email = models.EmailField(_("email address"), blank=True, db_index=True)
    real_name = models.CharField(_("real name"), max_length=100, blank=True)
    # Names in two scripts (issue 16): the same name in Uyghur (Arabic) script and in
    # Latin transliteration; the holder chooses which one their certificates print.
    name_ug = models.CharField(_("name in Uyghur script"), max_length=100, blank=True)
    name_latin = models.CharField(_("name in Latin letters"), max_length=100, blank=True)
    certificate_name_script = models.CharField(
        _("name on certificates"),
        max_length=4,
        choices=NameScript.choices,
        default=NameScript.CHINESE,
        help_text=_("Which form of your name your certificates print."),
    )
    mobile = models.CharField(_("mobile phone"), max_length=20, blank=True, db_index=True)
    employer_unit = models.CharField(_("employer unit"), max_length=200, blank=True)
    system = models.CharField(
        _("system"), max_length=20, choices=System.choices, default=System.OTHER, blank=True
    )
    district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("district or county"),
        help_text=_("Leave empty for 'other'."),
    )
    township = models.ForeignKey(
        "places.Township",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("township"),
    )
    languages = models.JSONField(
        _("languages spoken"), default=list, blank=True, help_text=_("Codes: zh, ug.")
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("interface language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="zh-hans",
        help_text=_("Pages and e-mails are shown in this language."),
    )
    coordinator_district = models.ForeignKey(
        "places.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinators",
        verbose_name=_("coordinator scope"),
        help_text=_(
            "For coordinators: the district or county they coordinate; empty = whole city."
        ),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.real_name or self.get_full_name() or self.username

    @property
    def certificate_name(self) -> str:
        """The name in the script the person chose for certificates; the display name
        when they have not written it in that script."""
        chosen = {NameScript.UYGHUR: self.name_ug, NameScript.LATIN: self.name_latin}.get(
            self.certificate_name_script, ""
        )
        return (chosen or "").strip() or self.display_name

    @property
    def role_codes(self) -> frozenset[str]:
        return roles.role_codes(self)

    def has_role(self, *codes: str) -> bool:
        return roles.has_role(self, *codes)

    @property
    def is_staff_role(self) -> bool:
        return bool(self.role_codes & roles.STAFF_ROLES)

    def speaks(self, language: str) -> bool:
        return language in (self.languages or [])

    def get_language_labels(self) -> list[str]:
        labels = dict(Language.choices)
        return [str(labels.get(code, code)) for code in self.languages or []]
