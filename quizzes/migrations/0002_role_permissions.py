from django.db import migrations

from accounts.role_migrations import grant_permissions, revoke_permissions

BANK = [
    f"quizzes.{action}_{model}"
    for model in ("quiz", "question", "questioncategory")
    for action in ("add", "change", "delete", "view")
]

ROLE_PERMISSIONS = {
    "supervisor": BANK,
    "coordinator": ["quizzes.view_quiz"],
    "administrator": BANK,
}


def forwards(apps, schema_editor):
    grant_permissions(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_initial"),
        ("accounts", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
