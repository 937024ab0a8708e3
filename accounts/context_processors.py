from . import roles


def roles_context(request):
    user = getattr(request, "user", None)
    codes = roles.role_codes(user) if user is not None else frozenset()
    return {
        "user_roles": codes,
        "is_trainee": roles.TRAINEE in codes,
        "is_lecturer": roles.LECTURER in codes,
        "is_coordinator": roles.COORDINATOR in codes,
        "is_supervisor": roles.SUPERVISOR in codes,
        "is_administrator": roles.ADMINISTRATOR in codes,
    }
