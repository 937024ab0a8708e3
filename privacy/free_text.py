"""Where people's free text is stored, for ``recheck_free_text``.

Each entry names a model, a field holding text people typed about practice, sessions,
children or families (``NARRATIVE`` in ``lms.textinput``), the path from the model to
the district that scopes who reviews it, and, for JSON answers, how to read the text.
A test checks every entry names a real field; a new narrative field belongs here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def essay_text(value) -> str:
    """The written answer in a quiz slot's response (``{"text": ...}``), if any."""
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        return value["text"]
    return ""


@dataclass(frozen=True)
class StoredText:
    model: str  # "app_label.ModelName"
    field: str
    district_path: str | None
    read: Callable | None = None  # for JSON fields: the text inside the value
    only: dict | None = None  # a filter on the rows that hold such text

    @property
    def key(self) -> str:
        return f"{self.model}.{self.field}"


STORED_FREE_TEXT: tuple[StoredText, ...] = (
    StoredText("lecturer_corps.DeliveryReport", "notes", "session__request__venue__district"),
    StoredText("lecturer_corps.ServiceRequest", "notes", "venue__district"),
    StoredText("lecturer_corps.ServiceRequest", "cancel_reason", "venue__district"),
    StoredText("lecturer_corps.Session", "decline_reason", "request__venue__district"),
    StoredText("lecturer_corps.Session", "cancel_reason", "request__venue__district"),
    StoredText("lecturer_corps.UnavailablePeriod", "note", "profile__district"),
    StoredText("dispatch.VenueRequest", "notes", "venue__district"),
    StoredText("dispatch.VenueRequest", "coordinator_message", "venue__district"),
    StoredText("dispatch.PriorQualification", "decision_note", "holder__district"),
    StoredText("practicum.PracticumEntry", "description", "trainee__district"),
    StoredText("practicum.PracticumEntry", "reflection", "trainee__district"),
    StoredText("practicum.PracticumEntry", "review_comment", "trainee__district"),
    StoredText("practicum.Placement", "closed_reason", "trainee__district"),
    StoredText("practicum.CompetencyEvaluation", "overall_comment", "trainee__district"),
    StoredText("practicum.EvaluationRating", "comment", "evaluation__trainee__district"),
    StoredText("courses.ReflectionAnswer", "text", "user__district"),
    StoredText(
        "quizzes.AttemptSlot",
        "response",
        "attempt__user__district",
        read=essay_text,
        only={"question_data__qtype": "essay"},
    ),
    StoredText("quizzes.AttemptSlot", "comment", "attempt__user__district"),
    StoredText("certification.Certificate", "revocation_reason", "holder__district"),
    StoredText("certification.IssueRequest", "note", "trainee__district"),
    StoredText("supervision.SupervisionSession", "topics", None),
    StoredText("supervision.SupervisionSession", "follow_ups", None),
    StoredText("supervision.SupervisionAttendance", "dispute_reason", "trainee__district"),
    StoredText("supervision.Inspection", "summary", "district"),
    StoredText("supervision.Finding", "text", "inspection__district"),
    StoredText("supervision.CorrectiveAction", "required", "finding__inspection__district"),
    StoredText("supervision.CorrectiveAction", "evidence_note", "finding__inspection__district"),
    StoredText(
        "supervision.CorrectiveAction", "verification_note", "finding__inspection__district"
    ),
    StoredText("supervision.Stage", "description", None),
    StoredText("supervision.Stage", "sign_off_note", None),
)
