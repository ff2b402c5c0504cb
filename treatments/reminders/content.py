"""What a message says: the text of reminders, corrected reminders and cancellation notices,
and the calendar file (.ics) that goes with an e-mail; and the few lines that carry a
home-care sheet's PDF.

Scheduling information only (when, with whom, where, which session of a course, what the
course is for, as the patient named it at the desk); never anything from a session note. A
sheet's own advice travels only in its PDF, never in the subject or the text.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone

from clinic.models import ClinicProfile
from treatments.models import Appointment, Channel, HomeCareSheet, MessageKind


@dataclass(frozen=True)
class Wording:
    subject: str
    text: str


def when(moment: datetime) -> str:
    """'Tue 8 Dec 10:30' on the clinic's clock."""
    local = timezone.localtime(moment)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def session_line(appointment: Appointment, session_number: int | None) -> str:
    """'Session 2 of 4 of your treatment for right hip pain, Tue 8 Dec 10:30 with Dr Reyes,
    Room Willow' (without the course part for a visit outside a course)."""
    where = f"{when(appointment.start)} with {appointment.practitioner.display_name}, Room "
    where += appointment.room.name
    course = appointment.course
    if course is None or session_number is None:
        return f"Your appointment: {where}"
    title = course.complaint.title
    what = title[:1].lower() + title[1:]
    return (
        f"Session {session_number} of {course.planned_sessions} of your treatment for {what}, "
        f"{where}"
    )


def is_last_session(appointment: Appointment, session_number: int | None) -> bool:
    course = appointment.course
    return course is not None and session_number == course.planned_sessions


def _how_to_change(clinic: ClinicProfile) -> str:
    hours = settings.LATE_CANCELLATION_HOURS
    reach = f"call {clinic.phone}" if clinic.phone else "contact the clinic"
    if clinic.email:
        reach += f" or write to {clinic.email}"
    return f"To cancel or change it, please {reach} at least {hours} hours before."


def wording(
    *,
    kind: str,
    channel: str,
    appointment: Appointment,
    session_number: int | None,
    clinic: ClinicProfile,
    old_start: datetime | None = None,
) -> Wording:
    patient = appointment.patient
    greeting = f"Hello {patient.preferred_name or patient.given_name},"
    if kind == MessageKind.CANCELLATION:
        subject = f"Cancelled: your appointment on {when(appointment.start)}"
        body = [
            f"Your appointment on {when(appointment.start)} with "
            f"{appointment.practitioner.display_name} has been cancelled.",
            f"To book another time, please call {clinic.phone or 'the clinic'}.",
        ]
    else:
        line = session_line(appointment, session_number)
        if kind == MessageKind.CORRECTED:
            subject = f"Changed: your appointment is now {when(appointment.start)}"
            body = [f"Your appointment has moved (it was {when(old_start)}). The new time:", line]
        else:
            subject = f"Reminder: your appointment on {when(appointment.start)}"
            body = [f"A reminder of your appointment at {clinic.name}:", line]
        if is_last_session(appointment, session_number):
            body.append(
                "This is the last session of your course. Please bring any questions you have "
                "for the talk about what to keep doing at home."
            )
        body.append(_how_to_change(clinic))
    if channel == Channel.SMS:
        return Wording(subject=subject, text=" ".join([*body, f"— {clinic.name}"]))
    return Wording(subject=subject, text=_email_text(greeting, body, clinic))


def _email_text(greeting: str, body: list[str], clinic: ClinicProfile) -> str:
    signature = "\n".join([clinic.name, *clinic.address.splitlines(), clinic.phone])
    return "\n\n".join([greeting, *body, signature.strip()]) + "\n"


def sheet_wording(*, sheet: HomeCareSheet, clinic: ClinicProfile) -> Wording:
    """The e-mail that carries an issued sheet: who gave it and when, nothing of its advice."""
    patient = sheet.patient
    issued = timezone.localtime(sheet.issued_at)
    reach = f"call {clinic.phone}" if clinic.phone else "contact the clinic"
    body = [
        f"Attached is the home-care sheet you were given at {clinic.name} on "
        f"{issued.day} {issued:%B %Y}, as a PDF.",
        f"If you have questions, or the pain persists, please {reach}.",
    ]
    greeting = f"Hello {patient.preferred_name or patient.given_name},"
    return Wording(
        subject=f"Your home-care sheet from {clinic.name}",
        text=_email_text(greeting, body, clinic),
    )


# --- the calendar file ------------------------------------------------------------------


def _escape(text: str) -> str:
    """TEXT values (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    for plain, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        text = text.replace(plain, escaped)
    return text.replace("\r", "")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next with a leading space (§3.1)."""
    encoded, parts = line.encode(), []
    while len(encoded) > 75:
        cut = 75 if not parts else 74
        while cut and (encoded[cut] & 0xC0) == 0x80:  # never inside a UTF-8 character
            cut -= 1
        parts.append(encoded[:cut].decode())
        encoded = encoded[cut:]
    parts.append(encoded.decode())
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_file(
    *, appointment: Appointment, clinic: ClinicProfile, cancelled: bool, sequence: int, now
) -> str:
    """A one-event VCALENDAR for the appointment. Written by hand: a dozen lines of a stable
    format, so no calendar library is needed; the UID stays the same for a moved or cancelled
    appointment and SEQUENCE grows, so calendar apps update the event they already have."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Meridian//Appointment reminders//EN",
        "METHOD:" + ("CANCEL" if cancelled else "PUBLISH"),
        "BEGIN:VEVENT",
        f"UID:appointment-{appointment.pk}@meridian",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(appointment.start)}",
        f"DTEND:{_utc(appointment.end)}",
        "SUMMARY:" + _escape(f"Appointment at {clinic.name}"),
        "DESCRIPTION:"
        + _escape(f"With {appointment.practitioner.display_name}, Room {appointment.room.name}"),
        "LOCATION:" + _escape(", ".join([clinic.name, *clinic.address.splitlines()])),
        "STATUS:" + ("CANCELLED" if cancelled else "CONFIRMED"),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
