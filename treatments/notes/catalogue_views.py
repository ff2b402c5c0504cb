"""The acupuncture point catalogue: every practitioner can look a point up; a manager adds
the clinic's own points and retires points (never deletes one)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from clinic.access import staff_required
from clinic.formtools import add_service_errors
from treatments.models import AcupuncturePoint
from treatments.notes import services as notes
from treatments.notes.forms import PointForm


@staff_required("treatments.view_acupuncturepoint")
@require_http_methods(["GET", "POST"])
def point_catalogue(request):
    can_add = request.user.has_perm("treatments.add_acupuncturepoint")
    form = PointForm(request.POST if request.method == "POST" and can_add else None)
    if request.method == "POST" and not can_add:
        messages.error(request, "Only a clinic manager adds points.")
        return redirect("treatments:point-catalogue")
    if form.is_bound and form.is_valid():
        try:
            point = notes.point_add(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Added {point.label} to the catalogue.")
            return redirect("treatments:point-catalogue")
    query = " ".join(request.GET.get("q", "").replace("\x00", "").split())[:60]
    points = AcupuncturePoint.objects.search(query)
    context = {"points": points, "query": query, "form": form, "can_add": can_add}
    return render(request, "treatments/point_catalogue.html", context)


@staff_required("treatments.change_acupuncturepoint")
@require_POST
def point_in_use(request, pk):
    point = get_object_or_404(AcupuncturePoint, pk=pk)
    in_use = request.POST.get("in_use") == "1"
    notes.point_set_in_use(point=point, in_use=in_use)
    done = "back in use" if in_use else "retired: notes that used it keep it"
    messages.success(request, f"{point.code} is {done}.")
    return redirect("treatments:point-catalogue")
