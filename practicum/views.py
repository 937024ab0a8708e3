"""Practicum pages: the trainee's log, the supervisor's queue, evaluations, the ledger,
the coordinator's overview, and the permission-checked evidence download.

Views are thin: they read through ``selectors``, decide access with ``permissions``
and change state only through ``services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch
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
    if context["can_review"] or entry.supervisor_id == user.pk:
        context.update(_review_flow(request, entry))
    if context["can_review"]:
        context["review_form"] = ReviewForm(
            initial={"then": "next", "trainee": context["scope_trainee"]}
        )
    if context["can_reverse"]:
        context["reverse_form"] = ReverseForm()
    return render(request, "practicum/entry_detail.html", context)


def _scope_trainee(request) -> int | None:
    """The trainee a supervising expert is going through (``?trainee=`` or the form's)."""
    value = request.POST.get("trainee") or request.GET.get("trainee") or ""
    return int(value) if value.isdigit() else None


def _review_flow(request, entry: PracticumEntry) -> dict:
    """Where this entry sits in the supervisor's queue, and the entry after it."""
    trainee_id = _scope_trainee(request)
    if trainee_id is not None and trainee_id != entry.trainee_id:
        trainee_id = None
    place, waiting = selectors.queue_position(request.user, entry, trainee_id=trainee_id)
    return {
        "scope_trainee": trainee_id,
        "queue_place": place,
        "queue_waiting": waiting,
        "next_entry": selectors.next_waiting_entry(
            request.user, after=entry, trainee_id=trainee_id
        ),
    }


def _entry_url(pk: int, trainee_id: int | None) -> str:
    url = reverse("practicum:entry_detail", args=[pk])
    return f"{url}?trainee={trainee_id}" if trainee_id else url


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
        entry.waiting_text = _waiting_text(entry, now)
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
            "first_waiting": selectors.next_waiting_entry(request.user),
        },
    )


def _waiting_text(entry: PracticumEntry, now) -> str:
    """How long an entry has waited since it was submitted: "today", "3 days"."""
    if entry.submitted_at is None:
        return ""
    days = (now - entry.submitted_at).days
    if days < 1:
        return _("since today")
    return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}


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
    trainee = request.POST.get("trainee", "")
    if trainee.isdigit():
        return redirect("practicum:trainee_review", user_pk=int(trainee))
    return redirect(reverse("practicum:review_queue") + "?" + request.POST.get("query", ""))


@role_required(roles.SUPERVISOR)
def trainee_review(request, user_pk: int):
    """One trainee's entries together: every waiting one in full, then the latest others,
    with their hours against the requirement; approve several at once or go through them
    one by one."""
    trainee = get_object_or_404(
        User.objects.filter(pk__in=permissions.supervised_trainee_ids(request.user)), pk=user_pk
    )
    review = selectors.trainee_review(request.user, trainee)
    now = timezone.now()
    for entry in review.waiting:
        entry.waiting_text = _waiting_text(entry, now)
    return render(request, "practicum/trainee_review.html", {"review": review})


