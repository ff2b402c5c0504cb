"""Planning a treatment course, the course page, and booking all its sessions in one go."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import staff_required
from clinic.formtools import add_service_errors
from clinic.history import shown_to
from clinic.models import Room
from clinic.params import parse_day, query_id
from patients.models import Complaint
from treatments.audit.services import record_read
from treatments.courses import services
from treatments.courses.forms import CourseEditForm, CoursePlanForm, DiscontinueForm
from treatments.courses.history import course_history
from treatments.courses.painchart import pain_chart
from treatments.models import (
    LIVE_STATUSES,
    AppointmentStatus,
    AppointmentType,
    CourseStatus,
    TreatmentCourse,
)
from treatments.planning import suggest_course_length
from treatments.scheduling import proposals
from treatments.scheduling.checks import SchedulingError
from treatments.scheduling.forms import CourseProposalForm
from treatments.scheduling.services import PlannedSession, book_course


def get_course(pk: int) -> TreatmentCourse:
    return get_object_or_404(
        TreatmentCourse.objects.with_progress().select_related(
            "complaint__patient", "practitioner", "created_by"
        ),
        pk=pk,
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# --- planning ------------------------------------------------------------------------------


@staff_required("treatments.add_treatmentcourse")
@require_http_methods(["GET", "POST"])
def course_create(request, complaint_pk):
    complaint = get_object_or_404(Complaint.objects.select_related("patient"), pk=complaint_pk)
    suggestion = suggest_course_length(complaint)
    mine = getattr(request.user, "practitioner", None)
    initial = {
        "planned_sessions": suggestion.sessions,
        "practitioner": mine.pk if mine and mine.is_active else None,
    }
    # Planned from a booking slot: that slot's practitioner (its day goes on to the booking).
    if (chosen := query_id(request.GET, "practitioner")) is not None:
        initial["practitioner"] = chosen
    form = CoursePlanForm(request.POST or None, initial=initial, suggestion=suggestion)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_plan(
                complaint=complaint,
                start_date=_earliest_start(request),
                by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Course planned: {_plural(course.planned_sessions, 'session')}."
            )
            return redirect(_booking_url(request, course))
    open_course = complaint.courses.open().first()
    record_read(request, patient=complaint.patient, what="course plan", object_id=complaint.pk)
    return render(
        request,
        "treatments/course_form.html",
        {"form": form, "complaint": complaint, "open_course": open_course},
    )


def _earliest_start(request) -> date:
    """No session before this day: the booking slot's day when planned from one, else today.
    The day the course starts is its first booked session's (see the booking step)."""
    slot_day = parse_day(request.GET.get("first_date"))
    today = timezone.localdate()
    return slot_day if slot_day is not None and slot_day > today else today


def _booking_url(request, course: TreatmentCourse) -> str:
    """Straight on to booking the new course; when planned from a calendar slot
    (?first_date=&first_time=&room=), with the sessions already proposed from that slot."""
    url = reverse("treatments:course-book", args=[course.pk])
    slot = {k: request.GET[k] for k in ("first_date", "first_time", "room") if request.GET.get(k)}
    if "first_date" not in slot or "first_time" not in slot:
        return url
    follow_up = AppointmentType.objects.follow_up()
    query = {"propose": "1", "interval_days": course.interval_days, **slot}
    if follow_up is not None:
        query["appointment_type"] = follow_up.pk
    return f"{url}?{urlencode(query)}"


