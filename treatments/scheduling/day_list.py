"""A day's appointments as lists: the home page's "Today's schedule" and "Your day", and the
Today page's table with its one-click status buttons.

Like the calendar's chips, each row's text and links are made here once, each URL pattern
reversed once per page (`PkLink`), from one model instance per appointment
(`with_names()`), so the templates only print them: a day of 200 appointments is a list of
200 rows, not 200 × four `{% url %}`.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.urls import reverse

from clinic.links import PkLink
from patients.models import patient_display_name
from treatments.models import Appointment, AppointmentStatus
from treatments.scheduling.calendar_grid import local


def day_list(day: date, *, order=("start", "pk"), **filters):
    """The day's appointments, all statuses, with the names the lists show (a queryset)."""
    return Appointment.objects.on_day(day).filter(**filters).with_names().order_by(*order)


@dataclass(frozen=True)
class AppointmentActions:
    """The status buttons an appointment offers (`_appointment_actions.html`)."""

    status_url: str
    undo_url: str
    patient: str  # for screen readers: "Arrived: Ann Smith"
    status_label: str
    arrive: bool
    complete: bool
    no_show: bool
    undo: bool

    @classmethod
    def build(cls, *, status, start, patient, status_label, status_url, undo_url, now):
        booked = status == AppointmentStatus.BOOKED
        return cls(
            status_url,
            undo_url,
            patient,
            status_label,
            arrive=booked,
            complete=booked or status == AppointmentStatus.ARRIVED,
            no_show=booked and start <= now,
            undo=not booked,
        )

    @classmethod
    def of(cls, appointment: Appointment, *, now: datetime) -> "AppointmentActions":
        """For one appointment loaded with its patient (the appointment's own page)."""
        return cls.build(
            status=appointment.status,
            start=appointment.start,
            patient=str(appointment.patient),
            status_label=appointment.get_status_display(),
            status_url=reverse("treatments:appointment-status", args=[appointment.pk]),
            undo_url=reverse("treatments:appointment-undo", args=[appointment.pk]),
            now=now,
        )


class DayListRow:
    """One appointment of a day list, ready to print."""

    def __init__(self, appointment: Appointment, links: "DayListLinks", now: datetime):
        a = appointment
        self.appointment = a
        self.url, self.patient_url = links.detail(a.pk), links.patient(a.patient_id)
        start, end = local(a.start), local(a.end)
        self.time, self.time_range = f"{start:%H:%M}", f"{start:%H:%M}–{end:%H:%M}"
        given, family = a.patient_given_name, a.patient_family_name
        self.patient = patient_display_name(given, a.patient_preferred_name, family)
        self.type_name, self.room = a.type_name, a.room_name
        self.practitioner, self.colour = a.practitioner_name, a.practitioner_colour
        self.status, self.status_label = a.status, AppointmentStatus(a.status).label
        self.late_cancellation = a.late_cancellation
        self.did_not_happen = a.did_not_happen  # shown greyed
        self.actions = AppointmentActions.build(
            status=a.status,
            start=a.start,
            patient=f"{given} {family}",  # as `str(patient)`
            status_label=self.status_label,
            status_url=links.status(a.pk),
            undo_url=links.undo(a.pk),
            now=now,
        )


@dataclass(frozen=True)
class DayListLinks:
    detail: PkLink
    patient: PkLink
    status: PkLink
    undo: PkLink

    @classmethod
    def build(cls) -> "DayListLinks":
        return cls(
            detail=PkLink("treatments:appointment-detail"),
            patient=PkLink("patients:detail"),
            status=PkLink("treatments:appointment-status"),
            undo=PkLink("treatments:appointment-undo"),
        )


def day_rows(appointments, *, now: datetime) -> list[DayListRow]:
    links = DayListLinks.build()
    return [DayListRow(appointment, links, now) for appointment in appointments]
