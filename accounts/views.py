from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from wagtail.models import APIToken

from audit.services import record
from lms import ratelimit

from .forms import ApiTokenForm, PeopleImportForm, ProfileForm
from .models import User
from .permissions import can_import_people, has_two_factor, role_required
from .roles import ADMINISTRATOR, COORDINATOR


@login_required
def profile(request):
    """The user's own profile, their API tokens and security status."""
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=request.user)
        if form.is_valid():
            with transaction.atomic():
                form.save()
                record(
                    "accounts.profile.update",
                    actor=request.user,
                    obj=request.user,
                    changes={"fields": sorted(form.changed_data)},
                )
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    else:
        form = ProfileForm(instance=request.user)
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "tokens": request.user.api_tokens.all(),
            "token_form": ApiTokenForm(),
            "new_token": request.session.pop("new_api_token", None),
            "two_factor_enabled": has_two_factor(request.user),
        },
    )


@login_required
@require_POST
def create_token(request):
    """A new personal API token, shown once; at most ``API_TOKEN_CREATE_RATE`` per user."""
    if not ratelimit.hit("api-token-create", request.user.pk, settings.API_TOKEN_CREATE_RATE):
        return ratelimit.too_many_requests(
            request,
            _("You have created too many API tokens recently. Wait an hour and try again."),
            rate=settings.API_TOKEN_CREATE_RATE,
        )
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a name."))
        return redirect("accounts:profile")
    with transaction.atomic():
        token, key = APIToken.create_token(user=request.user, name=form.cleaned_data["name"])
        record("accounts.token.create", actor=request.user, obj=token)
    # Shown once on the next page, then gone: only the digest is stored.
    request.session["new_api_token"] = key
    messages.success(request, _("Token created. Copy it now: it will not be shown again."))
    return redirect("accounts:profile")


@login_required
@require_POST
def revoke_token(request, pk: int):
    token = get_object_or_404(APIToken, pk=pk, user=request.user)
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoke()
            record("accounts.token.revoke", actor=request.user, obj=token)
        messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")


def set_language(request):
    """Django's set_language, which also remembers the choice on the user's profile."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and request.user.is_authenticated:
        from django.conf import settings

        if language in dict(settings.LANGUAGES):
            User.objects.filter(pk=request.user.pk).update(preferred_language=language)
    return response


@role_required(ADMINISTRATOR, COORDINATOR)
def import_people_view(request):
    """Upload a staff list; check it (dry run) or import it, all or nothing."""
    if not can_import_people(request.user):
        raise PermissionDenied
    report = None
    if request.method == "POST":
        form = PeopleImportForm(request.POST, request.FILES)
        if form.is_valid():
            from .importers import import_people

            upload = form.cleaned_data["file"]
            report = import_people(
                upload,
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
                actor=request.user,
            )
            if report.ok and not report.dry_run:
                messages.success(
                    request,
                    _("Imported: %(created)d created, %(updated)d updated.")
                    % {"created": report.created, "updated": report.updated},
                )
    else:
        form = PeopleImportForm()
    return render(request, "accounts/import_people.html", {"form": form, "report": report})


@role_required(ADMINISTRATOR, COORDINATOR)
def import_template_view(request):
    """The XLSX template for the import: the Chinese header row and one example row."""
    from .importers import build_import_template

    response = HttpResponse(
        build_import_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    # An ASCII name for old clients, the Chinese name (RFC 6266) for the rest.
    response["Content-Disposition"] = (
        'attachment; filename="people-import-template.xlsx"; '
        f"filename*=UTF-8''{quote('人员导入模板.xlsx')}"
    )
    return response
