"""An issued home-care sheet: the print-ready page and the PDF, both from its snapshot."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from clinic.access import staff_required
from treatments import homecare
from treatments import sheet_pdf as rendering
from treatments.models import HomeCareSheet


def get_sheet(pk: int) -> HomeCareSheet:
    return get_object_or_404(HomeCareSheet.objects.select_related("patient"), pk=pk)


@staff_required("treatments.view_homecaresheet")
@require_GET
def sheet_detail(request, pk):
    sheet = get_sheet(pk)
    return render(
        request,
        "treatments/sheet_print.html",
        {
            "sheet": sheet,
            "patient": sheet.patient,
            "body": rendering.sheet_body(sheet),
            "verified": homecare.sheet_verifies(sheet),
        },
    )


@staff_required("treatments.view_homecaresheet")
@require_GET
def sheet_pdf(request, pk):
    sheet = get_sheet(pk)
    response = HttpResponse(rendering.sheet_pdf(sheet), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{rendering.sheet_filename(sheet)}"'
    return response
