"""No double booking, enforced by PostgreSQL: an exclusion constraint over
(lecturer, session time range) for live sessions, using btree_gist.

Only PostgreSQL has exclusion constraints; on other databases this migration does
nothing and ``lecturer_corps.services`` (which checks on every database) is the guard.
"""

from django.db import migrations

LIVE = "('proposed', 'accepted', 'confirmed', 'delivered', 'verified')"

CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE lecturer_corps_session
    ADD CONSTRAINT session_no_double_booking
    EXCLUDE USING gist (
        lecturer_id WITH =,
        tstzrange(starts_at, ends_at, '[)') WITH &&
    ) WHERE (status IN {LIVE});
"""

DROP = "ALTER TABLE lecturer_corps_session DROP CONSTRAINT IF EXISTS session_no_double_booking;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("lecturer_corps", "0002_lecturers_requests_sessions")]

    operations = [migrations.RunPython(forwards, backwards)]
