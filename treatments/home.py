"""The home page: one part per role (someone holding several roles sees each part)."""

from django.db.models import Exists, OuterRef
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from clinic.access import staff_required
from clinic.models import Room, User
from patients.forms import PatientSearchForm
from patients.models import Complaint, Patient
from treatments.audit.services import record_listing
from treatments.models import TreatmentCourse
from treatments.scheduling.day_figures import day_figures
from treatments.scheduling.day_list import day_list, day_rows

HOME_LIST_LENGTH = 10


@staff_required()
@require_GET
def home(request):
    user = request.user
    day = timezone.localdate()
    now = timezone.now()
    context = {"day": day, "now": now}
    if user.is_front_desk or user.is_manager:
        appointments = list(day_list(day))  # shown, and counted for the manager's figures
        context["todays_appointments"] = day_rows(appointments, now=now)
    if user.is_front_desk:
        context["search_form"] = PatientSearchForm()
        context["recent_patients"] = Patient.objects.current().order_by("-created_at")[
            :HOME_LIST_LENGTH
        ]
    if user.is_practitioner and hasattr(user, "practitioner"):
        context |= _your_patients(request, user.practitioner, day_list(day), now=now)
    if user.is_manager:
        context["figures"] = day_figures(day, appointments, now=now)
        context["staff"] = User.objects.filter(is_active=True).prefetch_related("groups")
        context["rooms"] = Room.objects.all()
    return render(request, "home.html", context)


def _your_patients(request, practitioner, todays, *, now) -> dict:
    """The practitioner's part: today's appointments, open courses and complaints waiting
    for a course. Complaint titles and red flags are clinical, so the patients it names go
    to the access log."""
    mine = list(todays.filter(practitioner=practitioner))
    part = {
        "my_appointments": day_rows(mine, now=now),
        "my_courses": list(
            TreatmentCourse.objects.with_progress()
            .open()
            .filter(practitioner=practitioner)
            .select_related("complaint__patient")
            .order_by("complaint__patient__family_name")
        ),
        "unplanned_complaints": list(
            Complaint.objects.active()
            .filter(patient__is_archived=False)
            .exclude(Exists(TreatmentCourse.objects.filter(complaint=OuterRef("pk"))))
            .select_related("patient")
            .order_by("-created_at")[:HOME_LIST_LENGTH]
        ),
    }
    listed = [
        *(Patient(pk=appointment.patient_id) for appointment in mine),  # the log needs the key
        *(course.complaint.patient for course in part["my_courses"]),
        *(complaint.patient for complaint in part["unplanned_complaints"]),
    ]
    record_listing(request, patients=listed, what="home")
    return part
