"""Pages: taking a quiz, reviewing it, results, the marking queue, gradebook, item analysis."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Page

from accounts import roles
from accounts.permissions import role_required
from lms import spreadsheets
from lms.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE

from . import grading, lessons, permissions, selectors, services
from .forms import MarkForm, answers_from_post
from .models import Attempt, AttemptSlot, Quiz
from .review import present_attempt, present_slot, present_slots, reader_language, review_flags

STAFF = permissions.RESULT_VIEWERS


def _attempt_for(request, pk) -> Attempt:
    """The attempt if the viewer may open it (``permissions.visible_attempts``), else 404."""
    return get_object_or_404(
        permissions.visible_attempts(
            request.user, Attempt.objects.select_related("quiz__page", "user")
        ),
        pk=pk,
    )


@login_required
def quiz_detail(request, pk):
    quiz = get_object_or_404(Quiz, pk=pk)
    permissions.check_can_take(request.user, quiz)
    attempts = list(Attempt.objects.filter(quiz=quiz, user=request.user).order_by("number"))
    now = timezone.now()
    for attempt in attempts:
        if services.finish_if_expired(attempt, now=now):
            attempt.refresh_from_db()
    in_progress = next((a for a in attempts if not a.is_finished), None)
    used = len(attempts)
    can_start = quiz.is_open(now) and (
        in_progress is not None or not quiz.attempts_allowed or used < quiz.attempts_allowed
    )
    grade = quiz.grades.filter(user=request.user).first()
    return render(
        request,
        "quizzes/quiz_detail.html",
        {
            "quiz": quiz,
            "attempts": attempts,
            "in_progress": in_progress,
            "can_start": can_start,
            "grade": grade,
            "show_marks": {a.pk: "marks" in review_flags(a, now=now) for a in attempts},
            "lesson_id": request.GET.get("lesson", ""),
        },
    )


@login_required
@require_POST
def start(request, pk):
    quiz = get_object_or_404(Quiz, pk=pk)
    lesson = lessons.lesson_for_attempt(request.POST.get("lesson"), quiz)
    try:
        attempt = services.start_attempt(user=request.user, quiz=quiz, lesson=lesson)
    except services.QuizError as exc:
        messages.error(request, exc.message)
        return redirect("quizzes:quiz_detail", pk=quiz.pk)
    return redirect("quizzes:attempt", pk=attempt.pk)


def _reads_original(request, attempt) -> bool:
    """Whether the trainee chose the Chinese original for the quiz's course (the lesson
    page's per-course switch, ``courses.selectors.reads_original``)."""
    from courses.selectors import reads_original

    page = attempt.quiz.page
    return page is not None and reads_original(request, page)


def _page_number(request, attempt, pages) -> int:
    try:
        page = int(request.GET.get("page", attempt.last_page))
    except (TypeError, ValueError):
        page = 0
    return min(max(page, 0), max(len(pages) - 1, 0))


@login_required
def attempt_page(request, pk):
    attempt = _attempt_for(request, pk)
    if attempt.user_id != request.user.pk or attempt.is_finished:
        return redirect("quizzes:review", pk=attempt.pk)
    if services.finish_if_expired(attempt):
        messages.warning(
            request, _("Time ran out: your attempt was submitted with the answers saved.")
        )
        return redirect("quizzes:review", pk=attempt.pk)
    if request.method == "POST":
        return _save_page(request, attempt)
    slots = list(attempt.slots.all())
    pages = sorted({slot.page for slot in slots})
    page = _page_number(request, attempt, pages)
    flags = review_flags(attempt)
    language = reader_language(request.user, attempt, original=_reads_original(request, attempt))
    questions = present_slots(
        [slot for slot in slots if slot.page == page], flags, finished=False, language=language
    )
    return render(
        request,
        "quizzes/attempt.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "questions": questions,
            "page": page,
            "pages": pages,
            "page_count": len(pages),
            "is_last": page >= len(pages) - 1,
            "seconds_left": attempt.seconds_left(),
            "answered": {slot.number for slot in slots if slot.response},
            "slot_pages": [(slot.number, slot.page) for slot in slots],
        },
    )


