"""The audit log is append-only: nothing in the application changes or removes a record."""

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction

from accounts import roles
from audit.models import AppendOnlyError, AuditLog
from audit.services import record
from tests.factories import make_user


@pytest.fixture
def entry(db, administrator):
    return record("accounts.import", actor=administrator, changes={"created": 3})


def test_record_writes_one_row(entry, administrator):
    assert AuditLog.objects.get() == entry
    assert entry.actor == administrator
    assert entry.actor_repr == "t_admin"
    assert entry.changes == {"created": 3}


def test_saving_an_existing_record_refuses(entry):
    entry.action = "something.else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    entry.refresh_from_db()
    assert entry.action == "accounts.import"


def test_deleting_a_record_refuses(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditLog.objects.filter(pk=entry.pk).exists()


def test_queryset_update_refuses(entry):
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditLog.objects.filter(pk=entry.pk).update(action="rewritten")
    entry.refresh_from_db()
    assert entry.action == "accounts.import"


def test_queryset_delete_refuses(entry):
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditLog.objects.all().delete()
    assert AuditLog.objects.count() == 1


def test_bulk_update_refuses(entry):
    entry.action = "rewritten"
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditLog.objects.bulk_update([entry], ["action"])
    assert AuditLog.objects.get().action == "accounts.import"


def test_manager_has_no_update_or_delete(entry):
    """``AuditLog.objects.update`` would be the queryset's; the manager does not offer delete."""
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.update(action="rewritten")
    assert not hasattr(AuditLog.objects, "delete")


def test_django_admin_offers_no_add_change_or_delete(client, entry):
    superuser = make_user(roles.ADMINISTRATOR, username="t_root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    url = f"/django-admin/audit/auditlog/{entry.pk}/"
    assert client.get("/django-admin/audit/auditlog/").status_code == 200
    assert client.get("/django-admin/audit/auditlog/add/").status_code == 403
    assert client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    # The change page is read-only: a post changes nothing (Django redirects back).
    assert client.post(url, {"action": "rewritten"}).status_code in (302, 403)
    client.post(
        "/django-admin/audit/auditlog/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    entry.refresh_from_db()
    assert entry.action == "accounts.import"
    assert AuditLog.objects.filter(pk=entry.pk).exists()


def test_no_role_holds_change_or_delete_permission(db):
    granted = Permission.objects.filter(
        content_type__app_label="audit", codename__in=["change_auditlog", "delete_auditlog"]
    ).filter(group__isnull=False)
    assert not granted.exists()
