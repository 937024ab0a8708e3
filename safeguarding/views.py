"""Safeguarding pages: raise a concern (phone first), the list of concerns one may see,
a concern's page and its steps. Thin: selectors read, permissions decide, services change.

A concern someone may not see is 404, never 403 (its existence is not revealed).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lms.one_door import add_service_errors

from . import permissions, selectors, services
from .forms import AcknowledgeForm, CloseForm, ConcernForm, ReferForm
from .models import ConcernState


@login_required
@never_cache
def raise_concern(request):
    permissions.check_raise(request.user)
    form = ConcernForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.raise_concern(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            sent_to = concern.alerts.count()
            messages.success(
                request,
                _("Your concern was sent to %(count)d people. Thank you for telling us.")
                % {"count": sent_to}
                if sent_to
                else _("Your concern is recorded; the coordinators will see it."),
            )
            return redirect("safeguarding:detail", concern.pk)
    return render(request, "safeguarding/raise.html", {"form": form})


@login_required
@never_cache
def concern_list(request):
    state = request.GET.get("state") or None
    return render(
        request,
        "safeguarding/concern_list.html",
        {
            "concerns": selectors.concerns_for(request.user, state=state),
            "state": state if state in ConcernState.values else "",
            "states": ConcernState.choices,
            "can_raise": permissions.can_raise(request.user),
        },
    )


def _concern(request, pk):
    concern = selectors.concern_detail(request.user, pk)
    if concern is None:
        raise Http404
    return concern


@login_required
@never_cache
def concern_detail(request, pk: int, forms=None):
    concern = _concern(request, pk)
    can_handle = permissions.can_handle(request.user, concern)
    forms = forms or {}
    context = {
        "concern": concern,
        "can_handle": can_handle,
        "is_reporter": concern.reporter_id == request.user.pk,
        "acknowledge_form": forms.get("acknowledge") or AcknowledgeForm(),
        "refer_form": forms.get("refer") or ReferForm(),
        "close_form": forms.get("close") or CloseForm(),
    }
    return render(
        request, "safeguarding/concern_detail.html", context, status=400 if forms else 200
    )


def _step(request, pk: int, name: str, form_class, service):
    concern = _concern(request, pk)
    if not permissions.can_handle(request.user, concern):
        raise PermissionDenied(_("Someone else acknowledges and refers the concern you raised."))
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(actor=request.user, concern=concern, **form.cleaned_data)
        except ValidationError as error:
            if getattr(error, "code", None) == "invalid_state":
                messages.error(request, " ".join(error.messages))
                return redirect("safeguarding:detail", concern.pk)
            add_service_errors(form, error)
        else:
            return redirect("safeguarding:detail", concern.pk)
    return concern_detail(request, pk, forms={name: form})


@login_required
@require_POST
def acknowledge(request, pk: int):
    return _step(request, pk, "acknowledge", AcknowledgeForm, services.acknowledge)


@login_required
@require_POST
def refer(request, pk: int):
    return _step(request, pk, "refer", ReferForm, services.refer)


@login_required
@require_POST
def close(request, pk: int):
    return _step(request, pk, "close", CloseForm, services.close)
