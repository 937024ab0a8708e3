"""The access matrix of the Wagtail admin's writes: every viewset behind a door
(``lms.one_door.DOORS``), its add, edit and delete views, for every role.

Built from the door registry, so a new viewset fails ``test_every_door_has_a_row`` until
it has a row. Each row gives, for the roles of ``ROLES`` in order, three letters for
add, edit and delete: ``A`` the view opens (allowed), ``-`` refused (Wagtail's redirect
to the dashboard, or 403). The object edited or deleted is the first one in the district
coordinator's scope (Gaochang), else the first one at all. The world is the access
matrix's (``tests.test_access_matrix``: the demo site, two-factor set up for staff), plus
the seeded city-wide coordinator. Only GET requests, each in a savepoint rolled back.
"""

from __future__ import annotations

import os

import pytest
from django.test import Client

from lms import one_door
from tests.test_access_matrix import request_once, world  # noqa: F401  (the fixture)

ROLES = (
    "trainee",
    "lecturer",
    "supervisor",
    "district_coordinator",
    "city_coordinator",
    "administrator",
)

#   trainee lecturer supervisor district-coordinator city-coordinator administrator
ADMIN_WRITES: dict[str, str] = {
    # The demo's cohort has no district (city-wide): a district coordinator may add
    # cohorts of their district but not edit or delete that one.
    "accounts.user": "--- --- --- AA- AA- AA-",
    "certification.certificationtype": "--- --- --- --- --- AA-",
    "certification.requirement": "--- --- --- --- --- AAA",
    "certification.signatory": "--- --- --- --- --- AAA",
    # The demo's open class is in Gaochang; a class with bookings is cancelled, not deleted
    # (the delete view opens; the service refuses).
    "classes.trainingclass": "--- --- --- AAA AAA AAA",
    "courses.cohort": "--- --- --- A-- AAA AAA",
    "courses.enrolment": "--- --- --- -A- -A- -A-",
    # Tariffs and budgets: the bureau's; district coordinators only look (outside the admin).
    "dispatch.budget": "--- --- --- --- AAA AAA",
    "dispatch.tariff": "--- --- --- --- AAA AAA",
    "lecturer_corps.lecturerprofile": "--- --- --- -A- -A- -A-",
    "places.district": "--- --- --- --- --- AAA",
    "places.township": "--- --- --- --- --- AAA",
    "places.venue": "--- --- --- AAA AAA AAA",
    "practicum.activitytype": "--- --- --- --- --- AAA",
    "practicum.practicumrequirement": "--- --- --- --- --- AAA",
    "practicum.rubricitem": "--- --- --- --- --- AAA",
    "quizzes.markingassignment": "--- --- --- --- --- A-A",
    "quizzes.question": "--- --- AAA --- --- AAA",
    "quizzes.questioncategory": "--- --- AAA --- --- AAA",
    "quizzes.quiz": "--- --- AAA --- --- AAA",
    "reports.coveragetarget": "--- --- --- --- --- AA-",
    "safeguarding.safeguardingarrangement": "--- --- --- --- --- AAA",
    # Units: coordinators manage their district's (the demo's first Gaochang unit); no delete.
    "supervision.publicityrule": "--- --- --- --- --- AA-",
    "supervision.stage": "--- --- --- --- --- AAA",
    "supervision.unit": "--- --- --- AA- AA- AA-",
}

DUMP = bool(os.environ.get("MATRIX_DUMP"))


def _viewsets():
    """{model label: (model, url names by action)} for every door's viewset."""
    from wagtail.admin.viewsets import viewsets
    from wagtail.admin.viewsets.model import ModelViewSet
    from wagtail.snippets.models import get_snippet_models

    found = {}
    viewsets.populate()
    candidates = [v for v in viewsets.viewsets if isinstance(v, ModelViewSet)]
    candidates += [m.snippet_viewset for m in get_snippet_models()]
    for viewset in candidates:
        model = getattr(viewset, "model", None)
        if model in one_door.DOORS and isinstance(viewset, one_door.DoorViewSetMixin):
            found[model._meta.label_lower] = (model, viewset)
    return found


def _user(w, role):
    from accounts.models import User

    if role == "city_coordinator":
        from allauth.mfa.models import Authenticator

        from tests.factories import enable_two_factor

        user = User.objects.get(username="coordinator", coordinator_district=None)
        if not Authenticator.objects.filter(user=user).exists():
            enable_two_factor(user)
        return user
    return w.users[role]


def _target(w, model):
    door = one_door.DOORS[model]
    return (
        door.scope(w.users["district_coordinator"]).order_by("pk").first()
        or door.scope(w.users["administrator"]).order_by("pk").first()
    )


def _observed(response_code: str) -> str:
    return "A" if response_code == "200" else "-"


def test_every_door_has_a_row():
    missing = sorted(set(_viewsets()) - set(ADMIN_WRITES))
    stale = sorted(set(ADMIN_WRITES) - set(_viewsets()))
    assert not missing or DUMP, f"admin viewsets without a row in ADMIN_WRITES: {missing}"
    assert not stale, f"rows for viewsets that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_admin_writes(world, role, db):  # noqa: F811
    from django.urls import reverse

    client = Client(raise_request_exception=False)
    client.force_login(_user(world, role))
    mismatches, dumped = [], {}
    for label, (model, viewset) in sorted(_viewsets().items()):
        target = _target(world, model)
        got = ""
        for action in ("add", "edit", "delete"):
            if action != "add" and target is None:
                got += "-"
                continue
            try:
                url = reverse(
                    viewset.get_url_name(action), args=[] if action == "add" else [target.pk]
                )
            except Exception:  # a viewset without that view (e.g. no edit for the pool)
                got += "-"
                continue
            got += _observed(request_once(client, "get", url))
        dumped[label] = got
        row = ADMIN_WRITES.get(label)
        if row is None:
            continue
        expected = row.split()[ROLES.index(role)]
        if got != expected:
            mismatches.append(f"{label}: expected {expected}, got {got}")
    if DUMP:
        for label, got in dumped.items():
            print(f"DUMP {role} {label} {got}")
    assert not mismatches, f"{role}:\n" + "\n".join(mismatches)
