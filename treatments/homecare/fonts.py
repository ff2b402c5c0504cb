"""The fonts a home-care sheet's PDF needs, and a deploy check that they are installed.

WeasyPrint draws the PDF with the system's fonts (through fontconfig). A patient's name or a
personal note may be in any script; without a font for it the PDF prints empty boxes. The
sheet's CSS (templates/treatments/_sheet_body.html) names these families first; fontconfig
falls back to the other Noto fonts for scripts they lack (Devanagari, Thai …).
"""

import shutil
import subprocess

from django.core import checks

# family -> the Debian package that provides it
PDF_FONTS = {
    "DejaVu Sans": "fonts-dejavu-core",  # Latin, Greek, Cyrillic, Arabic, Hebrew
    "Noto Sans": "fonts-noto-core",  # with Noto Sans Arabic, Hebrew, Devanagari, Thai …
    "Noto Sans CJK SC": "fonts-noto-cjk",  # Chinese, Japanese, Korean
}


def installed_families() -> set[str] | None:
    """The font families fontconfig knows, or None when fc-list is not installed."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    listing = subprocess.run(
        [fc_list, ":", "family"], capture_output=True, text=True, timeout=30, check=False
    ).stdout
    return {name.strip() for line in listing.splitlines() for name in line.split(",")}


@checks.register(checks.Tags.compatibility, deploy=True)
def check_pdf_fonts(app_configs=None, **kwargs):
    families = installed_families()
    if families is None:
        return [
            checks.Warning(
                "Cannot check the fonts for home-care sheet PDFs: fc-list is missing.",
                hint="apt-get install fontconfig",
                id="meridian.W010",
            )
        ]
    missing = {family: package for family, package in PDF_FONTS.items() if family not in families}
    if not missing:
        return []
    return [
        checks.Warning(
            f"Home-care sheet PDFs need the fonts {', '.join(missing)}: names and notes in "
            "some scripts would print as empty boxes.",
            hint=f"apt-get install {' '.join(sorted(set(missing.values())))}",
            id="meridian.W011",
        )
    ]
