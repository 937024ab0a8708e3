"""Shared set-up of the certification benchmarks (not a benchmark itself).

Opens a test database (``test_<name>`` of DATABASE_URL, kept between runs; SQLite in
memory without DATABASE_URL) with the project's migrations applied, and makes bench
data inside transactions the benchmarks roll back, so a run leaves nothing behind.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")

import django  # noqa: E402

django.setup()

from django.test.utils import setup_databases  # noqa: E402


def open_database():
    setup_databases(verbosity=0, interactive=False, keepdb=True)
    from django.conf import settings

    key_file = Path("/tmp/lms-bench-cert-signing-key.pem")
    settings.CERT_SIGNING_KEY_FILE = str(key_file)


def rss_mb() -> float:
    """Resident memory of this process (Linux /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_certificate(username="bench_holder", real_name="王建华", languages=("zh",)):
    """A certificate for a bench holder (call inside a transaction that is rolled back)."""
    import datetime

    from certification import services
    from certification.models import CertificationType, Signatory
    from certification.seed import signature_png
    from tests.factories import make_user

    certification, _ = CertificationType.objects.get_or_create(
        code="bench_counsellor",
        defaults={
            "serial_prefix": "BC",
            "name": "心理咨询师",
            "name_en": "Psychological Counsellor",
            "name_ug": "پسىخولوگىيە مەسلىھەتچىسى",
            "issuing_authority": "吐鲁番市民政局",
            "issuing_authority_en": "Turpan Municipal Civil Affairs Bureau",
        },
    )
    if not certification.signatories.exists():
        signatory = Signatory(
            certification=certification, name="张伟", title="局长", title_en="Director"
        )
        signatory.signature.save("bench.png", signature_png(), save=True)
    holder = make_user("trainee", username=username, real_name=real_name, languages=list(languages))
    return services._create_certificate(
        certification=certification,
        holder=holder,
        cycle=0,
        issued_by=None,
        snapshot={
            "courses": [{"id": 1, "title": "儿童发展基础", "class_hours": 3}] * 13,
            "class_hours": 36,
            "exam_score": 86,
            "practicum": {"total_hours": 120, "direct_hours": 45.5},
        },
        valid_from=datetime.date.today(),
    )
