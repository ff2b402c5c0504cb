"""A patient's next appointment (date, time, practitioner) in the patient search results and
on the patient page's header: never the note or anything clinical."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import local_datetime
from tests.factories import AppointmentFactory, PatientFactory, at, chronic_complaint, course_for
from treatments.models import AppointmentStatus

pytestmark = pytest.mark.django_db


def visit(patient, practitioner, room, *, days: int, hh_mm: str = "10:00", **kwargs):
    return AppointmentFactory(
        patient=patient,
        practitioner=practitioner,
        room=room,
        start=at(timezone.localdate() + timedelta(days=days), hh_mm),
        **kwargs,
    )


@pytest.fixture
def ann_visits(ann, dr_paul, dr_priya, room_a):
    """Ann was seen last week, cancelled tomorrow's visit, and comes next in three days
    with Priya, then in a week with Paul."""
    visit(ann, dr_paul, room_a, days=-7, status=AppointmentStatus.COMPLETED)
    visit(ann, dr_paul, room_a, days=1, status=AppointmentStatus.CANCELLED)
    visit(ann, dr_paul, room_a, days=7)
    course = course_for(dr_priya, complaint=chronic_complaint(patient=ann, title="Sciatic pain"))
    return visit(ann, dr_priya, room_a, days=3, hh_mm="14:15", course=course)


def next_cell(html: str) -> str:
    start = html.index('class="next-appointment')
    return html[start : html.index("</", start)]


class TestInTheSearchResults:
    def test_shows_the_next_live_appointment_with_its_practitioner(
        self, fiona_client, ann, ann_visits
    ):
        response = fiona_client.get(reverse("patients:list"), {"q": "ann lee"})
        day = ann_visits.start.astimezone(timezone.get_current_timezone())
        cell = next_cell(response.text)
        assert f"{day:%a} {day.day} {day:%b %Y}, 14:15" in cell
        assert "Priya" in cell
        assert "Sciatic" not in response.text  # the course's complaint is clinical

    def test_a_patient_with_nothing_ahead_shows_none(self, fiona_client, ben, dr_paul, room_a):
        visit(ben, dr_paul, room_a, days=-2)
        visit(ben, dr_paul, room_a, days=2, status=AppointmentStatus.NO_SHOW)
        response = fiona_client.get(reverse("patients:list"), {"q": "ben"})
        assert "None booked" in next_cell(response.text)

    @pytest.mark.parametrize("rows", [10, 200])
    def test_runs_the_same_queries_for_10_or_200_patients_each_with_appointments(
        self, fiona_client, dr_paul, room_a, django_assert_num_queries, rows
    ):
        patients = PatientFactory.create_batch(rows)
        for i, patient in enumerate(patients):  # ten an hour apart a day: no overlaps
            day, hh_mm = i // 10 + 1, f"{8 + i % 10:02d}:00"
            visit(patient, dr_paul, room_a, days=day, hh_mm=hh_mm)
            visit(patient, dr_paul, room_a, days=day + 30, hh_mm=hh_mm)
        # session, user, user's roles (groups), user's own and group permissions (2),
        # count of matches, one page of patients, the access log's one insert (a row for
        # each patient listed) with its chain (the head, locked; the rows' links; the head
        # moved on), their next appointments (one subquery picks each patient's first,
        # joined to its practitioner), the clinic's profile
        with django_assert_num_queries(13):
            response = fiona_client.get(reverse("patients:list"), {"q": ""})
        assert response.text.count('class="next-appointment"') == min(rows, 25)
        assert "None booked" not in response.text


class TestOnThePatientPage:
    def test_the_header_shows_the_next_appointment(self, paul_client, ann, ann_visits):
        response = paul_client.get(reverse("patients:detail", args=[ann.pk]))
        day = ann_visits.start.astimezone(timezone.get_current_timezone())
        header = response.text[response.text.index("<h1") : response.text.index('id="details')]
        assert "Next appointment" in header
        assert f"{day:%a} {day.day} {day:%b %Y}, 14:15" in header
        assert "Priya" in header

    def test_says_when_nothing_is_booked(self, fiona_client, ben):
        response = fiona_client.get(reverse("patients:detail", args=[ben.pk]))
        header = response.text[response.text.index("<h1") : response.text.index('id="details')]
        assert "No appointment booked" in header


def test_an_appointment_under_way_is_not_the_next_one(fiona_client, ann, dr_paul, room_a):
    started = local_datetime(timezone.localdate(), timezone.localtime().time()) - timedelta(
        minutes=10
    )
    AppointmentFactory(patient=ann, practitioner=dr_paul, room=room_a, start=started)
    response = fiona_client.get(reverse("patients:list"), {"q": "ann"})
    assert "None booked" in next_cell(response.text)
