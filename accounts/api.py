from ninja import Router, Schema

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    real_name: str
    email: str
    roles: list[str]
    district: str | None
    coordinator_district: str | None
    languages: list[str]
    language: str
    two_factor_enabled: bool


@router.get("/me", response=MeOut)
def me(request):
    """The authenticated user, their roles and scope."""
    from .permissions import has_two_factor

    user = request.auth
    return MeOut(
        id=user.pk,
        username=user.username,
        real_name=user.real_name,
        email=user.email,
        roles=sorted(user.role_codes),
        district=user.district.code if user.district_id else None,
        coordinator_district=(
            user.coordinator_district.code if user.coordinator_district_id else None
        ),
        languages=list(user.languages or []),
        language=user.preferred_language or "zh-hans",
        two_factor_enabled=has_two_factor(user),
    )
