"""Bench only: the reports with django-cachalot in place of the figure cache (issue 13).

django-cachalot is not a dependency of the project (``docs/decisions.md``, entry 13,
says why); this module installs nothing. To measure it again, put it somewhere of your
own and point Python at it:

    .venv/bin/pip install --no-deps --target /tmp/cachalot django-cachalot==2.9.1
    PYTHONPATH=/tmp/cachalot DJANGO_SETTINGS_MODULE=bench.reports_cachalot_settings \\
        CACHE_URL=redis://127.0.0.1:6379/13 \\
        DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench_reports \\
        .venv/bin/python bench/reports_bench.py --check-invalidation

By default only queries that read nothing but the tables the figure groups read are
cached (``CACHALOT_ONLY_CACHABLE_TABLES``: the figure cache's ``counted_tables()``);
``BENCH_CACHALOT_TABLES=all`` caches every query, as cachalot does when installed as is.
The figure cache is switched off (``REPORTS_FIGURES_CACHE = False``).
"""

import importlib.util
import os
import sys

if importlib.util.find_spec("cachalot") is None:
    sys.exit(
        "pip install django-cachalot first, outside the project's environment "
        "(see bench/reports_cachalot_settings.py); it is not a project dependency."
    )

from lms.settings.dev import *  # noqa: E402, F403
from lms.settings.dev import INSTALLED_APPS  # noqa: E402

INSTALLED_APPS = [*INSTALLED_APPS, "cachalot"]
REPORTS_FIGURES_CACHE = False

# The tables the figure groups read (reports.figure_cache.counted_tables()).
REPORT_TABLES = (
    "accounts_user",
    "accounts_user_groups",
    "accounts_user_user_permissions",
    "auth_group",
    "auth_group_permissions",
    "certification_certificate",
    "certification_certificationtype",
    "courses_course",
    "courses_course_prerequisites",
    "courses_enrolment",
    "courses_programme",
    "lecturer_corps_deliveryreport",
    "lecturer_corps_lecturerprofile",
    "lecturer_corps_servicerequest",
    "lecturer_corps_session",
    "lecturer_corps_venue",  # places.Venue keeps its table name
    "places_district",
    "practicum_activityminimum",
    "practicum_activitytype",
    "practicum_competencyevaluation",
    "practicum_practicumentry",
    "practicum_practicumrequirement",
    "quizzes_attempt",
    "quizzes_quiz",
    "quizzes_quizgrade",
    "reports_registercount",
    "reports_childrenserved",
    "reports_coveragetarget",
    "lecturer_corps_childattendance",
    "wagtailcore_page",
)
if os.environ.get("BENCH_CACHALOT_TABLES", "reports") != "all":
    CACHALOT_ONLY_CACHABLE_TABLES = REPORT_TABLES
