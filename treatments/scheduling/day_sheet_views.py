"""The front desk's day sheet: a page to print, and the same sheet as a PDF."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from clinic.access import staff_required
from treatments.scheduling.day_sheet import DaySheet, day_sheet, sheet_filename, sheet_pdf
from treatments.scheduling.forms import DaySheetForm


def _chosen(request) -> tuple[DaySheetForm, DaySheet | None]:
    """The day (today unless the address says) and practitioner asked for, and their sheet;
    no sheet when the address holds something that is not a day or a practitioner."""
    form = DaySheetForm(
        {
            "day": request.GET.get("day") or timezone.localdate().isoformat(),
            "practitioner": request.GET.get("practitioner", ""),
        }
    )
    if not form.is_valid():
        return form, None
    return form, day_sheet(form.cleaned_data["day"], form.cleaned_data["practitioner"])


@staff_required("treatments.view_appointment")
@require_GET
def day_sheet_page(request):
    form, sheet = _chosen(request)
    return render(request, "treatments/day_sheet.html", {"form": form, "sheet": sheet})


@staff_required("treatments.view_appointment")
@require_GET
def day_sheet_download(request):
    form, sheet = _chosen(request)
    if sheet is None:  # the page says what is wrong, next to the field
        return render(
            request, "treatments/day_sheet.html", {"form": form, "sheet": None}, status=400
        )
    response = HttpResponse(sheet_pdf(sheet, request=request), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{sheet_filename(sheet)}"'
    return response
