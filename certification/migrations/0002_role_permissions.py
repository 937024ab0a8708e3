from django.db import migrations

from accounts.role_migrations import grant_permissions, revoke_permissions

ROLE_PERMISSIONS = {
    "coordinator": [
        "certification.view_certificationtype",
        "certification.view_certificate",
        "certification.issue_certificate",
        "certification.revoke_certificate",
        "certification.view_issuerequest",
    ],
    "administrator": [
        "certification.view_certificationtype",
        "certification.add_certificationtype",
        "certification.change_certificationtype",
        "certification.view_requirement",
        "certification.add_requirement",
        "certification.change_requirement",
        "certification.delete_requirement",
        "certification.view_signatory",
        "certification.add_signatory",
        "certification.change_signatory",
        "certification.delete_signatory",
        "certification.view_certificate",
        "certification.issue_certificate",
        "certification.revoke_certificate",
        "certification.view_issuerequest",
        "certification.view_bulkissuejob",
    ],
}


def grant(apps, schema_editor):
    grant_permissions(apps, ROLE_PERMISSIONS)


def revoke(apps, schema_editor):
    revoke_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("certification", "0001_initial"),
        ("accounts", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
