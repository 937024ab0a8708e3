"""The numbers behind the programme's stages (``supervision.measures``), from the same
definitions as the report's figures (docs/metrics.md), so acceptance and the monthly
report never disagree. Provided to supervision from ``ReportsConfig.ready()``.

Each provider takes ``district`` (None: the whole city), ``start`` and ``end`` (dates,
``end`` inclusive) and returns ``MeasuredValue``s.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from places.models import District
from supervision.measures import MeasuredValue, provide_measure


def _end_instant(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def _districts(district) -> list:
    if district is not None:
        return [district]
    return list(District.objects.order_by("sort_order", "name"))


def certified(*, district, start, end) -> list[MeasuredValue]:
    """Trainees certified: people holding a certificate valid on ``end`` (metric: valid
    certificate, counted by holder), in the district or the city."""
    from certification.models import Certificate, CertificateStatus

    from .selectors import _valid_certificate_filter

    certificates = Certificate.objects.exclude(status=CertificateStatus.SUPERSEDED).filter(
        _valid_certificate_filter("", end, _end_instant(end))
    )
    if district is not None:
        certificates = certificates.filter(holder__district=district)
    holders = certificates.values("holder_id").distinct().count()
    return [MeasuredValue(Decimal(holders))]


def sessions_each_district(*, district, start, end) -> list[MeasuredValue]:
    """Sessions delivered (metric: delivered session) dated from ``start`` to ``end``, one
    value per district (or the one district): the criterion is met when every one reaches
    the target."""
    from lecturer_corps.models import RequestStatus, ServiceRequest

    districts = _districts(district)
    counts = dict(
        ServiceRequest.objects.filter(
            date__gte=start,
            date__lte=end,
            venue__district__in=districts,
        )
        .values_list("venue__district")
        .annotate(
            delivered=Count(
                "id", filter=Q(status__in=[RequestStatus.DELIVERED, RequestStatus.VERIFIED])
            )
        )
        .order_by()
    )
    return [MeasuredValue(Decimal(counts.get(d.pk, 0)), label=d.label) for d in districts]


def coverage(*, district, start, end) -> list[MeasuredValue]:
    """Coverage in % for the year of ``end``, sessions up to ``end`` (metric: coverage); no
    value while no register is entered."""
    from .coverage import year_coverage

    ids = [d.pk for d in _districts(district)]
    result = year_coverage(end.year, ids, until=end + datetime.timedelta(days=1))
    return [MeasuredValue(result.coverage)]


def children_reached(*, district, start, end) -> list[MeasuredValue]:
    """Children in difficulty reached toward the programme's target (metric:
    coverage-target), up to the year of ``end``."""
    from .coverage import programme_progress

    ids = [d.pk for d in _districts(district)]
    progress = programme_progress(end.year, ids, until=end + datetime.timedelta(days=1))
    return [MeasuredValue(Decimal(progress.reached))]


def provide_all() -> None:
    from supervision.models import Measure

    provide_measure(Measure.CERTIFIED, certified)
    provide_measure(Measure.SESSIONS, sessions_each_district)
    provide_measure(Measure.COVERAGE, coverage)
    provide_measure(Measure.CHILDREN_REACHED, children_reached)
