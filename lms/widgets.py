"""Native date and time pickers whose value the browser accepts in every language.

``<input type="date">`` takes its value only as ``YYYY-MM-DD`` (``time``: ``HH:MM``,
``datetime-local``: ``YYYY-MM-DDTHH:MM``, ``month``: ``YYYY-MM``). Django writes a
widget's value in the active language's first input format unless the widget names one (Chinese: ``2026/05/12``),
which the browser refuses: the field then shows empty, e.g. a reschedule form's date.
These widgets always name the ISO format; ``tests/test_date_inputs.py`` walks every
form of the project and fails on a date or time input that does not.
"""

from __future__ import annotations

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
ISO_MONTH = "%Y-%m"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format or ISO_DATE)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format or ISO_TIME)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format or ISO_DATETIME_LOCAL)


class MonthInput(forms.DateInput):
    """A month picker for a ``DateField`` read with ``input_formats=["%Y-%m"]``."""

    input_type = "month"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format or ISO_MONTH)
