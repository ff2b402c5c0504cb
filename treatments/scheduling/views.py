"""Booking, the day list, moving, cancelling and status changes of appointments."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import staff_required
from clinic.history import shown_to
from clinic.models import Practitioner
from clinic.params import query_id
from patients.models import Patient
from treatments.audit.services import record_listing, record_read
from treatments.models import OPEN_COURSE_STATUSES, Appointment, AppointmentType, TreatmentCourse
from treatments.planning import suggest_course_length
from treatments.scheduling import services as scheduling
from treatments.scheduling.checks import SchedulingError, slot_problems
from treatments.scheduling.day_list import AppointmentActions, day_list, day_rows
from treatments.scheduling.forms import (
    BookingForm,
    CancelForm,
    FreeSlotForm,
    MoveForm,
    parse_local_start,
    slot_query,
)
from treatments.scheduling.free_slots import find_free_slots, free_room, nearest_free_slots
from treatments.scheduling.history import appointment_history

PICKER_LIMIT = 8


def get_appointment(pk: int) -> Appointment:
    return get_object_or_404(Appointment.objects.with_people().with_session_number(), pk=pk)


def _next_or(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


def _booking_initial(request) -> dict:
    """Pre-fill from a calendar slot, a patient page or a course: ?patient=&practitioner=…"""
    initial = {"appointment_type": AppointmentType.objects.follow_up()}
    for name in ("patient", "practitioner", "room", "course", "appointment_type"):
        if (chosen := query_id(request.GET, name)) is not None:
            initial[name] = chosen
    start = parse_local_start(request.GET.get("start"))
    if start:
        local = timezone.localtime(start)
        initial["date"], initial["time"] = local.date(), local.time()
    else:
        initial["date"] = timezone.localdate()
    chosen_type = initial.get("appointment_type")
    if isinstance(chosen_type, int):
        chosen_type = AppointmentType.objects.filter(pk=chosen_type).first()
    initial["duration"] = chosen_type.default_duration if chosen_type else 45
    if not request.GET.get("practitioner") and hasattr(request.user, "practitioner"):
        initial["practitioner"] = request.user.practitioner.pk
    # A slot on the calendar gives a practitioner and a time: a room free then comes with it.
    if start and "room" not in initial:
        room = free_room(start, start + timedelta(minutes=initial["duration"]))
        initial["room"] = room.pk if room else None
    # The patient's one open course with sessions to book is the likely one.
    if "patient" in initial and "course" not in initial:
        patient = Patient.objects.current().filter(pk=initial["patient"]).first()
        initial["course"] = only_open_course(course_choices(patient)["open_courses"])
    return initial


@staff_required("treatments.add_appointment")
@require_http_methods(["GET", "POST"])
def appointment_create(request):
    can_override = request.user.has_perm("treatments.override_availability")
    form = BookingForm(
        request.POST or None, initial=_booking_initial(request), can_override=can_override
    )
    alternatives, problems = [], []
    if request.method == "POST" and form.is_valid():
        try:
            appointment = _book(form.cleaned_data, by=request.user)
        except SchedulingError as error:
            problems = error.messages
            alternatives = _alternatives(form.cleaned_data)
        else:
            messages.success(request, f"Booked: {appointment.patient} {_when(appointment)}.")
            return redirect(_day_url(appointment))
    patient = form.chosen_patient
    if patient is not None:  # the form lists the patient's courses and complaints
        record_read(request, patient=patient, what="booking form", object_id=patient.pk)
    return render(
        request,
        "treatments/appointment_form.html",
        {
            "form": form,
            "problems": problems,
            "alternatives": alternatives,
            "types": _type_durations(),
            **course_choices(patient),
        },
    )


def _book(data: dict, *, by) -> Appointment:
    return scheduling.book(
        patient=data["patient"],
        practitioner=data["practitioner"],
        room=data["room"],
        appointment_type=data["appointment_type"],
        start=data["start"],
        end=data["end"],
        course=data["course"],
        by=by,
        override_reason=data.get("override_reason", ""),
    )


def _alternatives(data: dict) -> list:
    """Free slots near the time the booking form asked for."""
    return nearest_free_slots(
        practitioner=data["practitioner"],
        patient=data["patient"],
        wanted=data["start"],
        duration=data["end"] - data["start"],
        preferred_room=data["room"],
    )


def _type_durations() -> dict:
    return {
        str(pk): minutes
        for pk, minutes in AppointmentType.objects.values_list("pk", "default_duration")
    }


def _when(appointment: Appointment) -> str:
    start = timezone.localtime(appointment.start)
    return f"{start:%a %d %b %H:%M}–{timezone.localtime(appointment.end):%H:%M}"


def _day_url(appointment: Appointment) -> str:
    day = timezone.localtime(appointment.start).date()
    return reverse("treatments:schedule-day", args=[day.isoformat()])


@staff_required("treatments.add_appointment")
@require_POST
def appointment_check(request):
    """The booking form's live check (htmx): what would stop this booking, before saving."""
    form = BookingForm(request.POST)
    problems = []
    checked = form.is_valid()
    if checked:
        data = form.cleaned_data
        problems = slot_problems(
            patient=data["patient"],
            practitioner=data["practitioner"],
            room=data["room"],
            start=data["start"],
            end=data["end"],
        ).messages
    return render(
        request,
        "treatments/appointment_form.html#check",
        {"checked": checked, "problems": problems},
    )