def _save_page(request, attempt):
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    try:
        page = int(request.POST.get("page", "0"))
    except ValueError:
        page = 0
    slots = [slot for slot in attempt.slots.all() if slot.page == page]
    answers = answers_from_post(slots, request.POST)
    action = request.POST.get("action", "save")
    try:
        if action == "finish":
            # "Submit all and finish": save this page, then ask on a page of its own.
            services.save_answers(user=request.user, attempt=attempt, answers=answers, page=page)
            return redirect("quizzes:finish", pk=attempt.pk)
        if action == "submit":  # the timer's submission when time runs out (no question)
            result = services.submit_attempt(user=request.user, attempt=attempt, answers=answers)
            if result.late:
                messages.warning(
                    request,
                    _("Time was up: the attempt was submitted with the answers saved in time."),
                )
            return redirect("quizzes:review", pk=attempt.pk)
        services.save_answers(user=request.user, attempt=attempt, answers=answers, page=page)
    except services.TimeUp as exc:
        if wants_json:
            return JsonResponse(
                {
                    "detail": exc.message,
                    "code": exc.code,
                    "redirect": reverse("quizzes:review", args=[attempt.pk]),
                },
                status=exc.status,
            )
        messages.warning(request, exc.message)
        return redirect("quizzes:review", pk=attempt.pk)
    except services.QuizError as exc:
        if wants_json:
            return JsonResponse({"detail": exc.message, "code": exc.code}, status=exc.status)
        messages.error(request, exc.message)
        return redirect(f"{reverse('quizzes:attempt', args=[attempt.pk])}?page={page}")
    if wants_json:
        return JsonResponse({"saved": True, "seconds_left": attempt.seconds_left()})
    target = page
    if action == "next":
        target = page + 1
    elif action == "previous":
        target = max(page - 1, 0)
    elif action.startswith("goto-"):
        try:
            target = int(action.removeprefix("goto-"))
        except ValueError:
            target = page
    return redirect(f"{reverse('quizzes:attempt', args=[attempt.pk])}?page={target}")


@login_required
def finish(request, pk):
    """Confirm "submit all and finish": how many questions have no answer, with a way
    back to each; submitting is a form, so it works without JavaScript."""
    attempt = _attempt_for(request, pk)
    if attempt.user_id != request.user.pk or attempt.is_finished:
        return redirect("quizzes:review", pk=attempt.pk)
    if services.finish_if_expired(attempt):
        messages.warning(
            request, _("Time ran out: your attempt was submitted with the answers saved.")
        )
        return redirect("quizzes:review", pk=attempt.pk)
    if request.method == "POST":
        result = services.submit_attempt(user=request.user, attempt=attempt)
        if result.late:
            messages.warning(
                request,
                _("Time was up: the attempt was submitted with the answers saved in time."),
            )
        return redirect("quizzes:review", pk=attempt.pk)
    slots = list(attempt.slots.only("number", "page", "response"))
    unanswered = [(slot.number, slot.page) for slot in slots if not slot.response]
    return render(
        request,
        "quizzes/finish.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "question_count": len(slots),
            "unanswered": unanswered,
            "seconds_left": attempt.seconds_left(),
            "last_page": max((slot.page for slot in slots), default=0),
        },
    )


@login_required
def review(request, pk):
    attempt = _attempt_for(request, pk)
    if attempt.user_id == request.user.pk and not attempt.is_finished:
        if not services.finish_if_expired(attempt):
            return redirect("quizzes:attempt", pk=attempt.pk)
        attempt.refresh_from_db()
    data = present_attempt(attempt, viewer=request.user, original=_reads_original(request, attempt))
    return render(
        request,
        "quizzes/review.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "data": data,
            **lessons.way_back(attempt),
        },
    )


