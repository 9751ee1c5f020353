#!/usr/bin/env bash
# Install the Debian packages that pipeline/load needs (idempotent).
# (Scanned pages are rasterised by pypdfium2, which pdfplumber already brings,
# so the pipeline does not need poppler-utils; the tests do.)
#
#   tesseract-ocr, tesseract-ocr-vie   OCR of scanned PDFs (pipeline/load/ocr.py)
#   antiword                           legacy Word 97-2003 .doc (pipeline/load/doc.py)
#   fonts-dejavu-core                  Vietnamese-capable TTF used to generate test fixtures
#   chromium                           headless browser tests of the HTML report (tests/outputs/test_report.py)
#                                      and of the review app (tests/review/test_browser.py)
#   chromium-driver                    chromedriver, which Selenium drives chromium with (tests/review/test_browser.py)
#   poppler-utils                      test only: pdftotext -layout, compared with the PDF loader's words (tests/test_realfiles.py)
#
# Installs only what is missing, and only when running as root; otherwise it
# prints the apt-get command to run.  Safe to run any number of times.
set -euo pipefail

PACKAGES=(tesseract-ocr tesseract-ocr-vie antiword fonts-dejavu-core chromium chromium-driver poppler-utils)

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-system-deps: all present (${PACKAGES[*]})"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "install-system-deps: missing Debian packages: ${missing[*]}" >&2
    echo "install-system-deps: run as root:  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
