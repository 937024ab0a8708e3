"""Form widgets that behave the same in every interface language.

Native date and time pickers whose value the browser accepts in every language:

``<input type="date">`` takes its value only as ``YYYY-MM-DD`` (``time``: ``HH:MM``,
``datetime-local``: ``YYYY-MM-DDTHH:MM``, ``month``: ``YYYY-MM``). Django writes a
widget's value in the active language's first input format unless the widget names one (Chinese: ``2026/05/12``),
which the browser refuses: the field then shows empty, e.g. a reschedule form's date.
These widgets always name the ISO format; ``tests/test_date_inputs.py`` walks every
form of the project and fails on a date or time input that does not.

``ContentSelect``: a select whose option labels are names people or data wrote (venues,
people, curriculum topics). An option cannot hold markup, so where ``{{ name|content }}``
would wrap a name in a ``<bdi>``, the option itself carries its text's ``lang`` and ``dir``
(``lms.content_text``) when that text is in another script than the interface.
"""

from __future__ import annotations

from django import forms

from lms.content_text import foreign_text_language

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


class ContentSelect(forms.Select):
    """A ``<select>`` whose options in another script than the interface (a Chinese venue
    name in the Uyghur or English interface, a Uyghur-script name in the Chinese one) carry
    their own ``lang``, ``dir`` and ``data-content``, as ``{{ value|content }}`` does for
    inline text: read with the right rules and shaped in the right direction, and not
    taken for untranslated interface text (tests/test_interface_language.py)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        foreign = foreign_text_language(label)
        if foreign:
            lang, direction = foreign
            option["attrs"].update({"lang": lang, "dir": direction, "data-content": True})
        return option
