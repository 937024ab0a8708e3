"""Venues now live in places: the foreign keys point there (state only; same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('places', '0002_venue'),
        ('practicum', '0003_entry_hours_index'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.AlterField(
            model_name='placement',
            name='venue',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='practicum_placements', to='places.venue', verbose_name='main venue'),
        ),
        migrations.AlterField(
            model_name='practicumentry',
            name='venue',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='practicum_entries', to='places.venue', verbose_name='venue'),
        ),
        ]),
    ]
