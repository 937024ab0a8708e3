"""Default practicum rules (activity types, requirements, rubric) and role permissions.

Services decide who may do what (practicum/permissions.py); these model permissions
say the same for the CMS, where administrators edit the rules.
"""

from django.db import migrations

from accounts.role_migrations import grant_permissions, revoke_permissions

ROLE_PERMISSIONS = {
    "trainee": [
        "practicum.view_practicumentry",
        "practicum.add_practicumentry",
        "practicum.change_practicumentry",
    ],
    "supervisor": [
        "practicum.view_placement",
        "practicum.view_practicumentry",
        "practicum.change_practicumentry",
        "practicum.view_competencyevaluation",
        "practicum.add_competencyevaluation",
        "practicum.change_competencyevaluation",
    ],
    "coordinator": [
        "practicum.view_placement",
        "practicum.add_placement",
        "practicum.change_placement",
        "practicum.view_practicumentry",
        "practicum.view_competencyevaluation",
    ],
    "administrator": [
        "practicum.view_placement",
        "practicum.add_placement",
        "practicum.change_placement",
        "practicum.view_practicumentry",
        "practicum.change_practicumentry",
        "practicum.view_competencyevaluation",
        *(
            f"practicum.{action}_{model}"
            for model in ("activitytype", "practicumrequirement", "activityminimum", "rubricitem")
            for action in ("add", "change", "delete", "view")
        ),
        "practicum.change_practicumsettings",
        "practicum.view_practicumsettings",
    ],
}


def forwards(apps, schema_editor):
    from practicum.defaults import install_defaults

    install_defaults(apps)
    grant_permissions(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("practicum", "0001_initial"),
        ("accounts", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
