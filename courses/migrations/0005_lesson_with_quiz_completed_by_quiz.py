"""A lesson with a quiz in its content is completed by passing the quiz (issue 17).

``Lesson.clean`` keeps ``requires_quiz_pass`` on for such lessons from now on; this sets
it on the lessons already stored. Progress is not recomputed here: a lesson already
completed stays complete.
"""

from django.db import migrations, models


def lessons_with_a_quiz_need_it_passed(apps, schema_editor):
    Lesson = apps.get_model("courses", "Lesson")
    holding = [
        lesson.pk
        for lesson in Lesson.objects.filter(requires_quiz_pass=False).only("pk", "body")
        if any(item.get("type") == "quiz" for item in lesson.body.raw_data or [])
    ]
    Lesson.objects.filter(pk__in=holding).update(requires_quiz_pass=True)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0004_independent_review"),
    ]

    operations = [
        migrations.AlterField(
            model_name="lesson",
            name="requires_quiz_pass",
            field=models.BooleanField(
                default=False,
                help_text="When on, trainees cannot mark the lesson done themselves. Always on "
                "for a lesson with a quiz in its content.",
                verbose_name="completed by passing its quiz",
            ),
        ),
        migrations.RunPython(lessons_with_a_quiz_need_it_passed, migrations.RunPython.noop),
    ]
