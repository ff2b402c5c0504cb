"""Rendering an issued home-care sheet: the HTML body (shared by the print page and the PDF)
and the PDF itself, both drawn only from the sheet's snapshot, never from the library."""

from datetime import date

from django.template.loader import render_to_string
from django.utils.text import slugify

from treatments.models import HomeCareSheet

BODY_TEMPLATE = "treatments/_sheet_body.html"


def sheet_body(sheet: HomeCareSheet) -> str:
    """The sheet's content as HTML (with its own CSS): the same bytes on every reprint."""
    snapshot = sheet.snapshot
    return render_to_string(
        BODY_TEMPLATE,
        {"sheet": sheet, "s": snapshot, "issued_on": date.fromisoformat(snapshot["date"])},
    )


# Letters that Unicode does not decompose into an ASCII letter plus an accent.
ASCII_LETTERS = str.maketrans(
    {
        "Ø": "O",
        "ø": "o",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "ß": "ss",
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "Þ": "Th",
        "þ": "th",
        "ı": "i",
    }
)


def sheet_filename(sheet: HomeCareSheet) -> str:
    """home-care-<family-name>-<date>-v<version>.pdf, ASCII only."""
    family = slugify(sheet.patient.family_name.translate(ASCII_LETTERS), allow_unicode=False)
    family = family or "patient"
    return f"home-care-{family}-{sheet.snapshot['date']}-v{sheet.version}.pdf"


def sheet_pdf(sheet: HomeCareSheet) -> bytes:
    # Heavy imports, only when a PDF is asked for.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Home-care sheet {sheet.version}</title></head>"
        f"<body>{sheet_body(sheet)}</body></html>"
    )
    # The sheet is self-contained: nothing is fetched but the pictures its snapshot carries
    # as data: URIs (never a file or the network).
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=document, url_fetcher=fetcher).write_pdf()
