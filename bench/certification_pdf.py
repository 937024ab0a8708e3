"""Benchmark: certificate PDFs in a warm worker, beside the slow baseline, and worker memory.

Run: .venv/bin/python bench/certification_pdf.py [RENDERS]   (DATABASE_URL optional)

1. warm: ``render_certificate_pdf`` with the process-wide FontConfiguration and
   stylesheet (certification/pdf.py): median / p95 per PDF, size, embedded fonts.
2. baseline: the same document with a new FontConfiguration and stylesheet per render
   (what the code would do without the module-level cache), median and memory growth.
3. memory: RSS after RENDERS (default 1,000) warm renders.
Wall-clock and CPU time are both shown: on a shared machine the CPU time of the
process is the figure comparable with an idle core. Also the Uyghur variant (holder reads Uyghur: a second, Arabic-script font). Nothing is
asserted; the figures go to docs/performance.md.
"""

import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from certification_data import make_certificate, open_database, rss_mb  # noqa: E402


def timed(function, count):
    """Wall-clock ms per call, and a label with the CPU ms of the same calls."""
    times, cpu_times = [], []
    for _ in range(count):
        started, cpu = time.perf_counter(), time.process_time()
        content = function()
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu) * 1000)
    return times, content, f"CPU median {statistics.median(cpu_times):.1f} ms"


def fonts(content: bytes) -> list[str]:
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(content)).pages[0]
    return sorted(
        str(f.get_object()["/BaseFont"]).split("+")[-1]
        for f in page["/Resources"]["/Font"].values()
    )


def main(renders: int) -> None:
    open_database()
    from django.db import transaction

    from certification import pdf, services
    from home import system_packages

    print(f"missing system packages: {system_packages.missing() or 'none'}")
    with transaction.atomic():
        certificate = make_certificate()
        uyghur = make_certificate("bench_holder_ug", "阿依古丽·买买提", ("zh", "ug"))
        start_rss = rss_mb()
        first, content, first_cpu = timed(lambda: services.render_certificate_pdf(certificate), 1)
        warm, content, warm_cpu = timed(lambda: services.render_certificate_pdf(certificate), 50)
        warm_ug, content_ug, ug_cpu = timed(lambda: services.render_certificate_pdf(uyghur), 20)
        print(f"first render (cold process): {first[0]:.0f} ms ({first_cpu})")
        print(f"load average while measuring: {Path('/proc/loadavg').read_text().split()[:3]}")
        print(
            f"warm (shared fonts+stylesheet): median {statistics.median(warm):.1f} ms, "
            f"p95 {sorted(warm)[int(len(warm) * 0.95) - 1]:.1f} ms ({warm_cpu}), "
            f"{len(content) / 1024:.0f} KB, fonts {fonts(content)}"
        )
        print(
            f"warm, Uyghur holder: median {statistics.median(warm_ug):.1f} ms ({ug_cpu}), "
            f"{len(content_ug) / 1024:.0f} KB, fonts {fonts(content_ug)}"
        )
        before = rss_mb()
        baseline, slow, baseline_cpu = timed(lambda: pdf.render_uncached(certificate), 30)
        after = rss_mb()
        print(
            f"baseline (new FontConfiguration + stylesheet per PDF): median "
            f"{statistics.median(baseline):.1f} ms ({baseline_cpu}), {len(slow) / 1024:.0f} KB; RSS "
            f"{before:.0f} → {after:.0f} MB over 30 renders (+{(after - before) / 30 * 1000:.0f} KB/render)"
        )
        before = rss_mb()
        many, _content, many_cpu = timed(
            lambda: services.render_certificate_pdf(certificate), renders
        )
        after = rss_mb()
        print(
            f"{renders} warm renders: median {statistics.median(many):.1f} ms ({many_cpu}), total "
            f"{sum(many) / 1000:.1f} s; RSS {before:.0f} → {after:.0f} MB "
            f"(process started the benchmark at {start_rss:.0f} MB)"
        )
        transaction.set_rollback(True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
