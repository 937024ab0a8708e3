from django.core.checks import Tags, Warning, register

from . import system_packages


@register(Tags.compatibility)
def check_system_packages(app_configs=None, **kwargs):
    missing = system_packages.missing()
    if not missing:
        return []
    packages = " ".join(sorted(set(missing.values())))
    return [
        Warning(
            f"System packages missing: {', '.join(sorted(missing))}. "
            "PDF certificates and reports will be slow or show boxes instead of Chinese "
            "or Uyghur text.",
            hint=f"Install them: apt-get install {packages} (or run `make run`, which does).",
            id="lms.W001",
        )
    ]
