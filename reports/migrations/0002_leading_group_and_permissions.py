"""The read-only leading group role, and who may see and change reporting data."""

from django.db import migrations

from accounts.role_migrations import grant_permissions, revoke_permissions

ROLE_PERMISSIONS = {
    "leading_group": [
        "reports.view_coveragefigure",
        "reports.view_monthlyreport",
    ],
    "coordinator": [
        "reports.view_coveragefigure",
        "reports.add_coveragefigure",
        "reports.change_coveragefigure",
        "reports.view_monthlyreport",
        "reports.add_monthlyreport",
    ],
    "administrator": [
        "reports.view_coveragefigure",
        "reports.add_coveragefigure",
        "reports.change_coveragefigure",
        "reports.view_monthlyreport",
        "reports.add_monthlyreport",
        "reports.change_monthlyreport",
        "audit.view_auditlog",
    ],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, ROLE_PERMISSIONS)
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name="leading_group", user__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("accounts", "0002_role_groups"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
