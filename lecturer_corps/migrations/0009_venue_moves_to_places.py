"""Venues now live in places (``places/migrations/0002_venue.py``): state only, the table
and its foreign keys stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('lecturer_corps', '0008_attendance_counts_venue_confirmation'),
        ('places', '0002_venue'),
        ('practicum', '0004_venue_in_places'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.AlterField(
            model_name='venuecontact',
            name='venue',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contacts', to='places.venue', verbose_name='venue'),
        ),
        migrations.AlterField(
            model_name='servicerequest',
            name='venue',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='service_requests', to='places.venue', verbose_name='venue'),
        ),
        migrations.DeleteModel(
            name='Venue',
        ),
        ]),
    ]