@login_required
def my_results(request):
    grades, attempts = selectors.results_for(request.user)
    now = timezone.now()
    rows = []
    for attempt in attempts:
        rows.append((attempt, "marks" in review_flags(attempt, now=now)))
    grade_visible = {}
    for attempt, visible in rows:
        grade_visible.setdefault(attempt.quiz_id, False)
        grade_visible[attempt.quiz_id] |= visible and attempt.is_finished
    return render(
        request,
        "quizzes/my_results.html",
        {
            "grades": [(g, grade_visible.get(g.quiz_id, False)) for g in grades],
            "rows": rows,
        },
    )


# --- marking -------------------------------------------------------------------------


@role_required(*permissions.GRADERS)
def grading_queue(request):
    slots = selectors.grading_queue(
        permissions.markable_slots(request.user), quiz_id=request.GET.get("quiz") or None
    )
    is_administrator = roles.ADMINISTRATOR in roles.role_codes(request.user)
    unmarked_only = is_administrator and request.GET.get("unassigned") == "1"
    if unmarked_only:
        # Answers of trainees no supervising expert marks (no placement, no marking pool).
        slots = slots.exclude(attempt__user__in=permissions.trainees_with_a_marker())
    page = Paginator(slots, 25).get_page(request.GET.get("p"))
    return render(
        request,
        "quizzes/grading_queue.html",
        {
            "page_obj": page,
            "is_administrator": is_administrator,
            "unmarked_only": unmarked_only,
            "query": "unassigned=1&" if unmarked_only else "",
        },
    )


def _part_labels(data) -> dict[str, str]:
    if data["qtype"] != "case":
        return {grading.MAIN: _("this answer")}
    return {
        part.key: _("part %(n)d") % {"n": index + 1}
        for index, part in enumerate(grading.parts_of(data))
    }