@require_POST
@role_required(roles.SUPERVISOR)
def entry_review(request, pk: int):
    """Record a decision, then open the next waiting entry (of the same trainee when the
    expert is going through one trainee's entries) or, with nothing left, the queue."""
    entry = _visible_entry(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            entry = services.review_entry(
                entry=entry,
                reviewer=request.user,
                action=form.cleaned_data["action"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = {
                "approve": _("Entry approved."),
                "return": _("Entry returned to the trainee."),
                "reject": _("Entry rejected."),
            }[form.cleaned_data["action"]]
            trainee_id = form.cleaned_data.get("trainee")
            if trainee_id != entry.trainee_id:
                trainee_id = None
            if form.cleaned_data.get("then") == "stay":
                messages.success(request, done)
                return redirect("practicum:entry_detail", pk=entry.pk)
            following = selectors.next_waiting_entry(
                request.user, after=entry, trainee_id=trainee_id
            )
            if following is None:
                messages.success(
                    request,
                    _("%(done)s Nothing else is waiting for your review.") % {"done": done}
                    if trainee_id is None
                    else _("%(done)s Nothing else of this trainee's is waiting.") % {"done": done},
                )
                if trainee_id is not None:
                    return redirect("practicum:trainee_review", user_pk=trainee_id)
                return redirect("practicum:review_queue")
            messages.success(request, _("%(done)s Here is the next one.") % {"done": done})
            return redirect(_entry_url(following, trainee_id))
    context = {
        "entry": entry,
        "attachments": list(entry.attachments.all()),
        "history": _history(entry),
        "can_review": entry.state == EntryState.SUBMITTED,
        "review_form": form,
    }
    context.update(_review_flow(request, entry))
    return render(request, "practicum/entry_detail.html", context, status=400)


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
    waiting = dict(
        PracticumEntry.objects.waiting()
        .filter(supervisor=request.user)
        .values_list("trainee_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for placement in placements:
        placement.waiting_count = waiting.get(placement.trainee_id, 0)
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
    """The evaluation form for its supervisor while a draft; read-only once signed.

    Signing is never done from here: "Review and sign" saves the ratings and opens the
    confirmation page (``evaluation_sign``), which shows the pass rule and the result first.
    """
    evaluation = _visible_evaluation(request, pk)
    editable = _editable(request, evaluation)
    form = EvaluationForm(evaluation=evaluation) if editable else None
    status = 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("This evaluation cannot be changed."))
        form = EvaluationForm(request.POST, evaluation=evaluation)
        if form.is_valid():
            try:
                services.save_evaluation(
                    evaluation=evaluation,
                    supervisor=request.user,
                    ratings=form.ratings(),
                    overall_comment=form.cleaned_data["overall_comment"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if "sign" in request.POST:
                    return redirect("practicum:evaluation_sign", pk=pk)
                messages.success(request, _("Evaluation saved."))
                return redirect("practicum:evaluation", pk=pk)
        status = 400
    corrections = list(evaluation.corrections.order_by("created_at"))
    return render(
        request,
        "practicum/evaluation.html",
        {
            "evaluation": evaluation,
            "ratings": list(evaluation.ratings.all()),
            "form": form,
            "preview": selectors.evaluation_preview(evaluation) if editable else None,
            "corrections": corrections,
            "can_correct": evaluation.is_signed
            and _allowed(permissions.check_can_evaluate, request.user, evaluation.placement),
        },
        status=status,
    )


def _editable(request, evaluation: CompetencyEvaluation) -> bool:
    return not evaluation.is_signed and _allowed(
        permissions.check_can_evaluate, request.user, evaluation.placement
    )


@role_required(roles.SUPERVISOR)
def evaluation_sign(request, pk: int):
    """The confirmation step before the irreversible signing: the ratings, the pass rule,
    the mean and the result (a fail said plainly and ticked for separately), and what
    signing does. The result confirmed here is the one signed, or nothing is."""
    evaluation = _visible_evaluation(request, pk)
    if not _editable(request, evaluation):
        messages.info(request, _("This evaluation is signed; it can no longer be changed."))
        return redirect("practicum:evaluation", pk=pk)
    preview = selectors.evaluation_preview(evaluation)
    if not preview.complete:
        messages.error(request, _("Rate every competency before signing."))
        return redirect("practicum:evaluation", pk=pk)
    form = SignForm(
        request.POST or None,
        passed=bool(preview.passed),
        initial={"signed_name": request.user.display_name},
    )
    if request.method == "POST":
        changed = None
        if form.is_valid():
            try:
                services.sign_evaluation(
                    evaluation=evaluation,
                    supervisor=request.user,
                    signed_name=form.cleaned_data["signed_name"],
                    expected_passed=form.expected_passed,
                )
            except ValidationError as error:
                if getattr(error, "code", None) == "result_changed":
                    changed = error
                else:
                    add_service_errors(form, error)
            else:
                messages.success(request, _("Evaluation signed."))
                return redirect("practicum:evaluation", pk=pk)
        elif form.has_error(NON_FIELD_ERRORS, "result_changed"):
            changed = form.non_field_errors()
        if changed is not None:
            # The page showed another result than signing would record: show it again.
            messages.error(request, " ".join(getattr(changed, "messages", changed)))
            return redirect("practicum:evaluation_sign", pk=pk)
    return render(
        request,
        "practicum/evaluation_sign.html",
        {"evaluation": evaluation, "preview": preview, "form": form},
        status=400 if form.errors else 200,
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
