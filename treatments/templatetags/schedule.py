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
