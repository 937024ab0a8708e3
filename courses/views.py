"""Learning pages: catalogue, lessons, enrolment, My learning, cohorts, search.

Programme and course pages are served by Wagtail (their ``get_context``); the lesson
page is ``serve_lesson``, called by ``Lesson.serve``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.permissions import coordinator_scope, role_required
from lms.textinput import LABEL, TextPolicy

from . import permissions, selectors, services
from .forms import BulkEnrolForm, CohortForm, ReflectionForm
from .models import Cohort, Course, EnrolmentSource, Lesson, LessonStatus

SEARCH_QUERY = TextPolicy(200, purpose=LABEL, required=False)


def denied(request, denial: permissions.LearningDenied):
    """The refusal page: why, and a link to what unlocks it (403; 404 for unpublished)."""
    status = 404 if denial.code == "not_found" else 403
    return render(request, "courses/denied.html", {"denial": denial}, status=status)


# --- Catalogue, course and lesson pages ------------------------------------


def catalogue(request):
    context = selectors.catalogue(request.user)
    return render(request, "courses/catalogue.html", context)


def serve_lesson(request, lesson: Lesson, preview: bool = False):
    """The lesson page: content, where it sits in the course, mark-done and next lesson.

    A fixed number of queries: the course, the enrolment, the person's statuses in the
    course and (for lessons with reflection prompts) their answers; the outline and the
    rendered body come from the cache.
    """
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    course = getattr(lesson, "route_course", None)  # found by CourseCatalogue.route
    if course is None and lesson.path:
        course = Course.objects.filter(path=lesson.course_path).first()
    if course is None:
        raise Http404
    enrolment = selectors.active_enrolment(user, course)
    outline = selectors.course_outline(course)
    statuses = selectors.lesson_statuses(user, [course.pk])[course.pk]
    progress = selectors.lesson_states(outline, statuses, sequential=course.is_sequential)
    state = progress.by_id.get(lesson.pk)
    if preview:
        content = selectors.LessonContent(page=lesson, language=lesson.locale.language_code)
        segments = selectors.build_body_segments(lesson)
    else:
        try:
            permissions.check_lesson_access(user, course=course, state=state, enrolment=enrolment)
        except permissions.LearningDenied as denial:
            return denied(request, denial)
        # The reader's language first (issue 16): its live translation, else the original
        # with a notice; ?original=1/0 switches per course. Records stay on ``lesson``;
        # only the body shown is rendered (or read from the cache).
        if "original" in request.GET:
            selectors.set_reads_original(request, course, request.GET["original"] == "1")
        content = selectors.lesson_content(
            lesson,
            translation.get_language(),
            original=selectors.reads_original(request, course),
        )
        segments = selectors.lesson_body_segments(content.page)
        # A copy fetched to save the course on a phone (static/js/offline/offline.js) is
        # not the person opening the lesson: it does not mark it started.
        saving_for_offline = request.headers.get("X-Offline-Copy") == "1"
        if enrolment is not None and not saving_for_offline:
            services.start_lesson(
                user=user, lesson=lesson, enrolment=enrolment, status=state.status
            )
            if state.status == LessonStatus.NOT_STARTED:
                state.status = LessonStatus.IN_PROGRESS
    index = progress.states.index(state) if state in progress.states else None
    context = {
        "content": content,
        "page": lesson,
        "self": lesson,
        "request": request,
        "course": course,
        "course_url": outline.get("course_url") or course.get_url(),
        "enrolment": enrolment,
        "progress": progress,
        "state": state,
        "position": index + 1 if index is not None else None,
        "lesson_count": len(progress.states),
        "previous_lesson": progress.states[index - 1] if index else None,
        "next_lesson": (
            progress.states[index + 1]
            if index is not None and index + 1 < len(progress.states)
            else None
        ),
        "is_preview": preview,
    }
    if selectors.has_per_request_blocks(segments):
        # Blocks render outside the request's template context: give them what they need.
        context["user"] = user
        context["csrf_token"] = get_token(request)
        context["reflection_answers"] = selectors.reflection_answers(user, lesson)
    context["body"] = selectors.render_body(content.page, segments, context)
    return TemplateResponse(request, "courses/lesson.html", context)


def lesson(request, programme: str, course: str, module: str, lesson: str):
    """A lesson of the catalogue at /learn/…, found in two queries instead of Wagtail's
    level-by-level routing. Lessons under a view restriction are left to Wagtail's serve,
    which enforces it."""
    found = selectors.lesson_for_url(programme, course, module, lesson)
    if found is None:
        raise Http404
    lesson_page, course_page, restricted = found
    if restricted:
        from wagtail.views import serve

        return serve(request, request.path.lstrip("/"))
    lesson_page.route_course = course_page
    return serve_lesson(request, lesson_page)


def _course_or_404(course_id: int) -> Course:
    return get_object_or_404(Course.objects.live(), pk=course_id)


@login_required
@require_POST
def enrol(request, course_id: int):
    """Enrol, or come back to a course one withdrew from (``services.enrol`` rejoins)."""
    course = _course_or_404(course_id)
    rejoining = selectors.withdrawn_enrolment(request.user, course) is not None
    try:
        _enrolment, created = services.enrol(user=request.user, course=course)
    except permissions.LearningDenied as denial:
        return denied(request, denial)
    if created and rejoining:
        messages.success(request, _("Welcome back. You continue where you left off."))
    elif created:
        messages.success(request, _("You are enrolled. Start with the first lesson."))
    return redirect(course.get_url(request))


@login_required
def withdraw(request, course_id: int):
    """Withdraw from a course, after a page that says what happens (works without
    JavaScript: the course page links here, the button on this page posts)."""
    course = _course_or_404(course_id)
    enrolment = selectors.active_enrolment(request.user, course)
    if enrolment is None:
        raise Http404
    if request.method == "POST":
        services.withdraw(enrolment=enrolment, actor=request.user)
        messages.success(
            request,
            _("You have withdrawn. Your progress is kept: rejoin from this page at any time."),
        )
        return redirect(course.get_url(request))
    outline = selectors.course_outline(course)
    return render(
        request,
        "courses/withdraw_confirm.html",
        {
            "course": course,
            "course_url": outline.get("course_url") or course.get_url(request),
            "enrolment": enrolment,
            "required_count": outline["required_count"],
            "assigned": enrolment.source != EnrolmentSource.SELF,
        },
    )


@login_required
@require_POST
def complete_lesson(request, lesson_id: int):
    lesson = get_object_or_404(Lesson.objects.live(), pk=lesson_id)
    try:
        services.complete_lesson(user=request.user, lesson=lesson)
    except permissions.LearningDenied as denial:
        return denied(request, denial)
    course = Course.objects.get(path=lesson.course_path)
    enrolment = selectors.active_enrolment(request.user, course)
    if enrolment and enrolment.completed_at and enrolment.progress_percent == 100:
        messages.success(request, _("Course complete. Well done!"))
        return redirect(course.get_url(request))
    following = selectors.course_progress(request.user, course).next_lesson()
    messages.success(request, _("Lesson marked as done."))
    if following is not None:
        return redirect(following.url)
    return redirect(course.get_url(request))


@login_required
@require_POST
def save_reflection(request, lesson_id: int):
    lesson = get_object_or_404(Lesson.objects.live(), pk=lesson_id)
    form = ReflectionForm(request.POST)
    if form.is_valid():
        try:
            services.save_reflection(
                user=request.user,
                lesson=lesson,
                block_id=form.cleaned_data["block_id"],
                text=form.cleaned_data["text"],
                shared=form.cleaned_data["shared"],
            )
        except permissions.LearningDenied as denial:
            return denied(request, denial)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Your reflection is saved."))
            return redirect(f"{lesson.get_url(request)}#block-{form.cleaned_data['block_id']}")
    prompt = selectors.reflection_prompts(lesson).get(request.POST.get("block_id", ""))
    return render(
        request,
        "courses/reflection_form.html",
        {"form": form, "lesson": lesson, "prompt": prompt},
        status=400,
    )


@login_required
def my_learning(request):
    rows = selectors.my_learning(request.user)
    return render(request, "courses/my_learning.html", {"rows": rows})


def search(request):
    try:
        query = SEARCH_QUERY.clean(request.GET.get("q", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        query = ""
    results = selectors.search_learning(request.user, query) if query else []
    return render(request, "courses/search.html", {"query": query, "results": results})


# --- Reflections shared with supervisors -----------------------------------


@role_required(roles.SUPERVISOR)
def shared_reflections(request):
    """Reflections the supervisor's own trainees shared (``?trainee=`` one of them)."""
    answers = selectors.shared_reflections_for(request.user)
    trainee = None
    value = request.GET.get("trainee", "")
    if value.isdigit():
        trainee = selectors.supervised_person(request.user, int(value))
        if trainee is None:
            raise Http404
        answers = answers.filter(user=trainee)
    page = Paginator(answers, 30).get_page(request.GET.get("page"))
    return render(
        request, "courses/shared_reflections.html", {"page_obj": page, "trainee": trainee}
    )