@staff_required("treatments.add_appointment")
@require_GET
def patient_picker(request):
    query = request.GET.get("patient_search", "").strip()
    found = Patient.objects.current().search(query)[:PICKER_LIMIT] if len(query) >= 2 else []
    patients = list(found)
    record_listing(request, patients=patients, what="patient search")
    return render(
        request, "treatments/appointment_form.html#picker", {"patients": patients, "query": query}
    )


@staff_required("treatments.add_appointment")
@require_GET
def patient_courses(request):
    """For the booking form (htmx): book a whole course from the chosen slot instead."""
    chosen = query_id(request.GET, "patient")
    patient = Patient.objects.current().filter(pk=chosen).first() if chosen else None
    choices = course_choices(patient)
    # The course field, for the chosen patient and with their one open course chosen, replaces
    # the form's (an out-of-band swap).
    if patient is not None:
        record_read(request, patient=patient, what="booking form", object_id=patient.pk)
        only = only_open_course(choices["open_courses"])
        choices["course_form"] = BookingForm(initial={"patient": patient.pk, "course": only})
    return render(request, "treatments/appointment_form.html#courses", choices)


def only_open_course(open_courses: list) -> int | None:
    """The id of the patient's open course with sessions to book, when there is exactly one."""
    return open_courses[0].pk if len(open_courses) == 1 else None


def course_choices(patient: Patient | None) -> dict:
    """The patient's open courses with sessions to book, and active complaints without a
    course (each with its suggested length)."""
    if patient is None:
        return {"open_courses": [], "unplanned": []}
    courses = (
        TreatmentCourse.objects.with_progress()
        .open()
        .filter(complaint__patient=patient)
        .select_related("complaint")
    )
    unplanned = (
        patient.complaints.active().exclude(courses__status__in=OPEN_COURSE_STATUSES).distinct()
    )
    return {
        "open_courses": [c for c in courses if c.progress().to_book],
        "unplanned": [(c, suggest_course_length(c)) for c in unplanned],
    }


@staff_required("treatments.view_appointment")
@require_GET
def appointment_detail(request, pk):
    appointment = get_appointment(pk)
    changes = appointment.status_changes.select_related("changed_by", "undone_by")
    now = timezone.now()
    context = {"appointment": appointment, "changes": changes, "now": now}
    context["actions"] = AppointmentActions.of(appointment, now=now)
    if appointment.course_id:
        context["progress"] = appointment.course.progress()
    record_read(request, patient=appointment.patient, what="appointment", object_id=appointment.pk)
    if shown_to(request.user, Appointment):
        context["history"] = appointment_history(appointment)
    return render(request, "treatments/appointment_detail.html", context)


@staff_required("treatments.change_appointment")
@require_http_methods(["GET", "POST"])
def appointment_move(request, pk):
    appointment = get_appointment(pk)
    form = MoveForm(request.POST or None, initial=MoveForm.initial_for(appointment))
    problems = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        freed = slot_query(
            start=appointment.start,
            end=appointment.end,
            practitioner_id=appointment.practitioner_id,
            room_id=appointment.room_id,
        )
        try:
            scheduling.reschedule(
                appointment=appointment,
                start=data["start"],
                end=data["end"],
                practitioner=data["practitioner"],
                room=data["room"],
                by=request.user,
            )
        except SchedulingError as error:
            problems = error.messages
            appointment.refresh_from_db()
        else:
            # The time it left is free: the waitlist's page offers it (by URL name only, the
            # waitlist sits above scheduling).
            fill = f"{reverse('treatments:waitlist-fill')}?{freed}"
            messages.success(
                request,
                format_html(
                    'Moved to {}. <a href="{}">Fill the freed slot</a> from the waitlist.',
                    _when(appointment),
                    fill,
                ),
            )
            detail = reverse("treatments:appointment-detail", args=[appointment.pk])
            return redirect(_next_or(request, detail))  # a calendar it was dragged on
    return render(
        request,
        "treatments/appointment_move.html",
        {
            "form": form,
            "appointment": appointment,
            "problems": problems,
            "next": _next_or(request, ""),
        },
    )


