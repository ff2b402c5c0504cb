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
from treatments.models import Appointment, TreatmentCourse
from treatments.scheduling.day_figures import day_figures

HOME_LIST_LENGTH = 10


@staff_required()
@require_GET
def home(request):
    user = request.user
    day = timezone.localdate()
    todays = Appointment.objects.on_day(day).with_people().order_by("start")
    context = {"day": day, "now": timezone.now()}
    if user.is_front_desk:
        context["search_form"] = PatientSearchForm()
        context["recent_patients"] = Patient.objects.current().order_by("-created_at")[
            :HOME_LIST_LENGTH
        ]
        context["todays_appointments"] = todays
    if user.is_practitioner and hasattr(user, "practitioner"):
        context |= _your_patients(request, user.practitioner, todays)
    if user.is_manager:
        appointments = list(todays)  # shown, and counted for the figures
        context["todays_appointments"] = appointments
        context["figures"] = day_figures(day, appointments, now=context["now"])
        context["staff"] = User.objects.filter(is_active=True).prefetch_related("groups")
        context["rooms"] = Room.objects.all()
    return render(request, "home.html", context)


def _your_patients(request, practitioner, todays) -> dict:
    """The practitioner's part: today's appointments, open courses and complaints waiting
    for a course. Complaint titles and red flags are clinical, so the patients it names go
    to the access log."""
    part = {
        "my_appointments": list(todays.filter(practitioner=practitioner)),
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
        *(appointment.patient for appointment in part["my_appointments"]),
        *(course.complaint.patient for course in part["my_courses"]),
        *(complaint.patient for complaint in part["unplanned_complaints"]),
    ]
    record_listing(request, patients=listed, what="home")
    return part
