"""The recall list, and recording a contact about an item or dismissing it.

The front desk and the manager see everyone's recalls; a practitioner sees those of their
own patients (their courses). The list shows complaint titles and regions and course counts,
never notes; a complaint's title is part of the clinical record, so the patients listed go
to the access log.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from clinic.access import staff_required
from clinic.context_processors import clinic_profile_for
from treatments.audit.services import record_listing, record_read
from treatments.models import RecallKind, TreatmentCourse
from treatments.recalls import services
from treatments.recalls.forms import RecallContactForm, RecallDismissForm, RecallFilterForm
from treatments.recalls.worklist import RecallItem, recall_item, recall_list


def own_practitioner(user):
    """The practitioner whose recalls `user` is limited to; None for the desk and manager."""
    if user.is_front_desk or user.is_manager:
        return None
    practitioner = getattr(user, "practitioner", None)
    if practitioner is None:
        raise PermissionDenied
    return practitioner


def get_recall_for_user(request, kind: str, pk: int) -> RecallItem:
    """The item on the list now (404 if it is not), if the user may see it (else 403)."""
    months = clinic_profile_for(request).recall_after_months
    item = recall_item(kind=kind, pk=pk, now=timezone.now(), months=months)
    if item is None:
        raise Http404("This recall is not on the list.")
    practitioner = own_practitioner(request.user)
    if practitioner is not None:
        if item.course is not None:
            mine = item.course.practitioner_id == practitioner.pk
        else:
            mine = TreatmentCourse.objects.filter(
                complaint=item.complaint, practitioner=practitioner
            ).exists()
        if not mine:
            raise PermissionDenied
    return item


@staff_required("treatments.view_recallcontact")
@require_GET
def recalls(request):
    practitioner = own_practitioner(request.user)
    form = RecallFilterForm(request.GET) if practitioner is None else None
    if form is not None and form.is_valid():
        practitioner = form.cleaned_data["practitioner"]
    lists = recall_list(
        now=timezone.now(),
        months=clinic_profile_for(request).recall_after_months,
        practitioner=practitioner,
    )
    listed = [item.patient for items in lists.values() for item in items]
    record_listing(request, patients=listed, what="recall list")
    sections = [(RecallKind(kind), items) for kind, items in lists.items()]
    return render(
        request,
        "treatments/recalls.html",
        {
            "form": form,
            "sections": sections,
            "total": len(listed),
            "months": clinic_profile_for(request).recall_after_months,
        },
    )


def _item_page(request, item: RecallItem, form, action: str):
    record_read(request, patient=item.patient, what="recall", object_id=item.complaint.pk)
    return render(
        request, "treatments/recall_form.html", {"item": item, "form": form, "action": action}
    )


@staff_required("treatments.add_recallcontact")
@require_http_methods(["GET", "POST"])
def recall_contact(request, kind, pk):
    item = get_recall_for_user(request, kind, pk)
    form = RecallContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.recall_contact_record(item=item, by=request.user, **form.cleaned_data)
        messages.success(request, f"Contact with {item.patient.display_name} recorded.")
        return redirect("treatments:recalls")
    return _item_page(request, item, form, "contact")


@staff_required("treatments.add_recalldismissal")
@require_http_methods(["GET", "POST"])
def recall_dismiss(request, kind, pk):
    item = get_recall_for_user(request, kind, pk)
    form = RecallDismissForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.recall_dismiss(item=item, by=request.user, **form.cleaned_data)
        messages.success(
            request, f"{item.patient.display_name} is off the recall list until something changes."
        )
        return redirect("treatments:recalls")
    return _item_page(request, item, form, "dismiss")