# --- Cohorts ----------------------------------------------------------------


@role_required(roles.COORDINATOR, roles.ADMINISTRATOR)
def cohort_list(request):
    scope = coordinator_scope(request.user)
    cohorts = (
        Cohort.objects.in_scope(scope)
        .select_related("district", "programme", "coordinator")
        .annotate(member_count=Count("memberships"))
    )
    return render(request, "courses/cohort_list.html", {"cohorts": cohorts, "scope": scope})


@role_required(roles.COORDINATOR, roles.ADMINISTRATOR)
def cohort_create(request):
    scope = coordinator_scope(request.user)
    form = CohortForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.create_cohort(
                actor=request.user,
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        except permissions.LearningDenied as denial:
            return denied(request, denial)
        messages.success(request, _("Cohort created. Now add its members."))
        return redirect("courses:cohort_detail", cohort_id=cohort.pk)
    return render(request, "courses/cohort_form.html", {"form": form})


@role_required(roles.COORDINATOR, roles.ADMINISTRATOR)
def cohort_detail(request, cohort_id: int):
    cohort = get_object_or_404(
        Cohort.objects.select_related("district", "programme", "coordinator"), pk=cohort_id
    )
    try:
        permissions.check_can_manage_cohort(request.user, cohort)
    except permissions.LearningDenied as denial:
        return denied(request, denial)
    scope = coordinator_scope(request.user)
    progress = selectors.cohort_progress(cohort)
    form = BulkEnrolForm(
        request.POST or None, cohort=cohort, scope=scope, courses=progress["courses"]
    )
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.bulk_enrol(
                actor=request.user,
                cohort=cohort,
                users=form.cleaned_data["users"],
                courses=list(form.cleaned_data["courses"]),
                deadline=form.cleaned_data["deadline"],
                waive_prerequisites=form.cleaned_data["waive_prerequisites"],
            )
        except permissions.LearningDenied as denial:
            form.add_error(None, denial.message)
        else:
            messages.success(
                request,
                _(
                    "%(members)d members added, %(created)d enrolments made, "
                    "%(already)d already enrolled, %(skipped)d skipped."
                )
                % {
                    "members": result.members_added,
                    "created": result.enrolments_created,
                    "already": result.already_enrolled,
                    "skipped": len(result.skipped),
                },
            )
            if not result.skipped:
                return redirect("courses:cohort_detail", cohort_id=cohort.pk)
            progress = selectors.cohort_progress(cohort)
    return render(
        request,
        "courses/cohort_detail.html",
        {"cohort": cohort, "progress": progress, "form": form, "result": result},
        status=400 if request.method == "POST" and form.errors else 200,
    )
