"""Shared by the sheet tests: issuing a sheet through the service, and reading its PDF."""

import io
import unicodedata

from pypdf import PdfReader

from tests.factories import PatientFactory
from treatments.homecare import services as homecare
from treatments.models import HomeCareItem, HomeCareSheet, SheetKind


def issue(practitioner, patient=None, notes=None, items=None, **kwargs) -> HomeCareSheet:
    """A relief sheet with `items` (default: the whole library), notes by item index."""
    items = list(HomeCareItem.objects.all()) if items is None else items
    notes = notes or {}
    return homecare.sheet_issue(
        patient=patient or PatientFactory(),
        kind=SheetKind.RELIEF,
        entries=[(item, notes.get(i, "")) for i, item in enumerate(items)],
        by=practitioner.user,
        **kwargs,
    )


def pdf_pages(content: bytes) -> list[str]:
    """Each page's text, NFKC-normalised (Arabic comes out in presentation forms)."""
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    return [unicodedata.normalize("NFKC", page.extract_text()) for page in reader.pages]


def pdf_text(content: bytes) -> str:
    return "\n".join(pdf_pages(content))


def pdf_fonts(content: bytes) -> set[str]:
    """The names of the fonts the PDF draws with (subset prefixes removed)."""
    fonts = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return fonts


def squeeze(text: str) -> str:
    """PDF text extraction breaks lines where the layout does: compare words only."""
    return " ".join(text.split())
