"""One definition of children's age bands across practicum, requests, reports (issue 15, item 6)."""

import pytest

from lms.age_bands import AGE_BANDS, FORMER_BANDS, AgeBand, count_field_name, count_field_names


def test_service_requests_and_delivery_reports_use_the_shared_bands():
    from lecturer_corps.models import ChildAttendance, ServiceRequest

    for model in (ServiceRequest, ChildAttendance):
        assert list(model._meta.get_field("age_band").choices) == list(AgeBand.choices)


def test_practicum_counts_children_in_a_column_per_shared_band():
    from practicum.models import CHILD_COUNT_FIELDS, PARTICIPANT_FIELDS, PracticumEntry

    assert CHILD_COUNT_FIELDS == ("children_0_5", "children_6_11", "children_12_17")
    assert PARTICIPANT_FIELDS[: len(AGE_BANDS)] == CHILD_COUNT_FIELDS
    for name in CHILD_COUNT_FIELDS:
        PracticumEntry._meta.get_field(name)  # raises if a band has no column


def test_the_delivery_report_form_has_a_box_per_group_and_band():
    from lecturer_corps.forms import DeliveryReportForm
    from lecturer_corps.models import ChildGroup

    form = DeliveryReportForm()
    boxes = [name for name in form.fields if name.startswith("children_")]
    assert len(boxes) == len(ChildGroup.values) * len(AGE_BANDS)
    assert form.band_labels() == [AgeBand(band).label for band in AGE_BANDS]


def test_every_former_request_band_moves_to_a_shared_one():
    assert set(FORMER_BANDS) == {"3-6", "7-10", "11-14", "15-17"}
    assert set(FORMER_BANDS.values()) <= set(AGE_BANDS)


def test_count_field_names_refuse_an_unknown_band():
    assert count_field_names("children") == ("children_0_5", "children_6_11", "children_12_17")
    with pytest.raises(ValueError):
        count_field_name("children", "7-10")
