"""Planning a treatment course, the course page, and booking all its sessions in one go."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import staff_required
from clinic.availability import Availability
from clinic.models import Room, local_datetime
from patients.models import Complaint
from treatments import notes, scheduling, services
from treatments.forms_courses import (
    GRID,
    CourseEditForm,
    CoursePlanForm,
    CourseProposalForm,
    DiscontinueForm,
    SessionSlotForm,
    add_service_errors,
    choice_value,
)
from treatments.models import (
    Appointment,
    AppointmentStatus,
    AppointmentType,
    CourseStatus,
    TreatmentCourse,
)
from treatments.painchart import pain_chart
from treatments.planning import suggest_course_length
from treatments.scheduling import FreeSlot, PlannedSession, SchedulingError

# How far ahead the booking page looks for the practitioner's next working day.
WORKING_DAY_SEARCH_DAYS = 14


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
    # Planned from a booking slot: that slot's practitioner and day.
    if request.GET.get("practitioner", "").isdigit():
        initial["practitioner"] = request.GET["practitioner"]
    if request.GET.get("first_date"):
        initial["start_date"] = request.GET["first_date"]
    form = CoursePlanForm(request.POST or None, initial=initial, suggestion=suggestion)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_plan(complaint=complaint, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Course planned: {_plural(course.planned_sessions, 'session')}."
            )
            return redirect(_booking_url(request, course))
    open_course = complaint.courses.filter(
        status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE]
    ).first()
    return render(
        request,
        "treatments/course_form.html",
        {"form": form, "complaint": complaint, "open_course": open_course},
    )


def _booking_url(request, course: TreatmentCourse) -> str:
    """Straight on to booking the new course; when planned from a calendar slot
    (?first_date=&first_time=&room=), with the sessions already proposed from that slot."""
    url = reverse("treatments:course-book", args=[course.pk])
    slot = {k: request.GET[k] for k in ("first_date", "first_time", "room") if request.GET.get(k)}
    if "first_date" not in slot or "first_time" not in slot:
        return url
    follow_up = AppointmentType.objects.filter(name="Follow-up", is_active=True).first()
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


def number_sessions(sessions: list[Appointment]) -> None:
    """Number the live sessions in date order (session 2 of 4); cancelled ones get none."""
    number = 0
    for session in sessions:
        if session.is_live:
            number += 1
            session.number = number
        else:
            session.number = None


@staff_required("treatments.view_treatmentcourse")
@require_GET
def course_detail(request, pk):
    course = get_course(pk)
    sessions = list(course.appointments.select_related("room", "appointment_type", "note"))
    number_sessions(sessions)
    now = timezone.now()
    upcoming = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED)
    next_session = next((s for s in sessions if s.status in upcoming and s.end > now), None)
    patient = course.complaint.patient
    notes.record_access(
        user=request.user,
        patient=patient,
        what="course",
        object_id=course.pk,
        ip=request.META.get("REMOTE_ADDR"),
    )
    progress = course.progress()
    return render(
        request,
        "treatments/course_detail.html",
        {
            "course": course,
            "progress": progress,
            "sessions": sessions,
            "next_session": next_session,
            "sheets": course.sheets.select_related("practitioner"),
            "discontinue_form": DiscontinueForm(),
            # Pain scores are note content: only for those who may read notes.
            "pain_chart": pain_chart(course, sessions)
            if request.user.has_perm("treatments.view_sessionnote")
            else None,
            "course_done": course.status == CourseStatus.COMPLETED
            or (course.is_open and progress.completed >= progress.planned),
        },
    )


# --- booking the whole course --------------------------------------------------------------


@dataclass
class ReportRow:
    """One session of the booking report: the inputs and what stands in their way."""

    form: SessionSlotForm
    problems: list[str] = field(default_factory=list)
    alternatives: list[FreeSlot] = field(default_factory=list)
    checked: bool = False
    position: int | None = None  # its number among the course's live sessions, by date

    @property
    def number(self) -> int:
        return self.form.number

    @property
    def start(self) -> datetime | None:
        """The start to describe in words: as checked, else as proposed."""
        if self.form.is_bound:
            return self.form.cleaned_data.get("start") if self.form.is_valid() else None
        return self.form.initial.get("start")

    @property
    def choices(self) -> list[tuple[str, FreeSlot]]:
        return [(choice_value(slot.start, slot.room), slot) for slot in self.alternatives]


def propose_rows(course, proposal: dict, rooms: list[Room]) -> list[ReportRow]:
    proposed = scheduling.propose_course(
        course=course,
        first_start=proposal["first_start"],
        interval_days=proposal["interval_days"],
        room=proposal["room"],
        appointment_type=proposal["appointment_type"],
    )
    return [
        ReportRow(
            SessionSlotForm(
                number=p.number, rooms=rooms, initial={"start": p.start, "room": p.room.pk}
            ),
            problems=p.problems,
            alternatives=p.alternatives,
            checked=True,
        )
        for p in proposed
    ]


def read_rows(data, rooms: list[Room]) -> list[ReportRow]:
    """The rows the user sent back, each as they left it (numbers come from hidden inputs)."""
    numbers = sorted({int(n) for n in data.getlist("session") if n.isdigit() and 0 < int(n) <= 12})
    return [ReportRow(SessionSlotForm(data, number=n, rooms=rooms)) for n in numbers]


def check_rows(course: TreatmentCourse, rows: list[ReportRow], duration: timedelta) -> None:
    """What propose_course says about each session, for times the user chose.

    Rows with unreadable input keep their field errors and are not checked.
    """
    valid = [row for row in rows if row.form.is_valid()]
    if not valid:
        return
    spans = {
        row.number: (row.form.cleaned_data["start"], row.form.cleaned_data["start"] + duration)
        for row in valid
    }
    days = [timezone.localtime(start).date() for start, _ in spans.values()]
    practitioner, patient = course.practitioner, course.complaint.patient
    availability = Availability(min(days), max(days) + timedelta(days=7), [practitioner.pk])
    for row in valid:
        start, end = spans[row.number]
        room = row.form.cleaned_data["room"]
        row.problems = scheduling.availability_problems(
            practitioner=practitioner, room=room, start=start, end=end, availability=availability
        )
        row.problems += [
            str(clash)
            for clash in scheduling.find_clashes(
                patient=patient, practitioner=practitioner, room=room, start=start, end=end
            )
        ]
        row.problems += [
            f"It overlaps session {number} of this booking."
            for number, (other_start, other_end) in spans.items()
            if number != row.number and other_start < end and other_end > start
        ]
        if row.problems:
            row.alternatives = scheduling.nearest_free_slots(
                practitioner=practitioner,
                patient=patient,
                wanted=start,
                duration=duration,
                preferred_room=room,
                availability=availability,
            )
        row.checked = True


def _on_grid(moment: datetime) -> datetime:
    """Round up to the booking grid (a working block may begin at 09:10)."""
    local = timezone.localtime(moment).replace(second=0, microsecond=0)
    extra = local.minute % int(GRID.total_seconds() // 60)
    return local + (GRID - timedelta(minutes=extra)) if extra else local


def next_working_start(
    practitioner_id: int, first_day: date, *, at: time | None = None, length=timedelta(0)
) -> datetime | None:
    """The practitioner's first working day from `first_day` on, at `at` (on a day when one
    of their blocks holds `at` to `at + length`), or at their first hour when `at` is None."""
    last_day = first_day + timedelta(days=WORKING_DAY_SEARCH_DAYS)
    availability = Availability(first_day, last_day, [practitioner_id])
    for offset in range(WORKING_DAY_SEARCH_DAYS + 1):
        day = first_day + timedelta(days=offset)
        for span_start, span_end in availability.working_spans(practitioner_id, day):
            if at is None:
                return _on_grid(span_start)
            start = local_datetime(day, at)
            if span_start <= start and start + length <= span_end:
                return start
    return None


def default_first_start(request, course: TreatmentCourse) -> datetime | None:
    """Where the first session to book most likely goes.

    Rebooking a cancelled session (?after=<id>): from the day after it, the first day its
    time fits the practitioner's hours. With sessions booked already: one interval after the
    last, at its time. Otherwise the practitioner's next working day, at their first hour.
    """
    tomorrow = timezone.localdate() + timedelta(days=1)
    after = request.GET.get("after", "")
    cancelled = course.appointments.filter(pk=after).first() if after.isdigit() else None
    if cancelled is not None:
        local = timezone.localtime(cancelled.start)
        start = next_working_start(
            course.practitioner_id,
            max(local.date() + timedelta(days=1), tomorrow),
            at=local.time(),
            length=cancelled.end - cancelled.start,
        )
        if start is not None:
            return start
    last = course.appointments.live().order_by("-start").first()
    if last is not None:
        local = timezone.localtime(last.start)
        start = local_datetime(local.date() + timedelta(days=course.interval_days), local.time())
        if start > timezone.now():
            return start
    return next_working_start(course.practitioner_id, max(tomorrow, course.start_date))


def proposal_initial(request, course: TreatmentCourse, rooms: list[Room]) -> dict:
    last_room = (
        course.appointments.live().order_by("-start").values_list("room_id", flat=True).first()
    )
    initial = {
        "interval_days": course.interval_days,
        "appointment_type": AppointmentType.objects.filter(
            name="Follow-up", is_active=True
        ).first(),
        "room": last_room if last_room in {r.pk for r in rooms} else rooms[0] if rooms else None,
    }
    first_start = default_first_start(request, course)
    if first_start is not None:
        local = timezone.localtime(first_start)
        initial["first_date"], initial["first_time"] = local.date(), f"{local:%H:%M}"
    return initial


def number_rows(course: TreatmentCourse, rows: list[ReportRow]) -> None:
    """Number each row as the course page will once it is booked: by date among the live
    sessions (a rebooked session 2 is session 2, not the last one)."""
    booked = list(course.appointments.live().values_list("start", flat=True))
    starts = sorted([*booked, *(row.start for row in rows if row.start)])
    for row in rows:
        row.position = starts.index(row.start) + 1 if row.start else None


def book_rows(course, rows: list[ReportRow], appointment_type, by) -> tuple[list, list[str]]:
    """Book every row, all or none: (the appointments, []) or ([], what went wrong)."""
    if not rows:
        return [], ["There are no sessions to book."]
    if not all(row.form.is_valid() for row in rows):
        return [], ["Nothing was booked: correct the sessions marked below."]
    try:
        sessions = [PlannedSession(**row.form.cleaned_data) for row in rows]
        booked = scheduling.book_course(
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
    proposal = CourseProposalForm(data, initial=proposal_initial(request, course, rooms))
    rows, errors = None, []
    if action in ("propose", "check", "confirm") and proposal.is_valid():
        chosen = proposal.cleaned_data
        if action == "propose":
            rows = propose_rows(course, chosen, rooms)
        else:
            rows = read_rows(request.POST, rooms)
            if action == "confirm":
                booked, errors = book_rows(course, rows, chosen["appointment_type"], request.user)
                if booked:
                    messages.success(request, f"{_plural(len(booked), 'session')} booked.")
                    return redirect("treatments:course-detail", course.pk)
            duration = timedelta(minutes=chosen["appointment_type"].default_duration)
            check_rows(course, rows, duration)
        number_rows(course, rows)
    context = {"course": course, "progress": course.progress(), "proposal": proposal}
    context |= {"rows": rows, "errors": errors, "action": action}
    return render(request, "treatments/course_book.html", context)
