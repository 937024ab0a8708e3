"""The content locales (issue 16): Chinese (the source), Uyghur and English.

Wagtail's own migration made the default locale from LANGUAGE_CODE; this adds the
others named in WAGTAIL_CONTENT_LANGUAGES. The codes are written here, not read from
settings, so the migration means the same thing whenever it runs.
"""

from django.db import migrations

CONTENT_LANGUAGES = ["zh-hans", "ug", "en"]


def create_locales(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    for code in CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0005_lesson_with_quiz_completed_by_quiz"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_locales, migrations.RunPython.noop)]
