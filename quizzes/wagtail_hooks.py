"""The question bank and quizzes in the Wagtail admin, plus GIFT/XLSX import and export.

Questions, categories, quizzes and the marking pool change only through
``quizzes.services`` (``lms.one_door``): the same permission checks and audit rows as
the import and the pages; a question's new version is made by ``save_question``."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from accounts import roles
from lms import one_door

from . import permissions, services, xlsx
from .forms import ImportForm
from .models import MarkingAssignment, Question, QuestionCategory, Quiz, TranslationReview

_BANK_SERVICES = {
    Question: (services.save_question, services.delete_question, "question"),
    QuestionCategory: (services.save_category, services.delete_category, "category"),
    Quiz: (services.save_quiz, services.delete_quiz, "quiz"),
}
for _model, (_save, _delete, _name) in _BANK_SERVICES.items():
    one_door.register(
        one_door.Door(
            model=_model,
            check=partial(permissions.check_can_manage_bank, model=_model),
            scope=partial(permissions.bank_in_scope, model=_model),
            create=lambda *, actor, instance, _save=_save, _name=_name: _save(
                actor=actor, **{_name: instance}
            ),
            update=lambda *, actor, instance, changed, _save=_save, _name=_name: _save(
                actor=actor, changed=changed, **{_name: instance}
            ),
            delete=lambda *, actor, instance, _delete=_delete, _name=_name: _delete(
                actor=actor, **{_name: instance}
            ),
        )
    )


class QuestionCategoryViewSet(one_door.DoorViewSetMixin, SnippetViewSet):
    model = QuestionCategory
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("Question categories")
    list_display = ["path", "description"]
    search_fields = ["name"]


class QuestionViewSet(one_door.DoorViewSetMixin, SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = gettext_lazy("Question bank")
    list_display = [
        "name",
        "qtype",
        "category",
        "version",
        "is_active",
        "translation_review",
        "updated_at",
    ]
    list_filter = ["qtype", "category", "is_active"]
    list_per_page = 50


class QuizViewSet(one_door.DoorViewSetMixin, SnippetViewSet):
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
            data=upload.read(services.MAX_IMPORT_BYTES + 1),  # import_file refuses more
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


def review_translation_view(request, pk):
    """Mark a question's translation reviewed (``services.review_translation``): a
    confirmation page showing the original and the translation side by side, then POST."""
    question = get_object_or_404(Question.objects.select_related("locale"), pk=pk)
    permissions.check_can_review_translation(request.user, question)
    if not question.is_translation:
        raise Http404
    source = question.source_question()
    if request.method == "POST":
        services.review_translation(actor=request.user, question=question)
        messages.success(
            request,
            _("The translation of “%(name)s” is reviewed: trainees reading %(language)s see it.")
            % {"name": source.name, "language": question.locale.get_display_name()},
        )
        return redirect("wagtailsnippets_quizzes_question:list")
    return render(
        request,
        "quizzes/admin/review_translation.html",
        {
            "question": question,
            "source": source,
            "pairs": _answer_pairs(source, question),
            "header_icon": "help",
        },
    )


def _answer_pairs(source, translation) -> list[tuple]:
    theirs = {answer.translation_key: answer for answer in translation.answers.all()}
    return [(answer, theirs.get(answer.translation_key)) for answer in source.answers.all()]


@hooks.register("register_snippet_listing_buttons")
def review_translation_button(snippet, user, next_url=None):
    """ "Mark translation reviewed" on a question's translation awaiting review, for
    those who may (supervising experts and administrators). No query per row."""
    if (
        not isinstance(snippet, Question)
        or snippet.translation_review != TranslationReview.AWAITING
    ):
        return []
    if not roles.has_role(user, *permissions.GRADERS):
        return []
    return [
        Button(
            _("Mark translation reviewed"),
            reverse("quizzes_review_translation", args=[snippet.pk]),
            icon_name="tick",
            priority=60,
        )
    ]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path(
            "quizzes/translations/<int:pk>/review/",
            review_translation_view,
            name="quizzes_review_translation",
        ),
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


# --- the marking pool (administrators) --------------------------------------------------


def _assign_marking(*, actor, instance):
    try:
        assignment, _created = services.assign_marking(
            actor=actor,
            supervisor=instance.supervisor,
            trainee=instance.trainee,
            cohort=instance.cohort,
            note=instance.note,
        )
    except services.QuizError as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
    return assignment


one_door.register(
    one_door.Door(
        model=MarkingAssignment,
        check=permissions.check_marking_pool_admin,
        scope=lambda user: permissions.marking_pool_in_scope(user),
        create=_assign_marking,
        delete=lambda *, actor, instance: services.revoke_marking(actor=actor, assignment=instance),
        history={
            "quizzes.marking_pool.assign": gettext_lazy("Given for marking"),
            "quizzes.marking_pool.revoke": gettext_lazy("Taken back from marking"),
        },
    )
)


class MarkingAssignmentForm(forms.ModelForm):
    class Meta:
        model = MarkingAssignment
        fields = ["supervisor", "trainee", "cohort", "note"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = get_user_model().objects.filter(is_active=True).order_by("username")
        self.fields["supervisor"].queryset = people.filter(groups__name=roles.SUPERVISOR)
        self.fields["trainee"].queryset = people.filter(
            groups__name__in=[roles.TRAINEE, roles.LECTURER]
        ).distinct()
        self.fields["trainee"].help_text = gettext_lazy(
            "One trainee; or leave empty and choose a cohort."
        )
        self.fields["cohort"].help_text = gettext_lazy(
            "Every member of this cohort, including those who join later."
        )


class MarkingPoolViewSet(one_door.DoorViewSetMixin, ModelViewSet):
    """Administrators give supervising experts trainees to mark (``assign_marking``) and
    take them back (``revoke_marking``); an assignment is not edited."""

    model = MarkingAssignment
    icon = "group"
    menu_label = gettext_lazy("Marking pool")
    menu_order = 252
    add_to_admin_menu = True
    copy_view_enabled = False
    list_display = ["supervisor", "trainee", "cohort", "note", "assigned_by", "assigned_at"]
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return MarkingAssignmentForm


@hooks.register("register_admin_viewset")
def register_marking_pool_viewset():
    return MarkingPoolViewSet("marking_pool")