@staff_required("treatments.change_treatmentcourse")
@require_http_methods(["GET", "POST"])
def course_edit(request, pk):
    course = get_course(pk)
    if not course.is_open:
        messages.error(request, f"The course is {course.get_status_display().lower()}.")
        return redirect("treatments:course-detail", course.pk)
    initial = {name: getattr(course, name) for name in CourseEditForm.base_fields}
    form = CourseEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update_plan(course=course, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The plan is changed.")
            return redirect("treatments:course-detail", course.pk)
    record_read(
        request, patient=course.complaint.patient, what="course plan form", object_id=course.pk
    )
    return render(request, "treatments/course_edit.html", {"form": form, "course": course})


@staff_required("treatments.change_treatmentcourse")
@require_POST
def course_discontinue(request, pk):
    course = get_course(pk)
    form = DiscontinueForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["reason"])
        services.course_discontinue(
            course=course, reason=form.cleaned_data["reason"], by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The course is discontinued.")
    return redirect("treatments:course-detail", course.pk)


@staff_required("treatments.change_treatmentcourse")
@require_POST
def course_complete(request, pk):
    course = get_course(pk)
    try:
        services.course_complete(course=course, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The course is completed.")
    return redirect("treatments:course-detail", course.pk)


# --- the course page -----------------------------------------------------------------------


@staff_required("treatments.view_treatmentcourse")
@require_GET
def course_detail(request, pk):
    course = get_course(pk)
    sessions = list(
        course.appointments.with_session_number().select_related("room", "appointment_type", "note")
    )
    now = timezone.now()
    upcoming = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED)
    next_session = next((s for s in sessions if s.status in upcoming and s.end > now), None)
    first_session = next((s for s in sessions if s.status in LIVE_STATUSES), None)
    patient = course.complaint.patient
    record_read(request, patient=patient, what="course", object_id=course.pk)
    progress = course.progress()
    return render(
        request,
        "treatments/course_detail.html",
        {
            "course": course,
            "progress": progress,
            "sessions": sessions,
            "next_session": next_session,
            "first_session": first_session,
            "sheets": course.sheets.select_related("practitioner").with_last_emailed(),
            "discontinue_form": DiscontinueForm(),
            # Pain scores are note content: only for those who may read notes.
            "pain_chart": pain_chart(course, sessions)
            if request.user.has_perm("treatments.view_sessionnote")
            else None,
            "course_done": course.status == CourseStatus.COMPLETED
            or (course.is_open and progress.completed >= progress.planned),
            "history": course_history(course) if shown_to(request.user, TreatmentCourse) else None,
        },
    )


# --- booking the whole course --------------------------------------------------------------


def book_rows(
    course, rows: list[proposals.ReportRow], appointment_type, by
) -> tuple[list, list[str]]:
    """Book every row, all or none: (the appointments, []) or ([], what went wrong)."""
    if not rows:
        return [], ["There are no sessions to book."]
    if not all(row.form.is_valid() for row in rows):
        return [], ["Nothing was booked: correct the sessions marked below."]
    try:
        sessions = [PlannedSession(**row.form.cleaned_data) for row in rows]
        booked = book_course(
            course=course, sessions=sessions, appointment_type=appointment_type, by=by
        )
    except SchedulingError as error:
        return [], ["Nothing was booked.", *error.messages]
    return booked, []


@staff_required("treatments.add_appointment")
@require_http_methods(["GET", "POST"])
def course_book(request, pk):
    course = get_course(pk)
    if not course.is_open:
        messages.error(request, f"The course is {course.get_status_display().lower()}.")
        return redirect("treatments:course-detail", course.pk)
    if request.method == "POST":
        action, data = request.POST.get("action", ""), request.POST
    else:
        action = "propose" if request.GET.get("propose") else ""
        data = request.GET if action else None
    rooms = list(Room.objects.active())
    proposal = CourseProposalForm(
        data, initial=proposals.proposal_initial(course, rooms, after=request.GET.get("after", ""))
    )
    rows, errors = None, []
    if action in ("propose", "check", "confirm") and proposal.is_valid():
        chosen = proposal.cleaned_data
        if action == "propose":
            rows = proposals.propose_rows(course, chosen, rooms)
        else:
            rows = proposals.read_rows(request.POST, rooms)
            if action == "confirm":
                booked, errors = book_rows(course, rows, chosen["appointment_type"], request.user)
                if booked:
                    messages.success(request, f"{_plural(len(booked), 'session')} booked.")
                    return redirect("treatments:course-detail", course.pk)
            duration = timedelta(minutes=chosen["appointment_type"].default_duration)
            proposals.check_rows(course, rows, duration)
        proposals.number_rows(course, rows)
    record_read(
        request, patient=course.complaint.patient, what="course booking", object_id=course.pk
    )
    context = {"course": course, "progress": course.progress(), "proposal": proposal}
    blocked = sum(1 for row in rows if row.problems or row.form.errors) if rows else 0
    context |= {"rows": rows, "errors": errors, "action": action, "blocked": blocked}
    return render(request, "treatments/course_book.html", context)
