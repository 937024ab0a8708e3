"""Checks a Celery worker makes when it starts (connected in ``home/apps.py``).

Workers render PDFs (certificates, reports): without HarfBuzz's subsetter a
certificate takes seconds instead of milliseconds, and without the CJK and
Arabic-script fonts Chinese and Uyghur text print as boxes. The warning names
the Debian packages, so the operator knows exactly what to install.
"""

import logging

from . import system_packages

logger = logging.getLogger("lms.worker")


def warn_missing_system_packages(sender=None, **kwargs) -> None:
    """``worker_ready`` handler: log one WARNING naming missing packages; silent when all are there."""
    missing = system_packages.missing()
    if not missing:
        return
    packages = sorted(set(missing.values()))
    logger.warning(
        "System packages missing on this worker: %s. PDF certificates and reports will be slow "
        "or show boxes instead of Chinese or Uyghur text. Install them: apt-get install %s",
        ", ".join(packages),
        " ".join(packages),
        extra={"missing_packages": packages, "capabilities": sorted(missing)},
    )
