from django.db import migrations, models


def fill_uyghur_names(apps, schema_editor):
    from practicum.defaults import install_uyghur_names

    install_uyghur_names(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("practicum", "0006_constraint_messages"),
    ]

    operations = [
        migrations.AddField(
            model_name="activitytype",
            name="name_ug",
            field=models.CharField(blank=True, max_length=100, verbose_name="Uyghur name"),
        ),
        migrations.RunPython(fill_uyghur_names, migrations.RunPython.noop),
    ]
