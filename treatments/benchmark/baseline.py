"""The floors the pages are compared with: a plain Django ListView and a raw SQL fetch of the
same day's appointments, and a raw indexed lookup of a patient's name. They live here, not in
the app's URLs: `urls.py` beside this module adds the ListView to the project's URLs only
while the benchmark runs (ROOT_URLCONF overridden)."""

from datetime import date, time, timedelta

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.views.generic import ListView

from clinic.models import local_datetime
from clinic.params import parse_day
from patients.models import Patient
from treatments.models import Appointment

LIST_TEMPLATE = engines["django"].from_string(
    """<!doctype html><html lang="en"><title>Appointments</title><table>
{% for a in object_list %}<tr><td>{{ a.start|time:"H:i" }}–{{ a.end|time:"H:i" }}</td>
<td>{{ a.patient.given_name }} {{ a.patient.family_name }}</td>
<td>{{ a.practitioner.display_name }}</td><td>{{ a.room.name }}</td>
<td>{{ a.get_status_display }}</td></tr>{% endfor %}</table></html>"""
)


def day_bounds(day: date):
    return local_datetime(day, time(0)), local_datetime(day + timedelta(days=1), time(0))


class DayList(ListView):
    """The same day's appointments with their patients' names, as plain as Django makes it."""

    def get_queryset(self):
        start, end = day_bounds(parse_day(self.kwargs["day"]))
        return Appointment.objects.filter(start__gte=start, start__lt=end).select_related(
            "patient", "practitioner", "room"
        )

    def render_to_response(self, context, **kwargs):
        return HttpResponse(LIST_TEMPLATE.render(context, self.request))


day_list = login_required(DayList.as_view())

RAW_DAY = """
SELECT a.id, a.start, a."end", a.status, p.given_name, p.family_name, pr.display_name, r.name
FROM treatments_appointment a
JOIN patients_patient p ON p.id = a.patient_id
JOIN clinic_practitioner pr ON pr.id = a.practitioner_id
JOIN clinic_room r ON r.id = a.room_id
WHERE a.start >= %s AND a.start < %s
ORDER BY a.start, a.id
"""


def raw_day(day: date) -> list:
    start, end = day_bounds(day)
    with connection.cursor() as cursor:
        cursor.execute(RAW_DAY, [start, end])
        return cursor.fetchall()


def raw_name_sql() -> str:
    """A prefix of the folded names on their index: LIKE on PostgreSQL (the index has
    text_pattern_ops), a range on SQLite (whose LIKE ignores a case-sensitive index)."""
    table = Patient._meta.db_table
    where = (
        "search_name LIKE %s"
        if connection.vendor == "postgresql"
        else ("search_name >= %s AND search_name < %s")
    )
    return (
        f"SELECT id, given_name, family_name, date_of_birth FROM {table} "
        f"WHERE {where} ORDER BY search_name LIMIT 50"
    )


def raw_name_lookup(prefix: str) -> list:
    if connection.vendor == "postgresql":
        params = [prefix.replace("%", r"\%").replace("_", r"\_") + "%"]
    else:
        params = [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)]
    with connection.cursor() as cursor:
        cursor.execute(raw_name_sql(), params)
        return cursor.fetchall()
