from django.db import migrations

from accounts.role_migrations import grant_permissions, revoke_permissions

ROLE_PERMISSIONS = {
    "trainee": [],
    "lecturer": [],
    "supervisor": ["wagtailadmin.access_admin", "accounts.view_user"],
    "coordinator": [
        "wagtailadmin.access_admin",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "places.view_district",
        "places.view_township",
        "lecturer_corps.view_venue",
        "lecturer_corps.add_venue",
        "lecturer_corps.change_venue",
    ],
    "administrator": [
        "wagtailadmin.access_admin",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "auth.view_group",
        "places.view_district",
        "places.add_district",
        "places.change_district",
        "places.view_township",
        "places.add_township",
        "places.change_township",
        "lecturer_corps.view_venue",
        "lecturer_corps.add_venue",
        "lecturer_corps.change_venue",
        "lecturer_corps.delete_venue",
        "audit.view_auditlog",
    ],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("places", "0001_initial"),
        ("lecturer_corps", "0001_initial"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
