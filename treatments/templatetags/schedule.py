"""Pieces of the schedule shown on other apps' pages (the patient page, the complaint page).

The patients app does not import treatments; its templates load these tags instead.
"""

from django import template
from django.utils import timezone

from treatments.models import Appointment, HomeCareSheet, TreatmentCourse

register = template.Library()

PAST_APPOINTMENTS_SHOWN = 20


@register.inclusion_tag("treatments/_patient_schedule.html", takes_context=True)
def patient_schedule(context, patient):
    """Courses with progress, upcoming and past appointments, issued home-care sheets: four
    queries. (The patient page's view records the read: no writes while rendering.)"""
    now = timezone.now()
    appointments = Appointment.objects.with_people().filter(patient=patient)
    return {
        "patient": patient,
        "perms": context.get("perms"),
        "courses": TreatmentCourse.objects.with_progress()
        .filter(complaint__patient=patient)
        .select_related("practitioner", "complaint"),
        "upcoming": appointments.filter(end__gte=now).order_by("start"),
        "past": appointments.filter(end__lt=now).order_by("-start")[:PAST_APPOINTMENTS_SHOWN],
        "sheets": HomeCareSheet.objects.filter(patient=patient).select_related("practitioner"),
    }


def _next_appointments(patients) -> dict:
    """Patient id -> that patient's next appointment, with its practitioner: one query."""
    upcoming = Appointment.objects.next_for_patients(patients, after=timezone.now())
    return {a.patient_id: a for a in upcoming.select_related("practitioner")}


@register.simple_tag
def with_next_appointment(patients) -> list[tuple]:
    """`patients` (a page of them), each paired with their next appointment or None: one
    query for the whole page, whatever its length."""
    patients = list(patients)
    upcoming = _next_appointments([p.pk for p in patients]) if patients else {}
    return [(patient, upcoming.get(patient.pk)) for patient in patients]


@register.inclusion_tag("treatments/_next_appointment.html")
def next_appointment(patient):
    """The patient's next appointment, for the patient page's header: one query."""
    return {"appointment": _next_appointments([patient.pk]).get(patient.pk)}


@register.inclusion_tag("treatments/_complaint_courses.html", takes_context=True)
def complaint_courses(context, complaint):
    """The complaint's courses."""
    courses = list(
        TreatmentCourse.objects.with_progress()
        .filter(complaint=complaint)
        .select_related("practitioner")
    )
    return {
        "complaint": complaint,
        "perms": context.get("perms"),
        "courses": courses,
        "has_open_course": any(course.is_open for course in courses),
    }
