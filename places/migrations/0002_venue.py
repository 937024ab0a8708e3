"""Venues move from the lecturer corps to places (issue 13: shared places live below the
apps that use them). The table stays (``lecturer_corps_venue``): only Django's state
moves, so no row is copied and no foreign key is rebuilt. The content type is renamed
in place, so group permissions on venues, Wagtail history and audit rows keep pointing
at it."""

import django.db.models.deletion
from django.db import migrations, models


def _rename(apps, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    if content_type.objects.filter(app_label=new, model="venue").exists():
        return
    content_type.objects.filter(app_label=old, model="venue").update(app_label=new)


def rename_content_type(apps, schema_editor):
    _rename(apps, "lecturer_corps", "places")


def rename_content_type_back(apps, schema_editor):
    _rename(apps, "places", "lecturer_corps")


class Migration(migrations.Migration):

    dependencies = [
        ('places', '0001_initial'),
        ('lecturer_corps', '0008_attendance_counts_venue_confirmation'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.RunPython(rename_content_type, rename_content_type_back, elidable=False),
        migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel(
            name='Venue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('venue_type', models.CharField(choices=[('school', 'School'), ('community', 'Community'), ('farm', 'Farm'), ('township', 'Township')], max_length=20, verbose_name='type')),
                ('address', models.CharField(blank=True, max_length=300, verbose_name='address')),
                ('latitude', models.DecimalField(blank=True, decimal_places=5, max_digits=8, null=True, verbose_name='latitude')),
                ('longitude', models.DecimalField(blank=True, decimal_places=5, max_digits=8, null=True, verbose_name='longitude')),
                ('contact_name', models.CharField(blank=True, max_length=100, verbose_name='contact person')),
                ('contact_phone', models.CharField(blank=True, max_length=30, verbose_name='contact phone')),
                ('capacity', models.PositiveIntegerField(blank=True, null=True, verbose_name='capacity')),
                ('notes', models.TextField(blank=True, verbose_name='notes')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('district', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='venues', to='places.district', verbose_name='district or county')),
                ('township', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='venues', to='places.township', verbose_name='township')),
            ],
            options={
                'verbose_name': 'venue',
                'verbose_name_plural': 'venues',
                'db_table': 'lecturer_corps_venue',
                'ordering': ['district__sort_order', 'venue_type', 'name'],
                'constraints': [models.UniqueConstraint(fields=('district', 'name'), name='unique_venue_name_per_district')],
            },
        ),
        ]),
    ]