@role_required(*permissions.GRADERS)
def mark(request, pk):
    slot = get_object_or_404(
        permissions.markable_slots(
            request.user, AttemptSlot.objects.select_related("attempt__quiz", "attempt__user")
        ),
        pk=pk,
    )
    if not slot.attempt.is_finished:
        raise PermissionDenied(_("The attempt is still in progress."))
    data = slot.question_data
    maxima = grading.part_max(data, slot.max_mark)
    form = MarkForm(
        request.POST or None,
        maxima=maxima,
        labels=_part_labels(data),
        initial_marks=slot.marks or {},
        initial={"comment": slot.comment},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_slot(
                grader=request.user,
                slot=slot,
                marks=form.marks(),
                comment=form.cleaned_data["comment"],
            )
        except services.QuizError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Mark saved; the trainee's result is updated."))
            return redirect("quizzes:grading_queue")
    question = present_slot(slot, review_flags(slot.attempt, staff=True), finished=True, staff=True)
    return render(
        request,
        "quizzes/mark.html",
        {
            "slot": slot,
            "question": question,
            "form": form,
            "grader_info": _grader_info(slot),
        },
    )


def _grader_info(slot) -> list[str]:
    from .models import Question

    ids = [slot.question_id] if slot.question_id else []
    ids += [p.get("id") for p in slot.question_data.get("parts", []) if p.get("id")]
    return [
        info
        for info in Question.objects.filter(pk__in=ids).values_list("grader_info", flat=True)
        if info
    ]


# --- gradebook and item analysis ------------------------------------------------------


@role_required(*STAFF)
def gradebook(request):
    """Trainees × quizzes of a cohort, a course or a programme, within the viewer's scope
    (``permissions.visible_trainees``; the CSV and XLSX exports are the same rows)."""
    from courses.models import Course, Enrolment

    users = permissions.visible_trainees(request.user, selectors.trainees_in_scope(None))
    cohorts = _cohorts_for(request.user, users)
    page = None
    if request.GET.get("page"):
        page = get_object_or_404(Page, pk=request.GET["page"])
    cohort = None
    if request.GET.get("cohort"):
        cohort = get_object_or_404(cohorts, pk=request.GET["cohort"])
        users = users.filter(cohort_memberships__cohort=cohort)
        if page is None and cohort.programme_id:
            page = cohort.programme
    elif page is not None and issubclass(page.specific_class, Course):
        users = users.filter(
            pk__in=Enrolment.objects.active().filter(course_id=page.pk).values("user_id")
        )
    quizzes = list(selectors.quizzes_for_page(page))
    book = selectors.gradebook(quizzes=quizzes, users=users)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _export(book, fmt)
    return render(
        request,
        "quizzes/gradebook.html",
        {
            "book": book,
            "rows_html": _gradebook_rows_html(book),
            "page": page,
            "pages": Page.objects.filter(
                pk__in=Quiz.objects.exclude(page=None).values("page")
            ).order_by("title"),
            "cohort": cohort,
            "cohorts": cohorts.order_by("-starts_on", "name"),
            "scope": _district_limit(request.user),
            "query": request.GET.urlencode(),
        },
    )


def _district_limit(user):
    """The district a coordinator-only viewer is limited to (shown on the page), else None."""
    codes = roles.role_codes(user)
    if roles.COORDINATOR in codes and not codes & {roles.ADMINISTRATOR, roles.SUPERVISOR}:
        return user.coordinator_district
    return None


def _cohorts_for(user, users):
    """Cohorts offered as gradebook filters: all for administrators and city-wide
    coordinators, a coordinator's district's, and those with a trainee the viewer sees."""
    from courses.models import Cohort

    if roles.ADMINISTRATOR in roles.role_codes(user):
        return Cohort.objects.all()
    condition = Q(pk__in=Cohort.objects.filter(memberships__user__in=users).values("pk"))
    if roles.COORDINATOR in roles.role_codes(user):
        if user.coordinator_district_id is None:
            return Cohort.objects.all()
        condition |= Q(district_id=user.coordinator_district_id)
    return Cohort.objects.filter(condition)


def _gradebook_rows_html(book) -> list[str]:
    """Table rows built in Python: 20,000 cells through the template engine take seconds."""
    passed = format_html('<span class="badge ok">{}</span>', _("pass"))
    failed = format_html('<span class="badge bad">{}</span>', _("fail"))
    waiting = format_html('<span class="badge warn">{}</span>', _("marking"))
    rows = []
    for row in book.rows:
        cells = []
        for cell in row.cells:
            if cell.best_grade is not None:
                cells.append(f"<td>{cell.best_grade:.1f}% {passed if cell.passed else failed}</td>")
            elif cell.pending:
                cells.append(f"<td>{waiting}</td>")
            else:
                cells.append("<td>—</td>")
        rows.append(
            mark_safe(  # noqa: S308 - names are escaped, the rest are numbers and fixed markup
                f'<tr><th scope="row">{escape(row.name)}</th><td>{escape(row.district)}</td>'
                + "".join(cells)
                + "</tr>"
            )
        )
    return rows


def _export(book, fmt):
    """The gradebook as CSV or XLSX; names are written formula-safe (lms/spreadsheets.py)."""
    table = selectors.gradebook_table(book)
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = HttpResponse(spreadsheets.csv_bytes(table), content_type=CSV_CONTENT_TYPE)
    else:
        content = spreadsheets.xlsx_bytes(table, title="gradebook")
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="gradebook-{stamp}.{fmt}"'
    return response


@role_required(*STAFF)
def item_analysis(request, pk):
    quiz = get_object_or_404(Quiz, pk=pk)
    stats = selectors.item_analysis(quiz)
    return render(request, "quizzes/item_analysis.html", {"quiz": quiz, "stats": stats})
