# Wagtail's documented path for making existing models translatable
# ("Adding translatable models", BootstrapTranslatableModel): every existing question
# and answer gets the default locale and its own translation_key.
from django.db import migrations
from wagtail.models import BootstrapTranslatableModel


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0005_translatable_bootstrap"),
    ]

    operations = [
        BootstrapTranslatableModel("quizzes.Question"),
        BootstrapTranslatableModel("quizzes.Answer"),
    ]
