"""The front desk's day sheet: one day's appointments on paper, or as a PDF, with each
patient's phone number.

Its rows are the day calendar's appointments (`calendar_appointments`: people, "session 2 of
4" and the red-flag marker in one query), so the sheet and the calendar never disagree. A red
flag is shown as a marker only, as on the calendar; nothing clinical is printed.

The sheet holds patients' contact details but no clinical record, so reading it is not
written to the access log: like the patient list and the calendar, and unlike a patient's
page or a note (`record_read`).
"""

from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from clinic.models import Practitioner
from treatments.models import Appointment
from treatments.scheduling.calendar import calendar_appointments

SHEET_TEMPLATE = "treatments/day_sheet.html#sheet"


@dataclass
class DaySheet:
    day: date
    practitioner: Practitioner | None  # None: everyone's appointments
    rows: list[Appointment]  # booked, arrived and completed, by start
    cancelled: list[Appointment]  # cancelled and no-shows, struck through at the end

    @property
    def is_today(self) -> bool:
        return self.day == timezone.localdate()


def day_sheet(day: date, practitioner: Practitioner | None = None) -> DaySheet:
    """The day's appointments (one practitioner's, when given), in one query."""
    filters = {"practitioner": practitioner} if practitioner is not None else {}
    appointments = calendar_appointments(day, day, **filters)
    return DaySheet(
        day,
        practitioner,
        rows=[a for a in appointments if a.is_live],
        cancelled=[a for a in appointments if not a.is_live],
    )


def sheet_filename(sheet: DaySheet) -> str:
    """day-sheet-<date>[-<practitioner>].pdf: ASCII, and never a patient's name."""
    name = f"day-sheet-{sheet.day.isoformat()}"
    if sheet.practitioner is not None:
        name += f"-{slugify(sheet.practitioner.display_name) or sheet.practitioner.pk}"
    return f"{name}.pdf"


def sheet_pdf(sheet: DaySheet, *, request) -> bytes:
    """The sheet on A4 pages, its table's header repeated on each page."""
    # Heavy imports, only when a PDF is asked for.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    body = render_to_string(SHEET_TEMPLATE, {"sheet": sheet, "pdf": True}, request=request)
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Day sheet {sheet.day.isoformat()}</title></head><body>{body}</body></html>"
    )
    # Everything is in the document: nothing is fetched from a file or the network.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=document, url_fetcher=fetcher).write_pdf()
