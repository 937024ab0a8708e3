"""Schemathesis fuzzes the JSON API on a live server, as four roles, against the demo site.

For every operation in ``/api/v1/openapi.json`` and each role (trainee,
supervisor, district coordinator, administrator, each with a bearer token),
Hypothesis generates requests — schema-valid ones with random and with real
identifiers from the demo data, and schema-invalid ones — and every response
must pass Schemathesis' checks:

* ``not_a_server_error``: no 5xx;
* ``response_schema_conformance`` and ``content_type_conformance``: the body
  matches the documented schema for its status;
* ``status_code_conformance``: the status is one the operation documents.

Nothing is skipped (see docs/decisions.md, "API fuzzing"). Failures from all
operations are collected and reported together.
"""

from __future__ import annotations

import io
import os

import pytest

ROLES = {
    "trainee": "trainee",
    "supervisor": "supervisor",
    "coordinator": "coordinator_shanshan",
    "administrator": "admin",
}
# Examples per operation, role and kind of data (random ids, real ids, invalid data).
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "6"))


def real_path_parameters() -> dict[str, object]:
    """Identifiers that exist in the demo data, so requests reach past the 404."""
    from certification.models import Certificate
    from classes.models import TrainingClass
    from courses.models import Lesson
    from dispatch.models import PriorQualification, VenueRequest
    from lecturer_corps.models import ServiceRequest, Session
    from practicum.models import PracticumEntry
    from quizzes.models import Attempt, Quiz
    from safeguarding.models import Concern
    from supervision.models import (
        CorrectiveAction,
        Inspection,
        PublicityItem,
        Stage,
        SupervisionAttendance,
        SupervisionSession,
        Unit,
    )

    certificate = Certificate.objects.order_by("pk").first()
    return {
        "course_id": Lesson.objects.live().first().get_parent().get_parent().pk,
        "lesson_id": Lesson.objects.live().first().pk,
        "quiz_id": Quiz.objects.order_by("pk").first().pk,
        "attempt_id": Attempt.objects.order_by("pk").first().pk,
        "entry_id": PracticumEntry.objects.filter(trainee__username="trainee")
        .order_by("-pk")
        .first()
        .pk,
        "serial": certificate.serial,
        "code": certificate.verification_code,
        "request_id": ServiceRequest.objects.order_by("pk").first().pk,
        "session_id": Session.objects.order_by("pk").first().pk,
        "concern_id": _a_concern(Concern).pk,
        "class_id": _pk(TrainingClass),
        "venue_request_id": _pk(VenueRequest),
        "qualification_id": _pk(PriorQualification),
        "supervision_session_id": _pk(SupervisionSession),
        "attendance_id": _pk(SupervisionAttendance),
        "inspection_id": _pk(Inspection),
        "action_id": _pk(CorrectiveAction),
        "stage_id": _pk(Stage),
        "unit_id": _pk(Unit),
        "item_id": _pk(PublicityItem),
    }


def _pk(model) -> int:
    """The first row's id; where the demo makes none, an id that answers 404."""
    row = model.objects.order_by("pk").first()
    return row.pk if row is not None else 999_999


def _a_concern(Concern):
    """The demo raises no concern (each is about a real child): the fuzz run raises one,
    through the service, as the demo lecturer would."""
    concern = Concern.objects.order_by("pk").first()
    if concern is not None:
        return concern
    from accounts.models import User
    from places.models import Venue
    from safeguarding.services import raise_concern

    return raise_concern(
        actor=User.objects.get(username="lecturer"),
        category="health",
        urgency="not_urgent",
        what_seen="活动中一名10岁男孩多次说头疼，脸色苍白。",
        venue=Venue.objects.order_by("pk").first(),
    )


def run_examples(strategy, headers, checks) -> int:
    """Run EXAMPLES generated cases of one strategy; returns how many requests were sent."""
    from hypothesis import HealthCheck, Phase, given, settings

    sent = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def fuzz(case):
        nonlocal sent
        sent += 1
        case.call_and_validate(headers=headers, checks=checks)

    fuzz()
    return sent


@pytest.mark.django_db(transaction=True)
def test_api_survives_fuzzing(live_server, settings):
    import schemathesis
    from django.core.management import call_command
    from hypothesis.errors import Unsatisfiable
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )
    from wagtail.models import APIToken

    from accounts.models import User
    from tests.factories import enable_two_factor

    call_command("seed_demo", stdout=io.StringIO())
    settings.MFA_WAIVED_USERNAMES = frozenset()
    tokens = {}
    for role, username in ROLES.items():
        user = User.objects.get(username=username)
        if role != "trainee":
            enable_two_factor(user)
        tokens[role] = APIToken.create_token(user=user, name="fuzz")[1]
    path_values = real_path_parameters()

    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    checks = [
        not_a_server_error,
        response_schema_conformance,
        content_type_conformance,
        status_code_conformance,
    ]
    failures: list[str] = []
    examples = 0

    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        strategies = [("random ids", operation.as_strategy(GenerationMode.POSITIVE))]
        if names:
            strategies.append(
                (
                    "real ids",
                    operation.as_strategy(
                        GenerationMode.POSITIVE,
                        path_parameters={name: path_values[name] for name in names},
                    ),
                )
            )
        if operation.body or operation.query or names:
            strategies.append(("invalid", operation.as_strategy(GenerationMode.NEGATIVE)))
        for role, token in tokens.items():
            headers = {"Authorization": f"Bearer {token}"}
            for kind, strategy in strategies:
                try:
                    examples += run_examples(strategy, headers, checks)
                except Unsatisfiable:
                    pass  # no invalid value exists (e.g. a free-text path parameter)
                except (Exception, BaseExceptionGroup) as error:  # reported below
                    failures.append(f"{operation.label} as {role} ({kind}):\n{error}")

    print(
        f"\nschemathesis: {len(operations)} operations × {len(tokens)} roles, "
        f"{examples} requests, {len(failures)} failures"
    )
    assert not failures, "\n\n".join(failures)
