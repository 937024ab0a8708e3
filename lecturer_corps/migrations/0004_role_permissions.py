from django.db import migrations

from accounts.role_migrations import grant_permissions, revoke_permissions

ROLE_PERMISSIONS = {
    "coordinator": [
        "lecturer_corps.view_lecturerprofile",
        "lecturer_corps.change_lecturerprofile",
        "lecturer_corps.view_servicerequest",
        "lecturer_corps.add_servicerequest",
        "lecturer_corps.change_servicerequest",
        "lecturer_corps.view_session",
        "lecturer_corps.view_deliveryreport",
    ],
    "administrator": [
        "lecturer_corps.view_lecturerprofile",
        "lecturer_corps.add_lecturerprofile",
        "lecturer_corps.change_lecturerprofile",
        "lecturer_corps.view_servicerequest",
        "lecturer_corps.add_servicerequest",
        "lecturer_corps.change_servicerequest",
        "lecturer_corps.view_session",
        "lecturer_corps.view_deliveryreport",
        "lecturer_corps.view_calendartoken",
        "lecturer_corps.change_calendartoken",
    ],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    revoke_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("lecturer_corps", "0003_no_double_booking"),
        ("accounts", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
