#!/usr/bin/env bash
# Installs the operating-system packages the product needs, when they are missing.
#   scripts/system-packages.sh          fonts, HarfBuzz subsetter, Pango, gettext (make run / make test)
#   scripts/system-packages.sh --ci     also Chromium, Tesseract OCR and poppler (browser and PDF tests)
# On Debian as root it runs apt-get; elsewhere it prints what to install and goes on.
set -u
packages=(libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk fonts-noto-core gettext fontconfig)
if [ "${1:-}" = "--ci" ]; then
  packages+=(chromium tesseract-ocr tesseract-ocr-chi-sim poppler-utils)
fi
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
else
  echo "system-packages: not a Debian system; make sure these are installed: ${packages[*]}" >&2
  exit 0
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "system-packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/lms-apt.log 2>&1; then
    apt-get update -qq >/tmp/lms-apt-update.log 2>&1
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/lms-apt.log 2>&1 \
      || { echo "system-packages: apt-get failed, see /tmp/lms-apt.log" >&2; tail -5 /tmp/lms-apt.log >&2; exit 1; }
  fi
else
  echo "system-packages: missing ${missing[*]}." >&2
  echo "  Install them with: sudo apt-get install ${missing[*]}" >&2
  echo "  (PDFs will be slow or show boxes instead of Chinese/Uyghur text until then.)" >&2
fi
exit 0
