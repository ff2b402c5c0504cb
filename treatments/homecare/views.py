"""The home-care library (advice written for patients), building a sheet from it, and an
issued sheet: the print-ready page and the PDF, both from its snapshot."""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from clinic.access import staff_required
from clinic.formtools import add_service_errors
from clinic.params import query_id
from clinic.time_limit import TimeLimitExceeded
from patients.models import BodyRegion, Complaint
from treatments.audit import seals
from treatments.audit.services import record_read
from treatments.homecare import pdf as rendering
from treatments.homecare import services as homecare
from treatments.homecare.forms import (
    HomeCareItemForm,
    SheetBuilderForm,
    item_fields,
)
from treatments.homecare.matching import presentation_label
from treatments.models import HomeCareItem, HomeCareKind, HomeCareSheet, TreatmentCourse

logger = logging.getLogger(__name__)

# --- the library ---------------------------------------------------------------------------


@staff_required("treatments.view_homecareitem")
@require_GET
def library(request):
    items = list(HomeCareItem.objects.all())
    for item in items:
        item.region_labels = [BodyRegion(value).label for value in item.regions]
    groups = [
        (label, [item for item in items if item.kind == value])
        for value, label in HomeCareKind.choices
    ]
    return render(
        request,
        "treatments/home_care_library.html",
        {"groups": [(label, group) for label, group in groups if group], "count": len(items)},
    )


def _item_form(request, item=None):
    form = HomeCareItemForm(request.POST or None, request.FILES or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            saved = homecare.item_save(item=item, by=request.user, **item_fields(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{saved.title}” is saved in the library.")
            return redirect("treatments:home-care-library")
    return render(request, "treatments/home_care_item_form.html", {"form": form, "item": item})


@staff_required("treatments.add_homecareitem")
@require_http_methods(["GET", "POST"])
def item_create(request):
    return _item_form(request)


@staff_required("treatments.change_homecareitem")
@require_http_methods(["GET", "POST"])
def item_edit(request, pk):
    return _item_form(request, get_object_or_404(HomeCareItem, pk=pk))


# --- building a sheet ----------------------------------------------------------------------


def _sheet_context(request):
    """(complaint, course, practitioner, problem) from ?course= or ?complaint=; the sheet is
    issued in the name of whoever issues it (see homecare.sheet_practitioner)."""
    course_id, complaint_id = query_id(request.GET, "course"), query_id(request.GET, "complaint")
    if course_id is not None:
        course = get_object_or_404(
            TreatmentCourse.objects.select_related("complaint__patient", "practitioner"),
            pk=course_id,
        )
        complaint = course.complaint
    elif complaint_id is not None:
        course = None
        complaint = get_object_or_404(Complaint.objects.select_related("patient"), pk=complaint_id)
    else:
        return None, None, None, "Start a home-care sheet from a patient’s complaint or course."
    try:
        practitioner = homecare.sheet_practitioner(by=request.user, course=course)
    except ValidationError as error:
        return complaint, course, None, " ".join(error.messages)
    return complaint, course, practitioner, ""


@staff_required("treatments.add_homecaresheet")
@require_http_methods(["GET", "POST"])
def sheet_create(request):
    complaint, course, practitioner, problem = _sheet_context(request)
    if problem:
        return render(request, "treatments/sheet_form.html", {"problem": problem}, status=400)
    suggestion = homecare.suggest_items(complaint)
    form = SheetBuilderForm(
        request.POST or None,
        items=HomeCareItem.objects.filter(is_active=True),
        suggestion=suggestion,
        complaint=complaint,
        kind=request.GET.get("kind"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            sheet = _issue(form, complaint, course, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            for reason in form.deliberate_left_outs():
                messages.warning(request, f"{reason} You included it deliberately.")
            return redirect("treatments:sheet-detail", sheet.pk)
    record_read(request, patient=complaint.patient, what="sheet builder", object_id=complaint.pk)
    context = {
        "form": form,
        "rows": form.rows(),
        "left_out": suggestion.left_out,
        "no_heat_reason": homecare.NO_HEAT_REASON,
        "presentation": presentation_label(complaint),
        "complaint": complaint,
        "course": course,
        "practitioner": practitioner,
    }
    return render(request, "treatments/sheet_form.html", context)


def _issue(form: SheetBuilderForm, complaint, course, *, by) -> HomeCareSheet:
    return homecare.sheet_issue(
        patient=complaint.patient,
        kind=form.cleaned_data["kind"],
        entries=form.entries(),
        by=by,
        complaint=complaint,
        course=course,
        intro=form.intro_text(),
    )


# --- an issued sheet -------------------------------------------------------------------------


def get_sheet(pk: int) -> HomeCareSheet:
    return get_object_or_404(HomeCareSheet.objects.select_related("patient"), pk=pk)


@staff_required("treatments.view_homecaresheet")
@require_GET
def sheet_detail(request, pk):
    sheet = get_sheet(pk)
    record_read(request, patient=sheet.patient, what="home-care sheet", object_id=sheet.pk)
    user = request.user
    # E-mailing it: who may send sees what was sent already (and when), as the desk does.
    shown = user.has_perm("treatments.add_message") or user.has_perm("treatments.view_message")
    emails = list(sheet.messages.order_by("-created_at", "-pk")) if shown else []
    return render(
        request,
        "treatments/sheet_print.html",
        {
            "sheet": sheet,
            "patient": sheet.patient,
            "body": rendering.sheet_body(sheet),
            "verification": seals.check_sheet(sheet),
            "emails": emails,
            "emails_shown": shown,
            "last_emailed": next((m.sent_at for m in emails if m.went_out), None),
        },
    )


@staff_required("treatments.view_homecaresheet")
@require_GET
def sheet_pdf(request, pk):
    sheet = get_sheet(pk)
    try:
        content = rendering.sheet_pdf(sheet)
    except TimeLimitExceeded:
        # The sheet's number only: no patient data in logs.
        logger.warning(
            "The PDF of home-care sheet %s took longer than %s s and was stopped.",
            sheet.pk,
            settings.PDF_TIME_LIMIT_SECONDS,
        )
        return render(request, "treatments/sheet_pdf_timeout.html", {"sheet": sheet}, status=503)
    record_read(request, patient=sheet.patient, what="home-care sheet pdf", object_id=sheet.pk)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{rendering.sheet_filename(sheet)}"'
    return response
