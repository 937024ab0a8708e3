"""Factories shared by every app's tests."""

import factory
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import System, User
from places.models import District, Township, Venue, VenueType

PASSWORD = "Correct-Horse-42"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"district-{n}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    name_en = factory.Sequence(lambda n: f"Test District {n}")


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Township

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"测试镇{n}")
    latitude = 42.9
    longitude = 89.2


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"第{n}小学")
    venue_type = VenueType.SCHOOL
    district = factory.SubFactory(DistrictFactory)
    township = factory.SubFactory(TownshipFactory, district=factory.SelfAttribute("..district"))
    capacity = 50
    latitude = 42.9
    longitude = 89.2


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    real_name = factory.Sequence(lambda n: f"学员{n}")
    system = System.CIVIL_AFFAIRS
    languages = factory.LazyFunction(lambda: ["zh"])
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for code in extracted or []:
            self.groups.add(Group.objects.get_or_create(name=code)[0])
        if create:
            self.save()

    @factory.post_generation
    def two_factor(self, create, extracted, **kwargs):
        """Pass ``two_factor=True`` to give the user a TOTP authenticator."""
        if create and extracted:
            enable_two_factor(self)


def enable_two_factor(user) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    user.__dict__.pop("_has_two_factor", None)


def make_user(*role_codes: str, two_factor: bool | None = None, **kwargs) -> User:
    """A user holding the roles; staff roles get two-factor set up unless told otherwise."""
    if two_factor is None:
        two_factor = bool(set(role_codes) & roles.STAFF_ROLES)
    return UserFactory(roles=list(role_codes), two_factor=two_factor, **kwargs)


__all__ = [
    "Authenticator",
    "DistrictFactory",
    "TownshipFactory",
    "UserFactory",
    "VenueFactory",
    "make_user",
    "enable_two_factor",
    "PASSWORD",
]
