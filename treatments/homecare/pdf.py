"""Rendering an issued home-care sheet: the HTML body (shared by the print page and the PDF)
and the PDF itself, both drawn only from the sheet's snapshot, never from the library.

Issue 15: the pictures a snapshot carries pass clinic.pictures.shown_picture on their way
to the page (a hostile one kept before the checks existed is left out, the snapshot itself
untouched), and the PDF is drawn in a child process stopped after
settings.PDF_TIME_LIMIT_SECONDS (clinic.time_limit), so that no sheet can hold a worker.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.text import slugify

from clinic.pictures import shown_picture
from clinic.text import ASCII_LETTERS
from clinic.time_limit import run_with_time_limit
from treatments.models import HomeCareSheet

BODY_TEMPLATE = "treatments/_sheet_body.html"


@dataclass
class Layout:
    """The sheet's numbered advice in three runs: the cautions are printed right after the
    last stretch, and kept with it on one page and in one column (`kept`)."""

    before: list[tuple[int, dict]]
    kept: list[tuple[int, dict]]
    after: list[tuple[int, dict]]


def layout(snapshot: dict) -> Layout:
    numbered = list(enumerate(snapshot["items"], start=1))
    stretches = [i for i, (_, item) in enumerate(numbered) if item["kind"] == "stretch"]
    if not stretches:  # the cautions follow all the advice
        return Layout(before=numbered, kept=[], after=[])
    last = stretches[-1]
    return Layout(
        before=numbered[:last], kept=numbered[last : last + 1], after=numbered[last + 1 :]
    )


def sheet_body(sheet: HomeCareSheet, *, pdf: bool = False, one_column: bool = False) -> str:
    """The sheet's content as HTML (with its own CSS), drawn only from its snapshot: two
    columns on one A4 page; `one_column` for a sheet too long for one page."""
    snapshot = with_shown_pictures(sheet.snapshot)
    return render_to_string(
        BODY_TEMPLATE,
        {
            "sheet": sheet,
            "s": snapshot,
            "layout": layout(snapshot),
            "issued_on": date.fromisoformat(snapshot["date"]),
            "contact": contact_line(snapshot["clinic"]),
            "pdf": pdf,
            "one_column": one_column,
        },
    )


def with_shown_pictures(snapshot: dict) -> dict:
    """A copy of the snapshot whose pictures are as shown_picture gives them."""
    shown = {**snapshot, "clinic": {**snapshot["clinic"]}}
    shown["clinic"]["logo"] = shown_picture(snapshot["clinic"].get("logo", ""))
    for part in ("items", "cautions", "contact"):
        shown[part] = [
            {**item, "illustration": shown_picture(item.get("illustration", ""))}
            for item in snapshot.get(part, [])
        ]
    return shown


def contact_line(clinic: dict) -> list[str]:
    """The clinic's phone, e-mail and address as the parts of one line under its name (the
    address's lines joined by commas). Sheets issued before the e-mail was kept have none."""
    address = ", ".join(line.strip() for line in clinic.get("address", "").splitlines())
    parts = [f"Tel. {clinic['phone']}" if clinic.get("phone") else "", clinic.get("email"), address]
    return [part for part in parts if part]


def sheet_filename(sheet: HomeCareSheet) -> str:
    """home-care-<family-name>-<date>-v<version>.pdf, ASCII only."""
    family = slugify(sheet.patient.family_name.translate(ASCII_LETTERS), allow_unicode=False)
    family = family or "patient"
    return f"home-care-{family}-{sheet.snapshot['date']}-v{sheet.version}.pdf"


def sheet_pdf(sheet: HomeCareSheet) -> bytes:
    """The sheet on one A4 page in two columns; a sheet longer than that (long personal
    notes) in one column, where the cautions are kept with the last stretch across pages.
    Raises clinic.time_limit.TimeLimitExceeded after settings.PDF_TIME_LIMIT_SECONDS."""
    _warmed_up()  # in the worker, once: every child starts from there
    # Both layouts' HTML is made here, from the database's rows; the child only draws.
    two_columns = _document(sheet, one_column=False)
    one_column = _document(sheet, one_column=True)
    return run_with_time_limit(
        pdf_from_html, two_columns, one_column, seconds=settings.PDF_TIME_LIMIT_SECONDS
    )


def pdf_from_html(two_columns: str, one_column: str) -> bytes:
    """The PDF of the first HTML, or of the second if the first needs more than a page."""
    document = _rendered(two_columns)
    if len(document.pages) > 1:
        document = _rendered(one_column)
    return document.write_pdf()


def _document(sheet: HomeCareSheet, *, one_column: bool) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Home-care sheet {sheet.version}</title></head>"
        f"<body>{sheet_body(sheet, pdf=True, one_column=one_column)}</body></html>"
    )


def _weasyprint():
    # Heavy imports, only when a PDF is asked for.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML, URLFetcher


@cache
def _warmed_up():
    """WeasyPrint imported, and a line of text drawn into a PDF with the sheets' fonts, in
    the worker itself: its first PDF costs twice its later ones (fonts found, modules
    imported), a price each forked child would otherwise pay again."""
    _rendered(
        "<p style=\"font-family: 'DejaVu Sans', 'Noto Sans', sans-serif\">Meridian <b>1</b></p>"
    ).write_pdf()


def _rendered(document: str):
    HTML, URLFetcher = _weasyprint()
    # The sheet is self-contained: nothing is fetched but the pictures its snapshot carries
    # as data: URIs (never a file or the network).
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=document, url_fetcher=fetcher).render()
