"""What the lecturer corps reads from certification and courses: one narrow interface.

Matching needs two facts about many people at once, each in one query:

* ``certificate_validity(user_ids, day)`` → ``{user_id: {qualification_code: expires_on}}``:
  the certificates valid on ``day`` (active, started, not expired; a superseded or
  revoked one never counts). ``expires_on`` is None for a certificate without expiry.
* ``certificates_valid_on(user_ids, day)`` → ``{user_id: set(qualification_codes)}``.
* ``completed_topics(user_ids)`` → ``{user_id: set(topic_codes)}``: the curriculum topics
  whose course the person has completed (courses are matched to topics by title).

* ``prior_qualification_periods(user_ids, first_day, last_day)`` → rows
  ``(user_id, topic_bits, valid_from, expires_on, label)``: qualifications held from
  elsewhere that a coordinator approved, provided by an app above (``dispatch``) through
  ``provide_prior_qualifications``. Such a row stands for both the certificate and the
  course of the topics in ``topic_bits`` on the days it is valid.

``user_ids`` may be None for "everyone" (matching among thousands of lecturers reads
the whole table rather than send thousands of ids). Qualification codes are the
certification types' codes, ``counsellor`` and ``family_educator``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Q

from .topics import TOPICS, TOPICS_BY_TITLE


def certificate_validity(
    user_ids, day: datetime.date
) -> dict[int, dict[str, datetime.date | None]]:
    from certification.models import Certificate, CertificateStatus

    rows = Certificate.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=day),
        status=CertificateStatus.ACTIVE,
        valid_from__lte=day,
    )
    if user_ids is not None:
        rows = rows.filter(holder_id__in=list(user_ids))
    validity: dict[int, dict[str, datetime.date | None]] = defaultdict(dict)
    for holder_id, code, expires_on in rows.values_list(
        "holder_id", "certification__code", "expires_on"
    ):
        known = validity[holder_id].get(code, datetime.date.min)
        # Several valid certificates of one kind (a renewal overlapping the old one):
        # the latest expiry is what the lecturer can count on; None means no expiry.
        if known is None or expires_on is None:
            validity[holder_id][code] = None
        else:
            validity[holder_id][code] = max(known, expires_on)
    return dict(validity)


def certificates_valid_on(user_ids, day: datetime.date) -> dict[int, set[str]]:
    return {user: set(codes) for user, codes in certificate_validity(user_ids, day).items()}


def completed_topics(user_ids, topics=None) -> dict[int, set[str]]:
    """``topics`` (codes) limits the answer to those topics (None: all sixteen)."""
    from courses.models import Enrolment

    wanted = [t for t in TOPICS if topics is None or t.code in topics]
    # No ORDER BY: the answer is a set, and sorting thousands of rows costs the database.
    rows = Enrolment.objects.filter(
        completed_at__isnull=False, course__title__in=[topic.title for topic in wanted]
    ).order_by()
    if user_ids is not None:
        rows = rows.filter(user_id__in=list(user_ids))
    topics: dict[int, set[str]] = defaultdict(set)
    for user_id, title in rows.values_list("user_id", "course__title"):
        topics[user_id].add(TOPICS_BY_TITLE[title].code)
    return dict(topics)


def completed_topic_bits(user_ids, topics=None) -> list[tuple[int, int]]:
    """``(user_id, topic bit)`` for each completed course of a topic (``topics``: codes; None
    for all sixteen): the answer of ``completed_topics`` as integers, read without the ORM's
    per-row work (one query; for reading thousands of people into arrays)."""
    from django.db import connection
    from django.db.models import Case, IntegerField, Value, When

    from courses.models import Enrolment

    wanted = [t for t in TOPICS if topics is None or t.code in topics]
    if not wanted:
        return []
    rows = (
        Enrolment.objects.filter(
            completed_at__isnull=False, course__title__in=[topic.title for topic in wanted]
        )
        .order_by()
        .annotate(
            topic_bit=Case(
                *[When(course__title=t.title, then=Value(1 << t.bit)) for t in wanted],
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    )
    if user_ids is not None:
        rows = rows.filter(user_id__in=list(user_ids))
    sql, params = rows.values_list("user_id", "topic_bit").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def certificate_periods(user_ids, first_day: datetime.date, last_day: datetime.date, *, codes=None):
    """Active certificates that are valid on some day of [first_day, last_day].

    A list of ``(user_id, qualification_code, valid_from, expires_on)`` (one query), for
    matching many requests on many dates at once; ``certificate_validity`` gives the
    same answer for one day. ``codes`` limits it to those qualifications.
    """
    from certification.models import Certificate, CertificateStatus

    rows = Certificate.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=first_day),
        status=CertificateStatus.ACTIVE,
        valid_from__lte=last_day,
    ).order_by()  # in no particular order (the model's newest-first would sort them all)
    if user_ids is not None:
        rows = rows.filter(holder_id__in=list(user_ids))
    if codes is not None:
        rows = rows.filter(certification__code__in=list(codes))
    return list(rows.values_list("holder_id", "certification__code", "valid_from", "expires_on"))


# --- qualifications held from elsewhere (provided by an app above) -------------------------

_prior_qualification_sources: list = []


def provide_prior_qualifications(source) -> None:
    """An app above registers ``source(user_ids, first_day, last_day)`` (in its
    ``AppConfig.ready``), returning ``(user_id, topic_bits, valid_from, expires_on, label)``
    for the approved qualifications from elsewhere valid on some day of the period, in one
    query. Registering the same source twice is a no-op."""
    if source not in _prior_qualification_sources:
        _prior_qualification_sources.append(source)


def prior_qualification_periods(user_ids, first_day: datetime.date, last_day: datetime.date):
    """Every provider's rows (see ``provide_prior_qualifications``); ``expires_on`` None
    means no expiry. One query per provider (one in this product)."""
    rows = []
    for source in _prior_qualification_sources:
        rows.extend(source(user_ids, first_day, last_day))
    return rows
