"""What the product needs from the operating system, and how to tell whether it is there.

WeasyPrint subsets fonts with HarfBuzz's subsetter when ``libharfbuzz-subset`` is
present (about 85 ms a certificate) and falls back to fontTools without it (about
5.5 s). Certificates and reports need CJK and Arabic-script (Uyghur) fonts.
"""

from __future__ import annotations

import ctypes.util
import shutil
import subprocess
from functools import cache

# Debian package names; installed by scripts/system-packages.sh.
DEBIAN_PACKAGES = {
    "harfbuzz_subset": "libharfbuzz-subset0",
    "font_chinese": "fonts-noto-cjk",
    "font_uyghur": "fonts-noto-core",
    "pango": "libpango-1.0-0",
}


def _fontconfig_has(lang: str) -> bool:
    if not shutil.which("fc-list"):
        return False
    try:
        output = subprocess.run(
            ["fc-list", f":lang={lang}", "family"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(output.strip())


@cache
def missing() -> dict[str, str]:
    """Map of missing capability → the Debian package that provides it (cached per process)."""
    found = {
        "harfbuzz_subset": bool(ctypes.util.find_library("harfbuzz-subset")),
        "font_chinese": _fontconfig_has("zh-cn"),
        "font_uyghur": _fontconfig_has("ug"),
        "pango": bool(ctypes.util.find_library("pango-1.0")),
    }
    return {name: DEBIAN_PACKAGES[name] for name, ok in found.items() if not ok}
