"""A practitioner's time off, with the booked appointments each stretch touches.

The hours screens live in `clinic`; this one lives with scheduling because it reads the
appointment book (time off cancels nothing: the desk sees what to move). Its URLs are still
`clinic:hours-time-off…`, wired in the URL root.
"""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from clinic import services
from clinic.access import staff_required
from clinic.forms import TimeOffForm
from clinic.models import Practitioner, TimeOff
from clinic.roles import Role
from treatments.models import Appointment


@staff_required("clinic.change_timeoff", role=Role.MANAGER)
@require_http_methods(["GET", "POST"])
def hours_time_off(request, practitioner_pk):
    """A practitioner's upcoming time off, the appointments it touches, and a form to add."""
    practitioner = get_object_or_404(Practitioner, pk=practitioner_pk)
    form = TimeOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            stretch = services.time_off_add(
                practitioner=practitioner,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Time off recorded: {stretch.label}.")
            affected = _appointments_during(practitioner, [stretch])[stretch.pk]
            if affected:
                messages.warning(request, _affected_message(affected))
            return redirect("clinic:hours-time-off", practitioner.pk)
    upcoming = list(practitioner.time_off.filter(end__gt=timezone.now()))
    affected = _appointments_during(practitioner, upcoming)
    context = {
        "practitioner": practitioner,
        "form": form,
        "upcoming": [(t, t.label, affected[t.pk]) for t in upcoming],
    }
    return render(request, "clinic/time_off.html", context)


@staff_required("clinic.delete_timeoff", role=Role.MANAGER)
@require_POST
def hours_time_off_remove(request, practitioner_pk, pk):
    stretch = get_object_or_404(TimeOff, pk=pk, practitioner_id=practitioner_pk)
    services.time_off_remove(time_off=stretch, by=request.user)
    messages.success(request, f"Removed the time off {stretch.label}.")
    return redirect("clinic:hours-time-off", practitioner_pk)


def _appointments_during(practitioner: Practitioner, stretches: list[TimeOff]) -> dict:
    """Live appointments of `practitioner` inside each stretch, by stretch pk (one query).

    Time off does not cancel anything: the desk sees these and moves them.
    """
    found = defaultdict(list)
    if not stretches:
        return found
    appointments = (
        Appointment.objects.live()
        .filter(practitioner=practitioner)
        .overlapping(min(s.start for s in stretches), max(s.end for s in stretches))
        .select_related("patient")
        .order_by("start")
    )
    for appointment in appointments:
        for stretch in stretches:
            if appointment.start < stretch.end and appointment.end > stretch.start:
                found[stretch.pk].append(appointment)
    return found


def _affected_message(appointments) -> str:
    listed = "; ".join(
        f"{timezone.localtime(a.start):%a %d %b %H:%M} {a.patient.display_name}"
        for a in appointments
    )
    if len(appointments) == 1:
        return f"1 appointment falls in this time off and stays booked; please move it: {listed}."
    return (
        f"{len(appointments)} appointments fall in this time off and stay booked; please move "
        f"them: {listed}."
    )
