"""The question bank and quizzes in the Wagtail admin, plus GIFT/XLSX import and export."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from accounts import roles

from . import permissions, services, xlsx
from .forms import ImportForm
from .models import Question, QuestionCategory, Quiz


class QuestionCategoryViewSet(SnippetViewSet):
    model = QuestionCategory
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("Question categories")
    list_display = ["path", "description"]
    search_fields = ["name"]


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = gettext_lazy("Question bank")
    list_display = ["name", "qtype", "category", "version", "is_active", "updated_at"]
    list_filter = ["qtype", "category", "is_active"]
    list_per_page = 50


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "form"
    menu_label = gettext_lazy("Quizzes and exams")
    list_display = ["title", "page", "is_available", "time_limit_minutes", "pass_mark"]
    list_filter = ["is_available"]


class QuizzesGroup(SnippetViewSetGroup):
    menu_label = gettext_lazy("Quizzes")
    menu_icon = "form"
    menu_order = 250
    items = (QuizViewSet, QuestionViewSet, QuestionCategoryViewSet)


register_snippet(QuizzesGroup)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def bump_question_version(request, instance):
    """Editing a question makes a new version; attempts keep the version they were given."""
    if isinstance(instance, Question):
        instance.refresh_version()


def _check_bank_manager(user) -> None:
    permissions.check_can_grade(user)


def import_view(request):
    _check_bank_manager(request.user)
    report = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = services.import_file(
            user=request.user,
            data=upload.read(),
            fmt=form.cleaned_data["format"],
            category_path=form.cleaned_data["category"],
            dry_run=form.cleaned_data["dry_run"],
            filename=upload.name,
        )
        if report.ok and not report.dry_run:
            messages.success(request, _("%(n)d questions imported.") % {"n": report.created})
        elif report.ok:
            messages.success(
                request,
                _("Check passed: %(n)d questions can be imported.") % {"n": len(report.questions)},
            )
        else:
            messages.error(request, _("Nothing was imported; see the reasons below."))
    return render(
        request,
        "quizzes/admin/import.html",
        {
            "form": form,
            "report": report,
            "categories": QuestionCategory.objects.all(),
            "header_icon": "upload",
        },
    )


def export_view(request):
    _check_bank_manager(request.user)
    category = None
    if request.GET.get("category"):
        category = QuestionCategory.objects.filter(pk=request.GET["category"]).first()
    text, skipped = services.export_gift(category=category)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="questions-{stamp}.gift.txt"'
    if skipped:
        response["X-Skipped-Questions"] = str(len(skipped))
    return response


def template_view(request):
    _check_bank_manager(request.user)
    response = HttpResponse(
        xlsx.template_bytes(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="question-template.xlsx"'
    return response


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("quizzes/import/", import_view, name="quizzes_import"),
        path("quizzes/export/", export_view, name="quizzes_export"),
        path("quizzes/template.xlsx", template_view, name="quizzes_template"),
    ]


class BankManagerMenuItem(MenuItem):
    def is_shown(self, request):
        return roles.has_role(request.user, *permissions.GRADERS)


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return BankManagerMenuItem(
        gettext_lazy("Import questions"),
        reverse("quizzes_import"),
        icon_name="upload",
        order=251,
    )
