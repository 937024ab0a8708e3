"""The model side of the text-input component (``lms.textinput``).

Every text field of every project model is declared by its app, in ``<app>/text_fields.py``:

.. code-block:: python

    GUARDED = {"PracticumEntry.description": LONG_TEXT, ...}  # field -> TextPolicy
    EXEMPT = {"Certificate.serial": "made by the system, never typed", ...}  # field -> reason

At start-up (``TextFieldsConfig.ready``) each guarded field gets a ``TextValidator`` for its
policy, so a write that reaches ``full_clean`` by any door (the Wagtail admin's forms,
ModelForms, services that call ``full_clean``) runs the same rules as the page and API
forms — for ``NARRATIVE`` fields the children's-data guard. The validator is added as an
instance default, not to the field's ``validators`` argument, so declaring a field here
needs no migration. ``tests/test_model_text_fields.py`` walks every field of every project
model and fails unless each is guarded or exempt with a reason.

Fields with ``choices`` are exempt by construction (the value is one of the choices).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps as registry
from django.db import models
from wagtail.fields import StreamField

from lms.textinput import TextPolicy, TextValidator

DECLARATIONS_MODULE = "text_fields"
# Field classes that hold free text (RichTextField and friends are TextField subclasses).
TEXT_FIELD_TYPES = (models.CharField, models.TextField, models.JSONField, StreamField)


@dataclass(frozen=True)
class Declaration:
    model: type[models.Model]
    field: models.Field
    policy: TextPolicy | None = None
    reason: str = ""


class DeclarationError(Exception):
    pass


def _resolve(app_label: str, key: str) -> tuple[type[models.Model], models.Field]:
    try:
        model_name, field_name = key.split(".")
        model = registry.get_model(app_label, model_name)
        return model, model._meta.get_field(field_name)
    except (ValueError, LookupError, models.FieldDoesNotExist) as exc:
        raise DeclarationError(f"{app_label}.text_fields: {key!r} is not a field ({exc})") from exc


def declarations() -> list[Declaration]:
    """Every declaration of every installed app's ``text_fields`` module."""
    from importlib import import_module
    from importlib.util import find_spec

    found = []
    for config in registry.get_app_configs():
        name = f"{config.name}.{DECLARATIONS_MODULE}"
        if find_spec(config.name) is None or find_spec(name) is None:
            continue
        module = import_module(name)
        for key, policy in getattr(module, "GUARDED", {}).items():
            if not isinstance(policy, TextPolicy):
                raise DeclarationError(f"{name}: GUARDED[{key!r}] is not a TextPolicy")
            found.append(Declaration(*_resolve(config.label, key), policy=policy))
        for key, reason in getattr(module, "EXEMPT", {}).items():
            if not (isinstance(reason, str) and reason.strip()):
                raise DeclarationError(f"{name}: EXEMPT[{key!r}] needs a reason")
            found.append(Declaration(*_resolve(config.label, key), reason=reason))
    return found


def validator_for(field: models.Field, policy: TextPolicy) -> TextValidator:
    max_length = min(policy.max_length, field.max_length or policy.max_length)
    return TextValidator(max_length, multiline=policy.multiline, purpose=policy.purpose)


def model_policy(field: models.Field) -> TextValidator | None:
    """The text-input validator a model field runs, declared here or on the field itself."""
    for validator in field.validators:
        if isinstance(validator, TextValidator):
            return validator
    return None


def attach(found: list[Declaration]) -> None:
    """Give each guarded field its validator (idempotent)."""
    for declaration in found:
        if declaration.policy is None:
            continue
        field = declaration.field
        if not isinstance(field, models.CharField | models.TextField):
            raise DeclarationError(
                f"{declaration.model._meta.label}.{field.name}: only text fields take a policy"
            )
        validator = validator_for(field, declaration.policy)
        defaults = list(field.default_validators)
        if validator not in defaults:
            field.default_validators = [*defaults, validator]
            field.__dict__.pop("validators", None)  # a cached_property


def project_models() -> list[type[models.Model]]:
    """The concrete models of the project's own apps (not Django's, Wagtail's or others')."""
    from pathlib import Path

    from django.conf import settings

    base = Path(settings.BASE_DIR).resolve()
    found = []
    for config in registry.get_app_configs():
        path = Path(config.path).resolve()
        if not path.is_relative_to(base) or ".venv" in path.parts:
            continue
        found += [m for m in config.get_models() if not m._meta.proxy]
    return found


def undeclared(models_to_walk, found: list[Declaration]) -> list[str]:
    """Text fields of ``models_to_walk`` neither guarded nor exempt, and fields declared
    twice (``"app.Model.field: why"``)."""
    declared: dict[tuple, list[Declaration]] = {}
    for declaration in found:
        declared.setdefault((declaration.model, declaration.field.name), []).append(declaration)
    problems = []
    for model in models_to_walk:
        for field in model._meta.local_concrete_fields:
            if not isinstance(field, TEXT_FIELD_TYPES) or field.choices:
                continue
            name = f"{model._meta.label}.{field.name}"
            entries = declared.get((model, field.name), [])
            on_field = [v for v in field._validators if isinstance(v, TextValidator)]
            agreeing = [
                d
                for d in entries
                if d.policy and on_field and validator_for(field, d.policy) in on_field
            ]
            if len(entries) + len(on_field) - len(agreeing) > 1:
                problems.append(f"{name}: declared more than once, differently")
            elif not entries and not on_field:
                problems.append(
                    f"{name}: not declared; add it to {model._meta.app_label}/text_fields.py, "
                    "GUARDED with a text policy or EXEMPT with a reason"
                )
    return problems