@staff_required("treatments.change_appointment")
@require_http_methods(["GET", "POST"])
def appointment_cancel(request, pk):
    appointment = get_appointment(pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scheduling.cancel(
                appointment=appointment, reason=form.cleaned_data["reason"], by=request.user
            )
        except SchedulingError as error:
            form.add_error(None, error.messages)
        else:
            late = " (late cancellation)" if appointment.late_cancellation else ""
            messages.success(
                request,
                format_html(
                    'Cancelled{}: {} {}. <a href="{}">Fill the freed slot</a> from the waitlist.',
                    late,
                    appointment.patient,
                    _when(appointment),
                    reverse("treatments:waitlist-freed", args=[appointment.pk]),
                ),
            )
            return redirect("treatments:appointment-detail", appointment.pk)
    return render(
        request,
        "treatments/appointment_cancel.html",
        {
            "form": form,
            "appointment": appointment,
            "late_hours": settings.LATE_CANCELLATION_HOURS,
        },
    )


STATUS_ACTIONS = {
    "arrived": scheduling.mark_arrived,
    "completed": scheduling.complete,
    "no_show": scheduling.mark_no_show,
}


@staff_required("treatments.change_appointment")
@require_POST
def appointment_status(request, pk):
    appointment = get_appointment(pk)
    action = STATUS_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "Unknown action.")
    else:
        try:
            action(appointment=appointment, by=request.user)
        except SchedulingError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"{appointment.patient}: {appointment.get_status_display().lower()}."
            )
    return HttpResponseRedirect(
        _next_or(request, reverse("treatments:appointment-detail", args=[pk]))
    )


@staff_required("treatments.change_appointment")
@require_POST
def appointment_undo(request, pk):
    appointment = get_appointment(pk)
    try:
        appointment = scheduling.undo_status(appointment=appointment, by=request.user)
    except SchedulingError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Undone: {appointment.patient} is {appointment.get_status_display().lower()} again.",
        )
    return HttpResponseRedirect(
        _next_or(request, reverse("treatments:appointment-detail", args=[pk]))
    )


@staff_required("treatments.view_appointment")
@require_GET
def today(request):
    """The front desk's list for today: who is due, who has arrived, one-click status."""
    day = timezone.localdate()
    practitioners = Practitioner.objects.active().order_by("display_name")
    chosen = query_id(request.GET, "practitioner")
    filters = {"practitioner_id": chosen} if chosen is not None else {}
    appointments = day_list(day, order=("start", "practitioner__display_name"), **filters)
    return render(
        request,
        "treatments/today.html",
        {
            "day": day,
            "rows": day_rows(appointments, now=timezone.now()),
            "practitioners": practitioners,
            "chosen": chosen,
            "next": request.get_full_path(),
        },
    )


@staff_required("treatments.add_appointment")
@require_GET
def free_slots(request):
    """Find the next free slots for a practitioner (or anyone), a type and a time of day."""
    today_ = timezone.localdate()
    data = request.GET if "first_day" in request.GET else None
    form = FreeSlotForm(
        data,
        initial={
            "first_day": today_,
            "last_day": today_ + timedelta(days=14),
            "appointment_type": AppointmentType.objects.follow_up(),
            "patient": query_id(request.GET, "patient"),
            "practitioner": query_id(request.GET, "practitioner"),
        },
    )
    slots = None
    if data is not None and form.is_valid():
        found = form.cleaned_data
        slots = find_free_slots(
            duration=timedelta(minutes=found["appointment_type"].default_duration),
            first_day=found["first_day"],
            last_day=found["last_day"],
            practitioner=found["practitioner"],
            patient=found["patient"],
            time_of_day=found["time_of_day"],
            limit=20,
        )
    return render(request, "treatments/free_slots.html", {"form": form, "slots": slots})
