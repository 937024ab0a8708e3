"""The subject-access export: complete by construction, and complete in fact."""

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.core.management import call_command

from audit.models import AuditLog
from privacy import export
from privacy.services import export_person


def _open(content: bytes) -> tuple[dict, zipfile.ZipFile]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return json.loads(archive.read("person.json")), archive


def test_every_foreign_key_to_the_user_is_exported_or_excused():
    """A new model pointing at the user fails here until the export (or a reason) covers it."""
    missing = [
        f"{label}.{name}"
        for label, name in export.user_foreign_keys()
        if name not in export.EXPORTED.get(label, ()) and (label, name) not in export.NOT_EXPORTED
    ]
    assert missing == []


def test_the_coverage_check_sees_every_app_with_personal_data():
    labels = {label.split(".")[0] for label, _name in export.user_foreign_keys()}
    assert {
        "accounts",
        "audit",
        "courses",
        "quizzes",
        "practicum",
        "certification",
        "lecturer_corps",
        "reports",
    } <= labels


def test_every_export_lookup_is_a_real_path(db, trainee):
    for label in export.EXPORTED:
        model = apps.get_model(label)
        assert model._base_manager.filter(export.person_filter(label, trainee)).count() >= 0


def test_export_holds_profile_certificate_practicum_and_evidence(
    person, django_assert_max_num_queries
):
    with django_assert_max_num_queries(len(export.EXPORTED) + len(export.FILES_INCLUDED) + 8):
        content, summary = export_person(person=person)
    document, archive = _open(content)

    assert document["format"] == export.FORMAT
    profile = document["records"]["accounts.User"][0]
    assert profile["real_name"] == "测试学员"
    assert profile["mobile"] == "13900000000"
    assert "password" not in profile
    assert sorted(profile["roles"]) == ["lecturer", "trainee"]
    assert document["records"]["certification.Certificate"][0]["holder_name"] == "测试学员"
    assert document["records"]["practicum.PracticumEntry"][0]["reflection"] == "自我反思"
    assert document["records"]["account.EmailAddress"][0]["email"] == "subject@example.org"
    assert "key_hash" not in document["records"]["wagtailcore.APIToken"][0]

    names = set(archive.namelist())
    evidence = f"files/practicum.EntryAttachment/{person.test_attachment.file.name}"
    pdf = f"files/certification.Certificate/{person.test_certificate.pdf.name}"
    assert {evidence, pdf} <= names
    assert archive.read(evidence) == b"\\x89PNG 123"
    assert summary == {"records": sum(document["counts"].values()), "files": 2}


def test_export_includes_audit_records_by_and_about_the_person(person, administrator):
    from audit.services import record

    record("accounts.profile.update", actor=person, obj=person)
    record("accounts.role.grant", actor=administrator, obj=person)
    record("accounts.role.grant", actor=administrator, obj=administrator)
    document, _archive = _open(export_person(person=person)[0])
    actions = [row["action"] for row in document["records"]["audit.AuditLog"]]
    assert actions.count("accounts.profile.update") == 1
    assert actions.count("accounts.role.grant") == 1


def test_export_leaves_out_other_people(person, other_trainee):
    from practicum.tests.factories import EntryFactory

    EntryFactory(placement__trainee=other_trainee, description="别人的记录")
    content, _summary = export_person(person=person)
    assert (
        "别人的记录"
        not in content.decode("latin-1") + _open(content)[1].read("person.json").decode()
    )
    assert other_trainee.username not in _open(content)[1].read("person.json").decode()


def test_export_is_audited_with_counts_only(person, administrator):
    export_person(person=person, requested_by=administrator)
    entry = AuditLog.objects.get(action="privacy.person.export")
    assert entry.actor == administrator
    assert entry.object_id == str(person.pk)
    assert all(isinstance(value, int) for value in entry.changes.values())


def test_export_command_writes_the_zip(person, tmp_path):
    target = tmp_path / "out.zip"
    stdout = io.StringIO()
    call_command("export_person", person.username, output=str(target), stdout=stdout)
    document, _archive = _open(target.read_bytes())
    assert document["person"]["username"] == person.username
    assert "2 files" in stdout.getvalue()


def test_export_command_refuses_an_unknown_username(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No user"):
        call_command("export_person", "nobody-here")


@pytest.mark.django_db
def test_demo_people_exports_cover_every_app(settings, tmp_path):
    """The demo lecturer, trainee and coordinator between them touch every app's records."""
    from accounts.models import User
    from reports.models import RegisterCount

    call_command("seed_demo", stdout=io.StringIO())
    # The demo's register counts are loaded, not entered: the coordinator corrects one.
    figure = RegisterCount.objects.order_by("pk").first()
    figure.entered_by = User.objects.get(username="coordinator")
    figure.save(update_fields=["entered_by"])
    seen_apps = set()
    for username in ("lecturer", "trainee", "coordinator"):
        content, _summary = export_person(person=User.objects.get(username=username))
        document, _archive = _open(content)
        seen_apps |= {label.split(".")[0] for label in document["records"]}
    assert {
        "accounts",
        "audit",
        "courses",
        "quizzes",
        "practicum",
        "certification",
        "lecturer_corps",
        "reports",
    } <= seen_apps
