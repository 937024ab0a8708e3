"""One door: the Wagtail admin changes a guarded model only through its app's services.

A model a service guards (a venue, a cohort, a certification type…) is *registered* here
with a ``Door``: the app's permission check (from its ``permissions.py``), the scope of
rows a user may see, and the services that create, change and delete it. Registering
plugs the door into Wagtail's own extension points, so every admin view of the model —
snippet or ``ModelViewSet``, add, edit, copy, delete, bulk delete, inspect, history —
goes through it:

* **a permission policy** (``DoorPermissionPolicy``, registered with
  ``wagtail.permissions.register_permission_policy``): ``user_has_permission``,
  ``user_has_permission_for_instance`` and ``instances_user_has_permission_for`` ask the
  app's check, so menus, buttons and listings show what the services would allow;
* **Wagtail's actions** (``wagtail.actions.action_registry``): the ``create``, ``edit``
  and ``delete`` actions the generic admin views run in ``save_instance`` and
  ``delete_action`` are replaced for the model by ``Door*Action`` classes that validate
  the form and then call the service (``check()`` then ``execute()``, as in
  ``wagtail/actions/*``). Wagtail's own ``wagtail.create``/``wagtail.edit`` log entries are
  not written: the service's audit row is the history (see ``audit.services.record``);
* **the views** (``DoorViewSetMixin``): the listing shows ``Door.scope`` only; an object
  view answers 403 for a row outside the user's permission (Wagtail checks only the
  model-level permission there); a service's ``ValidationError`` becomes a form error;
  a bulk delete deletes row by row through the delete service, another bulk action (the
  Users listing's) goes row by row through the door's ``bulk`` service or is refused.

So a refusal, an audit row and the follow-ups are the same whether the change comes from
a page, the API, the Wagtail admin, a command or a task. ``DOORS`` is also the registry
the entry-point parity test (``tests/test_one_door.py``) walks: a viewset for one of the
project's models that has no door fails it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models, transaction
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.actions import (
    CreateAction,
    CreatePermissionError,
    DeleteAction,
    DeletePermissionError,
    EditAction,
    EditPermissionError,
    action_registry,
)
from wagtail.models import RevisionMixin
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

#: The admin's permission actions a door answers; anything else (publish, lock…) is refused.
ACTIONS = ("add", "change", "delete", "view")

#: Labels of the standard audit verbs, for Wagtail's history (``<app>.<model>.<verb>``).
VERB_LABELS = {
    "create": _("%(model)s created"),
    "update": _("%(model)s changed"),
    "delete": _("%(model)s deleted"),
}


@dataclass(frozen=True)
class Door:
    """How the admin reaches one model: through ``check`` and the services, nothing else.

    ``check(user, action, instance)`` raises ``PermissionDenied`` unless ``user`` may do
    ``action`` (one of ``ACTIONS``) to ``instance`` (None: to the model in general). It
    is the app's ``permissions.py`` speaking; the services ask the same functions.
    ``scope(user)`` is the queryset of rows the user may see. ``create(actor=, instance=)``
    saves a new, validated but unsaved instance; ``update(actor=, instance=, changed=)``
    saves an existing one whose ``changed`` fields were edited; ``delete(actor=,
    instance=)`` removes one. A missing service means the admin may not do that at all.
    ``history`` maps the audit codes the services write for this model to labels shown
    in Wagtail's history (the standard ``create``/``update``/``delete`` codes are added).
    ``related`` names many-to-many form fields the services set themselves: they are
    handed over as ``related={name: values}`` instead of being saved by the form (a
    user's roles). ``bulk`` maps a Wagtail bulk action (``"set_active_state"``…) to a
    service ``(actor=, instance=, **the action's form values)`` run row by row; any
    other bulk action on the model is refused (snippet bulk delete uses ``delete``).
    """

    model: type[models.Model]
    check: Callable[[Any, str, Any], None]
    scope: Callable[[Any], models.QuerySet]
    create: Callable[..., models.Model] | None = None
    update: Callable[..., models.Model] | None = None
    delete: Callable[..., None] | None = None
    audit_prefix: str = ""
    history: dict[str, Any] = field(default_factory=dict)
    related: tuple[str, ...] = ()
    bulk: dict[str, Callable[..., Any]] = field(default_factory=dict)

    def service_for(self, action: str):
        return {"add": self.create, "change": self.update, "delete": self.delete}.get(action)

    def allows(self, user, action: str, instance=None) -> bool:
        """Whether the door lets ``user`` do ``action`` (no exception, for menus and lists)."""
        if action not in ACTIONS or user is None or not getattr(user, "is_active", False):
            return False
        if action != "view" and self.service_for(action) is None:
            return False
        try:
            self.check(user, action, instance)
        except PermissionDenied:
            return False
        return True

    def log_actions(self) -> dict[str, Any]:
        """Every audit code this model's services write, with its label for Wagtail."""
        prefix = self.audit_prefix or self.model._meta.label_lower
        name = self.model._meta.verbose_name
        labels = {
            f"{prefix}.{verb}": _LazyVerbLabel(label, name) for verb, label in VERB_LABELS.items()
        }
        labels.update(self.history)
        return labels


class _LazyVerbLabel:
    """``"%(model)s created"`` translated at display time, in the reader's language."""

    def __init__(self, pattern, model_name):
        self.pattern, self.model_name = pattern, model_name

    def __str__(self) -> str:
        return str(self.pattern) % {"model": self.model_name}


DOORS: dict[type[models.Model], Door] = {}


def field_values(instance) -> dict[str, Any]:
    """The concrete, editable field values of an unsaved instance, by attribute name
    (``district_id``), for a create service that takes keyword fields."""
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.editable and not f.primary_key
    }


def door_for(model_or_instance) -> Door | None:
    model = model_or_instance if isinstance(model_or_instance, type) else type(model_or_instance)
    return DOORS.get(model)


def register(door: Door) -> Door:
    """Put ``door`` in front of its model: permission policy, actions and history labels."""
    if issubclass(door.model, RevisionMixin):
        raise ImproperlyConfigured(
            f"{door.model.__name__} keeps revisions; a door saves through services only."
        )
    DOORS[door.model] = door
    register_permission_policy(door.model, DoorPermissionPolicy(door))
    for action_class in (DoorCreateAction, DoorEditAction, DoorDeleteAction):
        action_registry.register(door.model, action_class)
    # A door registered after Wagtail's log registry first scanned its hooks (the Users
    # door is imported with the admin's URLs, which may come after a test or a command
    # has already logged something) labels its audit codes now.
    from wagtail.log_actions import registry as log_registry

    if log_registry.has_scanned_for_actions:
        _label_log_actions(log_registry, door)
    return door


# --- the permission policy ---------------------------------------------------------------


class DoorPermissionPolicy(BasePermissionPolicy):
    """A Wagtail permission policy that asks the app's ``permissions.py`` (through the door)."""

    def __init__(self, door: Door):
        super().__init__(door.model)
        self.door = door

    def user_has_permission(self, user, action):
        return self.door.allows(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.door.allows(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.door.allows(user, action, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.door.allows(user, action, instance) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.door.scope(user)

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    def users_with_any_permission(self, actions):
        """Active staff-role users the door lets do one of ``actions`` (a handful of people;
        Wagtail asks this only for notifications)."""
        User = get_user_model()
        candidates = User.objects.filter(is_active=True).exclude(groups=None)
        allowed = [
            user.pk
            for user in candidates
            if any(self.door.allows(user, action) for action in actions)
        ]
        return User.objects.filter(pk__in=allowed)


# --- Wagtail's actions, through the services --------------------------------------------------


def _door(instance) -> Door:
    door = door_for(instance)
    if door is None:  # registered per model, so this means a subclass slipped through
        raise ImproperlyConfigured(f"No door for {type(instance).__name__}.")
    return door


def _validated_instance(action):
    """Validate the bound form (as Wagtail's actions do) and apply it to an unsaved copy."""
    action._clean_instance()
    if action.form is not None:
        return action.form.save(commit=False)
    return action.instance


def _related_values(door: Door, action) -> dict[str, Any]:
    """The many-to-many values the door's services set themselves, taken off the form so
    that ``save_m2m`` leaves them alone (only fields the form has: an administrator's)."""
    form = action.form
    if form is None or not door.related:
        return {}
    return {name: form.cleaned_data.pop(name) for name in door.related if name in form.cleaned_data}


def _service_kwargs(door: Door, action) -> dict[str, Any]:
    return {"related": _related_values(door, action)} if door.related else {}


def _changed_fields(form) -> list[str]:
    """The form's changed fields and the inline panels (child formsets) that changed."""
    if form is None:
        return []
    changed = set(form.changed_data)
    for name, formset in getattr(form, "formsets", {}).items():
        if formset.has_changed():
            changed.add(name)
    return sorted(changed)


def _save_related(action) -> None:
    save_m2m = getattr(action.form, "save_m2m", None)
    if save_m2m is not None:
        save_m2m()


class DoorCreateAction(CreateAction):
    """Wagtail's create action for a door's model: validate, then the create service."""

    def __init__(self, instance, user=None, **kwargs):
        kwargs["log_action"] = False  # the service's audit row is the history
        super().__init__(instance, user=user, **kwargs)

    def user_has_permission(self):
        return _door(self.instance).allows(self.user, "add")

    @transaction.atomic
    def _create(self, skip_permission_checks=False):
        door = _door(self.instance)
        if door.create is None:
            raise CreatePermissionError(_("This cannot be added here."))
        instance = _validated_instance(self)
        self.instance = door.create(
            actor=self.user, instance=instance, **_service_kwargs(door, self)
        )
        _save_related(self)
        if self.form is not None:
            # Wagtail's views return ``form.instance``; a service may have built its own.
            self.form.instance = self.instance
        return self.instance


class DoorEditAction(EditAction):
    """Wagtail's edit action for a door's model: validate, then the update service."""

    def __init__(self, instance, user=None, **kwargs):
        kwargs["log_action"] = False
        super().__init__(instance, user=user, **kwargs)

    def user_has_permission(self):
        return _door(self.instance).allows(self.user, "change", self.instance)

    @transaction.atomic
    def _edit(self, skip_permission_checks=False):
        door = _door(self.instance)
        if door.update is None:
            raise EditPermissionError(_("This cannot be changed here."))
        changed = _changed_fields(self.form)
        instance = _validated_instance(self)
        self.instance = door.update(
            actor=self.user, instance=instance, changed=changed, **_service_kwargs(door, self)
        )
        _save_related(self)
        return self.instance


class DoorDeleteAction(DeleteAction):
    """Wagtail's delete action for a door's model: the delete service."""

    def __init__(self, instance, user=None, **kwargs):
        kwargs["log_action"] = False
        super().__init__(instance, user=user, **kwargs)

    def user_has_permission(self):
        return _door(self.instance).allows(self.user, "delete", self.instance)

    def _delete(self):
        door = _door(self.instance)
        if door.delete is None:
            raise DeletePermissionError(_("This cannot be deleted here."))
        with transaction.atomic():
            return door.delete(actor=self.user, instance=self.instance)


# --- the views -------------------------------------------------------------------------------


def add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: on its field when the form has it."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class _Refused(Exception):
    def __init__(self, denial: PermissionDenied):
        super().__init__(str(denial))
        self.denial = denial


class DoorViewMixin:
    """Mixed into every view a ``DoorViewSetMixin`` viewset builds (see ``construct_view``)."""

    door: Door

    def get_base_queryset(self):
        # Listings: only the rows the door's scope gives this user.
        queryset = super().get_base_queryset()
        if queryset.model is not self.door.model:  # e.g. the history view's log entries
            return queryset
        return queryset & self.door.scope(self.request.user)

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        action = getattr(self, "permission_required", None)
        if action not in ("change", "delete"):
            action = "view"
        if not self.door.allows(self.request.user, action, obj):
            raise PermissionDenied
        return obj

    def save_instance(self):
        # Wagtail's snippet views turn a PermissionDenied from saving into a form message;
        # carry the service's refusal past them so the admin answers 403, as pages and the
        # API do.
        try:
            return super().save_instance()
        except PermissionDenied as exc:
            raise _Refused(exc) from exc

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except _Refused as refused:
            raise refused.denial from refused
        except ValidationError as exc:
            add_service_errors(form, exc)
            if hasattr(self, "get_error_message"):
                self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class DoorViewSetMixin:
    """Put before ``SnippetViewSet`` or ``ModelViewSet``; the model must have a ``Door``."""

    def construct_view(self, view_class, **kwargs):
        door = door_for(self.model)
        if door is None:
            raise ImproperlyConfigured(f"Register a Door for {self.model.__name__} first.")
        if not issubclass(view_class, DoorViewMixin):
            view_class = type(
                f"Door{view_class.__name__}", (DoorViewMixin, view_class), {"door": door}
            )
        return super().construct_view(view_class, **kwargs)

    def get_queryset(self, request):
        return door_for(self.model).scope(request.user)


@hooks.register("before_delete_snippet")
def delete_in_bulk_through_the_services(request, instances):
    """Wagtail's snippet bulk delete runs a queryset ``delete()``; for a door's model each row
    goes through the delete service instead (same checks, one audit row each)."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name != "wagtail_bulk_action" or not instances:
        return None
    door = door_for(instances[0])
    if door is None:
        return None
    if door.delete is None:
        raise PermissionDenied
    with transaction.atomic():
        for instance in instances:
            door.delete(actor=request.user, instance=instance)
    messages.success(
        request,
        _("%(count)d deleted.") % {"count": len(instances)},
    )
    return redirect(request.GET.get("next") or "wagtailadmin_home")


@hooks.register("before_bulk_action")
def bulk_actions_through_the_services(request, action_type, objects, action_class_instance):
    """Wagtail's other bulk actions (the Users listing's "set active", "assign role"…) write
    with queryset updates; for a door's model each row goes through the door's ``bulk``
    service instead, and a bulk action the door does not name is refused."""
    model = getattr(action_class_instance, "model", None)
    door = door_for(model) if isinstance(model, type) else None
    if door is None:
        return None
    if action_type == "delete" and door.bulk.get("delete") is None:
        if door.delete is None:
            raise PermissionDenied
        return None  # snippets: ``before_delete_snippet`` above deletes through the service
    service = door.bulk.get(action_type)
    if service is None:
        raise PermissionDenied
    context = {
        name: value
        for name, value in action_class_instance.get_execution_context().items()
        if name not in ("user", "model")
    }
    with transaction.atomic():
        for instance in objects:
            service(actor=request.user, instance=instance, **context)
    message = action_class_instance.get_success_message(len(objects), 0)
    if message:
        messages.success(request, message)
    return redirect(action_class_instance.next_url or "wagtailadmin_home")


@hooks.register("register_log_actions")
def register_door_log_actions(actions):
    """Label every audit code a door's services write, so Wagtail's history can show it."""
    for door in DOORS.values():
        _label_log_actions(actions, door)


def _label_log_actions(actions, door: Door) -> None:
    for code, label in door.log_actions().items():
        if code not in actions.formatters:
            actions.register_action(code, label, label)


def history_action(obj, action: str) -> bool:
    """Whether an audit record of ``action`` on ``obj`` also belongs in Wagtail's history."""
    door = door_for(obj)
    return door is not None and action in door.log_actions()
