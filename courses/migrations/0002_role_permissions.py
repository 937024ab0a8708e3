from django.db import migrations

from accounts.role_migrations import grant_permissions, revoke_permissions

ROLE_PERMISSIONS = {
    "coordinator": [
        "courses.view_cohort",
        "courses.add_cohort",
        "courses.change_cohort",
        "courses.view_enrolment",
    ],
    "administrator": [
        "courses.view_cohort",
        "courses.add_cohort",
        "courses.change_cohort",
        "courses.delete_cohort",
        "courses.view_enrolment",
        "courses.view_lessonprogress",
    ],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("accounts", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
