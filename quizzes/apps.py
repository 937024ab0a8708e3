from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Quizzes and exams")

    def ready(self):
        from wagtail.signals import page_published

        from . import panels
        from .signals import link_quizzes_to_course

        page_published.connect(link_quizzes_to_course, dispatch_uid="quizzes.link_to_course")
        panels.register()
