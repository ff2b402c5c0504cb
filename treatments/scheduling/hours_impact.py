"""Which booked appointments a change of hours would leave outside them. Reads only.

Shrinking the clinic's opening hours or removing a block of a practitioner's week does not
move or cancel anything: the manager sees these appointments first and confirms, and the
desk then moves them (as with time off).
"""

from collections import defaultdict
from datetime import time

from django.utils import timezone

from clinic.models import OpeningHours, Practitioner, WorkingHours
from treatments.models import Appointment, AppointmentStatus

Hours = dict[int, list[tuple[time, time]]]  # weekday → spans of wall-clock time
SHOWN = 5  # appointments named in a warning; the rest are counted


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _span(appointment: Appointment) -> tuple[int, int]:
    """Its local start and end as minutes after its day's midnight."""
    start, end = timezone.localtime(appointment.start), timezone.localtime(appointment.end)
    end_minutes = _minutes(end.time()) + 24 * 60 * (end.date() - start.date()).days
    return _minutes(start.time()), end_minutes


def _inside(span: tuple[int, int], spans: list[tuple[time, time]]) -> bool:
    """Within one of `spans`, blocks that touch counting as one."""
    merged: list[list[int]] = []
    for start, end in sorted((_minutes(a), _minutes(b)) for a, b in spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return any(start <= span[0] and span[1] <= end for start, end in merged)


def left_outside(before: Hours, after: Hours, **filters) -> list[Appointment]:
    """Booked appointments still to come that fit `before` and not `after` (one query).

    Appointments already outside the hours (a manager's override) are not listed again.
    """
    changed = [day for day in range(7) if sorted(before.get(day, [])) != sorted(after.get(day, []))]
    if not changed:
        return []
    booked = (
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED,
            start__gt=timezone.now(),
            start__iso_week_day__in=[day + 1 for day in changed],  # ISO: Monday is 1
            **filters,
        )
        .select_related("patient", "practitioner")
        .order_by("start", "pk")
    )
    found = []
    for appointment in booked:
        day, span = timezone.localtime(appointment.start).weekday(), _span(appointment)
        if _inside(span, before.get(day, [])) and not _inside(span, after.get(day, [])):
            found.append(appointment)
    return found


def opening_hours_now() -> Hours:
    return {row.weekday: [(row.opens, row.closes)] for row in OpeningHours.objects.all()}


def practitioner_week(practitioner: Practitioner, *, without: WorkingHours | None = None) -> Hours:
    week = defaultdict(list)
    for block in practitioner.working_hours.all():
        if without is None or block.pk != without.pk:
            week[block.weekday].append((block.start, block.end))
    return dict(week)


def in_words(appointments: list[Appointment]) -> list[str]:
    """The first few, e.g. "Mon 7 Dec 17:15 Ann Lee with Paul Needham"."""
    return [
        f"{timezone.localtime(a.start):%a} {timezone.localtime(a.start).day} "
        f"{timezone.localtime(a.start):%b %Y %H:%M} {a.patient.display_name} "
        f"with {a.practitioner.display_name}"
        for a in appointments[:SHOWN]
    ]


def confirmation(appointments: list[Appointment]) -> str:
    """What a confirming button carries: the appointments the manager saw, so that a list
    that changed in the meantime is shown again rather than confirmed unseen."""
    return ",".join(str(a.pk) for a in appointments)


def summary(appointments: list[Appointment], where: str) -> str:
    """For the message after saving, e.g. "2 booked appointments are now outside …"."""
    count = len(appointments)
    listed = "; ".join(in_words(appointments))
    more = f"; and {count - SHOWN} more" if count > SHOWN else ""
    if count == 1:
        return (
            f"1 booked appointment is now outside {where} and stays booked; please move it: "
            f"{listed}."
        )
    return (
        f"{count} booked appointments are now outside {where} and stay booked; please move "
        f"them: {listed}{more}."
    )
