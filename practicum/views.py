"""Practicum pages: the trainee's log, the supervisor's queue, evaluations, the ledger,
the coordinator's overview, and the permission-checked evidence download.

Views are thin: they read through ``selectors``, decide access with ``permissions``
and change state only through ``services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import roles
from accounts.models import User
from accounts.permissions import coordinator_scope, role_required
from audit.models import AuditLog
from lms.uploads import private_file_response

from . import permissions, selectors, services
from .forms import (
    EntryForm,
    EvaluationForm,
    PlacementForm,
    QueueFilterForm,
    ReassignForm,
    ReverseForm,
    ReviewForm,
    SignForm,
    StartEvaluationForm,
    add_service_errors,
)
from .models import (
    CompetencyEvaluation,
    EntryAttachment,
    EntryState,
    EvaluationRating,
    Placement,
    PracticumEntry,
    Qualification,
)

PAGE_SIZE = 25


def _uploads(request) -> list:
    upload = request.FILES.get("attachment")
    return [upload] if upload else []


# --- Trainee ------------------------------------------------------------------------------


@role_required(roles.TRAINEE)
def my_entries(request):
    """The trainee's entries by state, progress per requirement, and the form to log one."""
    trainee = request.user
    placements = list(
        Placement.objects.current().filter(trainee=trainee).select_related("supervisor", "venue")
    )
    form = None
    if placements:
        if request.method == "POST":
            form = EntryForm(request.POST, request.FILES, trainee=trainee)
            if form.is_valid():
                try:
                    entry = services.create_entry(
                        trainee=trainee,
                        placement=form.cleaned_data["placement"],
                        data=form.entry_data(),
                        uploads=_uploads(request),
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                except PermissionDenied as error:
                    form.add_error(None, str(error))
                else:
                    if request.POST.get("then") == "submit":
                        try:
                            services.submit_entry(entry=entry, actor=trainee)
                            messages.success(request, _("Entry submitted for review."))
                        except ValidationError as error:
                            messages.error(request, " ".join(error.messages))
                    else:
                        messages.success(request, _("Entry saved as a draft."))
                    return redirect("practicum:entry_detail", pk=entry.pk)
        else:
            form = EntryForm(
                trainee=trainee, initial={"date": timezone.localdate(), "placement": placements[0]}
            )
    state = request.GET.get("state") or ""
    if state not in EntryState.values:
        state = ""
    page = Paginator(selectors.trainee_entries(trainee, state=state or None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = selectors.state_counts(trainee)
    statuses = [
        (placement, selectors.requirement_status(trainee, placement.qualification))
        for placement in placements
    ]
    return render(
        request,
        "practicum/my_entries.html",
        {
            "placements": placements,
            "statuses": statuses,
            "form": form,
            "page": page,
            "state": state,
            "states": [(code, label, counts[code]) for code, label in EntryState.choices],
        },
        status=400 if form is not None and form.errors else 200,
    )


def _history(entry: PracticumEntry) -> list[AuditLog]:
    """The entry's audit records, oldest first, with state labels for display."""
    labels = dict(EntryState.choices)
    events = list(
        AuditLog.objects.for_object(entry)
        .filter(action__startswith="practicum.entry.")
        .select_related("actor")
        .order_by("created_at", "id")
    )
    for event in events:
        event.from_label = labels.get(event.changes.get("from"), "")
        event.to_label = labels.get(event.changes.get("to"), "")
    return events


def _visible_entry(request, pk: int) -> PracticumEntry:
    queryset = PracticumEntry.objects.select_related(
        "trainee", "supervisor", "activity_type", "venue", "placement", "reviewed_by"
    )
    return get_object_or_404(permissions.visible_entries(request.user, queryset), pk=pk)


@login_required
def entry_detail(request, pk: int):
    entry = _visible_entry(request, pk)
    user = request.user
    context = {
        "entry": entry,
        "attachments": list(entry.attachments.all()),
        "history": _history(entry),
        "is_owner": entry.trainee_id == user.pk,
        "can_review": entry.state == EntryState.SUBMITTED
        and _allowed(permissions.check_can_review, user, entry),
        "can_reverse": entry.state == EntryState.APPROVED
        and _allowed(lambda u, e: permissions.check_can_reverse(u), user, entry),
    }
    if context["can_review"]:
        context["review_form"] = ReviewForm()
    if context["can_reverse"]:
        context["reverse_form"] = ReverseForm()
    return render(request, "practicum/entry_detail.html", context)


def _allowed(check, user, obj) -> bool:
    try:
        check(user, obj)
    except PermissionDenied:
        return False
    return True


@role_required(roles.TRAINEE)
def entry_edit(request, pk: int):
    entry = _visible_entry(request, pk)
    try:
        permissions.check_can_edit(request.user, entry)
    except PermissionDenied as error:
        messages.error(request, str(error))
        return redirect("practicum:entry_detail", pk=pk)
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, instance=entry, trainee=request.user)
        if form.is_valid():
            try:
                entry = services.update_entry(
                    entry=entry,
                    actor=request.user,
                    data=form.entry_data(),
                    uploads=_uploads(request),
                )
                if request.POST.get("then") == "submit":
                    services.submit_entry(entry=entry, actor=request.user)
                    messages.success(request, _("Entry submitted for review."))
                else:
                    messages.success(request, _("Entry saved."))
                return redirect("practicum:entry_detail", pk=entry.pk)
            except ValidationError as error:
                add_service_errors(form, error)
    else:
        form = EntryForm(instance=entry, trainee=request.user)
    return render(
        request,
        "practicum/entry_form.html",
        {"form": form, "entry": entry, "attachments": list(entry.attachments.all())},
        status=400 if form.errors else 200,
    )


@require_POST
@role_required(roles.TRAINEE)
def entry_submit(request, pk: int):
    entry = _visible_entry(request, pk)
    try:
        services.submit_entry(entry=entry, actor=request.user)
        messages.success(request, _("Entry submitted for review."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error))
    return redirect("practicum:entry_detail", pk=pk)


@require_POST
@role_required(roles.TRAINEE)
def entry_delete(request, pk: int):
    entry = _visible_entry(request, pk)
    try:
        services.delete_draft(entry=entry, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("practicum:entry_detail", pk=pk)
    messages.success(request, _("Draft deleted."))
    return redirect("practicum:my_entries")


@never_cache
@login_required
def attachment(request, pk: int):
    """Stream one evidence file to someone who may see its entry, with safe headers."""
    item = get_object_or_404(
        EntryAttachment.objects.filter(
            entry__in=permissions.visible_entries(request.user).values("pk")
        ),
        pk=pk,
    )
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    extension = item.file.name.rsplit(".", 1)[-1]
    return private_file_response(
        handle,
        content_type=item.content_type,
        filename=f"evidence-{item.entry_id}-{item.pk}.{extension}",
    )


@require_POST
@role_required(roles.TRAINEE)
def attachment_delete(request, pk: int):
    item = get_object_or_404(
        EntryAttachment.objects.filter(entry__trainee=request.user).select_related("entry"),
        pk=pk,
    )
    try:
        services.remove_attachment(attachment=item, actor=request.user)
        messages.success(request, _("File removed."))
    except PermissionDenied as error:
        messages.error(request, str(error))
    return redirect("practicum:entry_detail", pk=item.entry_id)


# --- Supervisor ---------------------------------------------------------------------------


@role_required(roles.SUPERVISOR)
def review_queue(request):
    """The supervisor's own trainees' entries, waiting ones first; bulk approve."""
    placements = list(selectors.supervised_placements(request.user))
    trainees = {p.trainee_id: p.trainee for p in placements}
    filters = QueueFilterForm(request.GET or None, trainees=trainees.values())
    options = filters.cleaned_data if filters.is_valid() else {}
    state = options.get("state") or EntryState.SUBMITTED
    queryset = selectors.review_queue(
        request.user,
        state=state,
        trainee_id=options.get("trainee"),
        activity_type_id=options["activity_type"].pk if options.get("activity_type") else None,
        service_kind=options.get("service_kind") or None,
        waiting_days=options.get("waiting") or None,
        sort=options.get("sort") or "oldest",
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for entry in page.object_list:
        days = (now - entry.submitted_at).days if entry.submitted_at else None
        entry.waiting_text = (
            ngettext("%(n)s day", "%(n)s days", days) % {"n": days} if days is not None else ""
        )
    config = services.practicum_settings()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "practicum/review_queue.html",
        {
            "filters": filters,
            "page": page,
            "state": state,
            "summary": selectors.queue_summary(
                request.user, reminder_days=config.supervisor_reminder_days
            ),
            "reminder_days": config.supervisor_reminder_days,
            "query": query.urlencode(),
        },
    )


@require_POST
@role_required(roles.SUPERVISOR)
def bulk_approve(request):
    ids = [value for value in request.POST.getlist("entries") if value.isdigit()]
    if not ids:
        messages.error(request, _("Select the entries to approve."))
    else:
        approved, skipped = services.bulk_approve(entry_ids=ids, reviewer=request.user)
        messages.success(request, _("%(n)s entries approved.") % {"n": approved})
        if skipped:
            messages.warning(
                request, _("%(n)s entries were not waiting for your review.") % {"n": skipped}
            )
    return redirect(reverse("practicum:review_queue") + "?" + request.POST.get("query", ""))


@require_POST
@role_required(roles.SUPERVISOR)
def entry_review(request, pk: int):
    entry = _visible_entry(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_entry(
                entry=entry,
                reviewer=request.user,
                action=form.cleaned_data["action"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Review recorded."))
            return redirect("practicum:review_queue")
    return render(
        request,
        "practicum/entry_detail.html",
        {
            "entry": entry,
            "attachments": list(entry.attachments.all()),
            "history": _history(entry),
            "can_review": entry.state == EntryState.SUBMITTED,
            "review_form": form,
        },
        status=400,
    )


@require_POST
@role_required(roles.ADMINISTRATOR)
def entry_reverse(request, pk: int):
    entry = _visible_entry(request, pk)
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            services.reverse_approval(
                entry=entry, actor=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Approval reversed; the entry is back with the trainee."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("practicum:entry_detail", pk=pk)


@role_required(roles.SUPERVISOR)
def my_trainees(request):
    """The supervisor's current trainees with their hours and evaluations."""
    placements = list(selectors.supervised_placements(request.user))
    by_qualification: dict[str, list] = {}
    for placement in placements:
        by_qualification.setdefault(placement.qualification, []).append(placement.trainee_id)
    statuses = {}
    for qualification, ids in by_qualification.items():
        for pk, status in selectors.requirement_status_bulk(ids, qualification).items():
            statuses[(pk, qualification)] = status
    evaluations = {}
    for evaluation in CompetencyEvaluation.objects.filter(
        placement__in=[p.pk for p in placements]
    ).order_by("created_at"):
        evaluations.setdefault(evaluation.placement_id, []).append(evaluation)
    rows = [
        (
            placement,
            statuses.get((placement.trainee_id, placement.qualification)),
            evaluations.get(placement.pk, []),
        )
        for placement in placements
    ]
    return render(
        request,
        "practicum/my_trainees.html",
        {"rows": rows, "start_form": StartEvaluationForm()},
    )


# --- Evaluations --------------------------------------------------------------------------


@require_POST
@role_required(roles.SUPERVISOR)
def evaluation_start(request, placement_pk: int):
    placement = get_object_or_404(
        permissions.visible_placements(request.user).select_related("trainee"), pk=placement_pk
    )
    form = StartEvaluationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose midterm or final."))
        return redirect("practicum:my_trainees")
    try:
        evaluation = services.start_evaluation(
            placement=placement,
            supervisor=request.user,
            stage=form.cleaned_data["stage"],
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("practicum:my_trainees")
    return redirect("practicum:evaluation", pk=evaluation.pk)


def _visible_evaluation(request, pk: int) -> CompetencyEvaluation:
    queryset = CompetencyEvaluation.objects.select_related(
        "trainee", "supervisor", "placement", "corrects"
    ).prefetch_related(
        Prefetch("ratings", queryset=EvaluationRating.objects.select_related("rubric_item"))
    )
    evaluation = get_object_or_404(
        queryset.filter(placement__in=permissions.visible_placements(request.user).values("pk")),
        pk=pk,
    )
    # A trainee sees their evaluations once signed, not the supervisor's draft.
    if evaluation.trainee_id == request.user.pk and not evaluation.is_signed:
        raise Http404
    return evaluation


@login_required
def evaluation(request, pk: int):
    """The evaluation form for its supervisor while a draft; read-only once signed."""
    evaluation = _visible_evaluation(request, pk)
    editable = not evaluation.is_signed and _allowed(
        permissions.check_can_evaluate, request.user, evaluation.placement
    )
    form = EvaluationForm(evaluation=evaluation) if editable else None
    sign_form = SignForm(initial={"signed_name": request.user.display_name}) if editable else None
    status = 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("This evaluation cannot be changed."))
        form = EvaluationForm(request.POST, evaluation=evaluation)
        signing = "sign" in request.POST
        sign_form = SignForm(request.POST) if signing else sign_form
        if form.is_valid() and (not signing or sign_form.is_valid()):
            try:
                services.save_evaluation(
                    evaluation=evaluation,
                    supervisor=request.user,
                    ratings=form.ratings(),
                    overall_comment=form.cleaned_data["overall_comment"],
                )
                if signing:
                    services.sign_evaluation(
                        evaluation=evaluation,
                        supervisor=request.user,
                        signed_name=sign_form.cleaned_data["signed_name"],
                    )
                    messages.success(request, _("Evaluation signed."))
                else:
                    messages.success(request, _("Evaluation saved."))
                return redirect("practicum:evaluation", pk=pk)
            except ValidationError as error:
                add_service_errors(form, error)
        status = 400
    corrections = list(evaluation.corrections.order_by("created_at"))
    return render(
        request,
        "practicum/evaluation.html",
        {
            "evaluation": evaluation,
            "ratings": list(evaluation.ratings.all()),
            "form": form,
            "sign_form": sign_form,
            "corrections": corrections,
            "can_correct": evaluation.is_signed
            and _allowed(permissions.check_can_evaluate, request.user, evaluation.placement),
        },
        status=status,
    )


@require_POST
@role_required(roles.SUPERVISOR)
def evaluation_correct(request, pk: int):
    original = _visible_evaluation(request, pk)
    try:
        correction = services.start_evaluation(
            placement=original.placement,
            supervisor=request.user,
            stage=original.stage,
            corrects=original,
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("practicum:evaluation", pk=pk)
    return redirect("practicum:evaluation", pk=correction.pk)


# --- Ledger and record --------------------------------------------------------------------


def _record_owner(request, user_pk: int, qualification: str):
    if qualification not in Qualification.values:
        raise Http404
    trainee = get_object_or_404(User, pk=user_pk)
    if not permissions.can_view_trainee_record(request.user, trainee):
        raise Http404
    return trainee


@login_required
def my_ledger(request):
    placement = (
        Placement.objects.filter(trainee=request.user)
        .order_by(F("closed_on").desc(nulls_first=True), "-start_date")
        .first()
    )
    if placement is None:
        messages.info(request, _("You have no practicum placement yet."))
        return redirect("practicum:my_entries")
    return redirect(
        "practicum:ledger", user_pk=request.user.pk, qualification=placement.qualification
    )


@login_required
def ledger(request, user_pk: int, qualification: str):
    """Approved hours by category against each requirement, approved entries, evaluations."""
    trainee = _record_owner(request, user_pk, qualification)
    return render(
        request,
        "practicum/ledger.html",
        {
            "ledger": selectors.ledger(trainee, qualification),
            "qualification_label": Qualification(qualification).label,
        },
    )


@login_required
def record_pdf(request, user_pk: int, qualification: str):
    """The printable practicum record (PDF) of a trainee for one qualification."""
    from .pdf import render_record

    trainee = _record_owner(request, user_pk, qualification)
    pdf = render_record(selectors.ledger(trainee, qualification))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="practicum-record-{trainee.pk}-{qualification}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Coordinator --------------------------------------------------------------------------


@role_required(roles.COORDINATOR, roles.ADMINISTRATOR)
def overview(request):
    """Every current practicum in the coordinator's scope: hours, waiting reviews, evaluations."""
    district = coordinator_scope(request.user)
    qualification = request.GET.get("qualification") or None
    if qualification not in Qualification.values:
        qualification = None
    page = Paginator(
        selectors.coordinator_overview(district, qualification=qualification), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    placements = list(page.object_list)
    statuses = {}
    for code in Qualification.values:
        ids = [p.trainee_id for p in placements if p.qualification == code]
        if ids:
            for pk, status in selectors.requirement_status_bulk(ids, code).items():
                statuses[(pk, code)] = status
    rows = [(p, statuses.get((p.trainee_id, p.qualification))) for p in placements]
    return render(
        request,
        "practicum/overview.html",
        {
            "page": page,
            "rows": rows,
            "district": district,
            "summary": selectors.overview_summary(district),
            "qualification": qualification or "",
            "qualifications": Qualification.choices,
            "now": timezone.now(),
        },
    )


@role_required(roles.COORDINATOR, roles.ADMINISTRATOR)
def placement_create(request):
    district = coordinator_scope(request.user)
    form = PlacementForm(request.POST or None, district=district)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_placement(
                trainee=data["trainee_username"],
                supervisor=data["supervisor"],
                qualification=data["qualification"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                venue=data["venue"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Placement created."))
            return redirect("practicum:overview")
    return render(
        request,
        "practicum/placement_form.html",
        {"form": form, "title": _("New placement")},
        status=400 if form.errors else 200,
    )


@role_required(roles.COORDINATOR, roles.ADMINISTRATOR)
def placement_reassign(request, pk: int):
    placement = get_object_or_404(
        permissions.visible_placements(request.user)
        .current()
        .select_related("trainee", "supervisor"),
        pk=pk,
    )
    form = ReassignForm(request.POST or None, placement=placement)
    if request.method == "POST" and form.is_valid():
        try:
            services.reassign_placement(
                placement=placement,
                supervisor=form.cleaned_data["supervisor"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Trainee reassigned."))
            return redirect("practicum:overview")
    history = []
    cursor = placement.previous if placement.previous_id else None
    while cursor is not None and len(history) < 20:
        history.append(cursor)
        cursor = cursor.previous
    return render(
        request,
        "practicum/placement_form.html",
        {
            "form": form,
            "placement": placement,
            "history": history,
            "title": _("Reassign %(name)s") % {"name": placement.trainee.display_name},
        },
        status=400 if form.errors else 200,
    )
