"""Every native date or time input of the project's forms writes its value in the one
format the browser accepts (``lms.widgets``), so a prefilled date is never shown empty.

Django writes a date in the active language's first input format (Chinese: 2026/05/12)
unless the widget names a format; ``<input type="date">`` refuses anything but
2026-05-12 and shows an empty field (the coordinator's reschedule form did).
"""

from __future__ import annotations

import datetime
import inspect
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.utils import translation

from lms.widgets import DateInput, DateTimeLocalInput, TimeInput

ISO = {
    "date": "%Y-%m-%d",
    "time": "%H:%M",
    "datetime-local": "%Y-%m-%dT%H:%M",
    "month": "%Y-%m",
}


def project_form_classes() -> list[type[forms.BaseForm]]:
    """The form classes defined in the ``forms`` module of each of the project's apps."""
    base = Path(settings.BASE_DIR).resolve()
    found = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if not path.is_relative_to(base) or ".venv" in path.parts:
            continue
        name = f"{config.name}.forms"
        if find_spec(config.name) is None or find_spec(name) is None:
            continue
        module = import_module(name)
        found += [
            cls
            for _name, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name
        ]
    return found


def input_kind(widget) -> str | None:
    """The native picker a date/time widget renders (a text widget that prepares its own
    value, like reports' month field, writes no date format and is not walked)."""
    if not isinstance(widget, forms.widgets.DateTimeBaseInput):
        return None
    kind = widget.attrs.get("type") or getattr(widget, "input_type", None)
    return kind if kind in ISO else None


def test_every_date_and_time_input_names_the_iso_format():
    classes = project_form_classes()
    assert len(classes) >= 30  # every app's forms, not an empty walk
    wrong = []
    for cls in classes:
        for field_name, field in cls.base_fields.items():
            kind = input_kind(field.widget)
            if kind and getattr(field.widget, "format", None) != ISO[kind]:
                wrong.append(f"{cls.__module__}.{cls.__name__}.{field_name} ({kind})")
    assert wrong == [], "date/time inputs without the ISO format (use lms.widgets): " + ", ".join(
        wrong
    )


@pytest.mark.parametrize("language", ["zh-hans", "ug", "en"])
def test_a_prefilled_date_and_time_are_written_as_the_browser_reads_them(language):
    with translation.override(language):
        assert 'value="2026-05-12"' in DateInput().render("d", datetime.date(2026, 5, 12))
        assert 'value="09:30"' in TimeInput().render("t", datetime.time(9, 30))
        assert 'value="2026-05-12T09:30"' in DateTimeLocalInput().render(
            "dt", datetime.datetime(2026, 5, 12, 9, 30)
        )


def test_a_local_datetime_from_the_browser_is_read_back():
    value = forms.DateTimeField(widget=DateTimeLocalInput()).clean("2026-05-12T09:30")
    assert (value.year, value.month, value.day, value.hour, value.minute) == (2026, 5, 12, 9, 30)


def test_the_reschedule_form_is_prefilled_with_the_requests_date_and_times():
    from lecturer_corps.forms import RescheduleForm

    form = RescheduleForm(
        initial={
            "date": datetime.date(2026, 11, 18),
            "start_time": datetime.time(15, 0),
            "end_time": datetime.time(17, 0),
        }
    )
    with translation.override("zh-hans"):
        html = str(form)
    assert 'type="date"' in html and 'value="2026-11-18"' in html
    assert 'value="15:00"' in html and 'value="17:00"' in html


def test_a_month_picker_writes_the_month_as_the_browser_reads_it():
    from lms.widgets import MonthInput

    with translation.override("zh-hans"):
        assert 'value="2026-05"' in MonthInput().render("m", datetime.date(2026, 5, 1))
