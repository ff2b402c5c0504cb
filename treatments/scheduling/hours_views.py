"""Changing the clinic's opening hours and removing a block of a practitioner's week.

The other hours screens live in `clinic`; these two live with scheduling because they read
the appointment book: a change that leaves booked appointments outside the hours lists them
and asks the manager to confirm (nothing is moved or cancelled; the desk moves them). Their
URLs are still `clinic:hours-opening` and `clinic:hours-block-remove`, wired in the URL root.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from clinic import services
from clinic.access import staff_required
from clinic.forms import opening_week_forms
from clinic.models import OpeningHours, WorkingHours
from clinic.roles import Role
from treatments.scheduling import hours_impact


@staff_required("clinic.change_openinghours", role=Role.MANAGER)
@require_http_methods(["GET", "POST"])
def hours_opening(request):
    days = opening_week_forms(request.POST or None, OpeningHours.objects.all())
    errors, outside = [], []
    valid = [day.is_valid() for day in days]  # every day, so each shows its own errors
    if request.method == "POST" and all(valid):
        week = {day.weekday: day.hours() for day in days}
        after = {weekday: [hours] for weekday, hours in week.items() if hours is not None}
        outside = hours_impact.left_outside(hours_impact.opening_hours_now(), after)
        if _confirmed(request, outside):
            try:
                services.opening_hours_set_week(week=week, by=request.user)
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, "Opening hours saved.")
                if outside:
                    messages.warning(request, hours_impact.summary(outside, "opening hours"))
                return redirect("clinic:hours")
    context = {"days": days, "errors": errors, **_warning(outside)}
    return render(request, "clinic/hours_opening.html", context)


@staff_required("clinic.delete_workinghours", role=Role.MANAGER)
@require_POST
def hours_block_remove(request, practitioner_pk, pk):
    block = get_object_or_404(
        WorkingHours.objects.select_related("practitioner"), pk=pk, practitioner_id=practitioner_pk
    )
    practitioner = block.practitioner
    outside = hours_impact.left_outside(
        hours_impact.practitioner_week(practitioner),
        hours_impact.practitioner_week(practitioner, without=block),
        practitioner=practitioner,
    )
    if not _confirmed(request, outside):
        context = {"working_block": block, "practitioner": practitioner, **_warning(outside)}
        return render(request, "clinic/hours_block_remove.html", context)
    services.working_hours_remove(block=block, by=request.user)
    messages.success(request, f"Removed {block} from {practitioner.display_name}’s week.")
    if outside:
        where = f"{practitioner.display_name}’s working hours"
        messages.warning(request, hours_impact.summary(outside, where))
    return redirect("clinic:hours-practitioner", practitioner_pk)


def _confirmed(request, outside) -> bool:
    """Nothing left outside, or the manager confirmed exactly this list."""
    return not outside or request.POST.get("confirm") == hours_impact.confirmation(outside)


def _warning(outside) -> dict:
    return {
        "outside": outside,
        "outside_shown": hours_impact.in_words(outside),
        "outside_more": max(len(outside) - hours_impact.SHOWN, 0),
        "confirmation": hours_impact.confirmation(outside),
    }
