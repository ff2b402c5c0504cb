"""The front desk's day sheet: a day's appointments with phone numbers, to print or as a PDF."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import RedFlag
from tests.factories import (
    AppointmentFactory,
    ComplaintFactory,
    PatientFactory,
    at,
    book,
    busy_day,
    course_for,
    future_monday,
)
from tests.treatments.homecare.sheets import pdf_text
from treatments.models import AccessLog
from treatments.scheduling import services as scheduling

pytestmark = pytest.mark.django_db

PAGE = reverse("treatments:day-sheet")
PDF = reverse("treatments:day-sheet-pdf")
MONDAY = future_monday()


def sheet_rows(html: str) -> list[str]:
    """The text of each row of the sheet's tables, tags removed, spaces collapsed."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def row_for(html: str, name: str) -> str:
    (row,) = [row for row in sheet_rows(html) if name in row]
    return row


@pytest.fixture
def monday(dr_paul, dr_priya, room_a, room_b, fiona):
    """Monday's book: Ann with Paul at 10:00 (session 2 of her 4-session course, after one at
    09:00 the same day), Ben with Priya at 11:00 (red flags), Cara's 12:00 visit cancelled."""
    ann = PatientFactory(given_name="Ann", family_name="Lee", phone="+44 7700 900123")
    course = course_for(
        dr_paul,
        complaint=ComplaintFactory(patient=ann, title="Hip after golf"),
        start_date=MONDAY,
    )
    first = book(
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        by=fiona,
        start=at(MONDAY, "09:00"),
        course=course,
    )
    second = book(
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        by=fiona,
        start=at(MONDAY, "10:00"),
        course=course,
    )
    ben = ComplaintFactory(
        patient__given_name="Ben",
        patient__family_name="Ng",
        title="Numb right foot",
        red_flags=[RedFlag.NUMBNESS],
    ).patient
    book(patient=ben, practitioner=dr_priya, room=room_b, by=fiona, start=at(MONDAY, "11:00"))
    cara = PatientFactory(given_name="Cara", family_name="Moss")
    cancelled = book(
        patient=cara, practitioner=dr_paul, room=room_a, by=fiona, start=at(MONDAY, "12:00")
    )
    scheduling.cancel(appointment=cancelled, reason="Car broke down", by=fiona)
    return {"ann": ann, "ben": ben, "cara": cara, "first": first, "second": second}


def sheet_of(client, day=MONDAY, **params):
    return client.get(PAGE, {"day": day.isoformat(), **params})


class TestTheSheet:
    def test_each_appointment_shows_time_patient_phone_practitioner_room_and_type(
        self, fiona_client, monday
    ):
        response = sheet_of(fiona_client)

        assert response.status_code == 200
        assert row_for(response.text, "Ben Ng").startswith("11:00–11:45 Ben Ng")
        row = row_for(response.text, "10:00–10:45")
        assert "Ann Lee" in row
        assert monday["ann"].phone.as_national in row
        assert "Paul Needham" in row
        assert "Room A" in row
        assert "Follow-up" in row

    def test_the_rows_follow_the_clock(self, fiona_client, monday):
        response = sheet_of(fiona_client)

        live = [row for row in sheet_rows(response.text) if re.match(r"\d\d:\d\d–", row)]
        assert [row[:5] for row in live] == ["09:00", "10:00", "11:00", "12:00"]
        assert "Cara Moss" in live[-1]  # the cancelled one comes last, in its own table

    def test_a_course_session_shows_its_place_in_the_course(self, fiona_client, monday):
        response = sheet_of(fiona_client)

        assert "session 1 of 4" in row_for(response.text, "09:00–09:45")
        assert "session 2 of 4" in row_for(response.text, "10:00–10:45")
        assert "session" not in row_for(response.text, "Ben Ng")

    def test_red_flags_are_marked_without_their_clinical_detail(self, fiona_client, monday):
        response = sheet_of(fiona_client)

        assert "⚑ red flags" in row_for(response.text, "Ben Ng")
        assert "red flags" not in row_for(response.text, "10:00–10:45")
        assert "Numb" not in response.text
        assert "Hip after golf" not in response.text

    def test_cancelled_appointments_are_struck_through_at_the_end(self, fiona_client, monday):
        response = sheet_of(fiona_client)

        assert "Cancelled and no-shows" in response.text
        assert response.text.index("Ben Ng") < response.text.index("Cara Moss")
        assert re.search(r'<tr class="ds-cancelled">\s*<td[^>]*>12:00–12:45', response.text)
        assert "Car broke down" not in response.text
        assert "3 appointments, 1 cancelled or no-show" in response.text

    def test_one_practitioners_sheet_leaves_out_the_others(self, fiona_client, monday, dr_priya):
        response = sheet_of(fiona_client, practitioner=dr_priya.pk)

        assert "Ben Ng" in response.text
        assert "Ann Lee" not in response.text
        assert "Cara Moss" not in response.text
        assert [a.patient for a in response.context["sheet"].rows] == [monday["ben"]]

    def test_without_a_day_it_shows_today(self, fiona_client, dr_paul, room_a):
        AppointmentFactory(
            patient__given_name="Tess",
            practitioner=dr_paul,
            room=room_a,
            start=timezone.now() + timedelta(minutes=1),
        )

        response = fiona_client.get(PAGE)

        assert response.context["sheet"].day == timezone.localdate()
        assert "Tess" in response.text

    def test_a_day_with_nothing_booked_says_so(self, fiona_client, monday, dr_paul):
        response = sheet_of(fiona_client, day=MONDAY + timedelta(days=1))

        assert "No appointments on this day." in response.text

    @pytest.mark.parametrize("day", ["2025-02-30", "9999-12-31", "0001-01-01", "tomorrow"])
    def test_a_day_that_cannot_be_shown_is_refused_next_to_the_field(self, fiona_client, day):
        response = fiona_client.get(PAGE, {"day": day})

        assert response.status_code == 200
        assert response.context["sheet"] is None
        assert response.context["form"].errors["day"]
        assert f'value="{day}"' in response.text  # the input is kept
        assert 'id="ds-title"' not in response.text

    def test_an_unknown_practitioner_is_refused_next_to_the_field(self, fiona_client, monday):
        response = sheet_of(fiona_client, practitioner="99999")

        assert response.context["sheet"] is None
        assert response.context["form"].errors["practitioner"]

    def test_reading_the_sheet_is_not_logged_as_a_clinical_read(self, fiona_client, monday):
        sheet_of(fiona_client)

        assert not AccessLog.objects.exists()


class TestThePdf:
    def test_the_pdf_holds_the_rows_and_names_no_patient_in_its_file_name(
        self, fiona_client, monday
    ):
        response = fiona_client.get(PDF, {"day": MONDAY.isoformat()})

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="day-sheet-{MONDAY.isoformat()}.pdf"'
        )
        text = pdf_text(response.content)
        for expected in (
            "Ann Lee",
            monday["ann"].phone.as_national,
            "session 2 of 4",
            "Ben Ng",
            "red flags",
            "Priya Shah",
            "Room B",
            "Cara Moss",
        ):
            assert expected in text

    def test_one_practitioners_pdf_is_named_after_them(self, fiona_client, monday, dr_priya):
        response = fiona_client.get(PDF, {"day": MONDAY.isoformat(), "practitioner": dr_priya.pk})

        assert response["Content-Disposition"] == (
            f'attachment; filename="day-sheet-{MONDAY.isoformat()}-priya-shah.pdf"'
        )
        text = pdf_text(response.content)
        assert "Ben Ng" in text
        assert "Ann Lee" not in text

    def test_a_bad_day_gets_the_page_with_the_error_not_a_pdf(self, fiona_client):
        response = fiona_client.get(PDF, {"day": "2025-13-01"})

        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert response.context["form"].errors["day"]


class TestWayIn:
    def test_today_links_to_the_day_sheet(self, fiona_client):
        response = fiona_client.get(reverse("treatments:today"))

        day = timezone.localdate().isoformat()
        assert f'href="{PAGE}?day={day}">Print day sheet</a>' in response.text

    def test_the_day_calendar_links_to_that_days_sheet(self, fiona_client):
        response = fiona_client.get(reverse("treatments:schedule-day", args=[MONDAY.isoformat()]))

        assert f'href="{PAGE}?day={MONDAY.isoformat()}">Print day sheet</a>' in response.text


class TestAccess:
    @pytest.mark.parametrize("url", [PAGE, PDF])
    def test_anonymous_visitors_are_sent_to_log_in(self, client, url):
        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize("url", [PAGE, PDF])
    def test_staff_without_a_role_are_refused(self, nobody_client, url):
        assert nobody_client.get(url).status_code == 403

    @pytest.mark.parametrize("who", ["fiona_client", "paul_client", "maria_client"])
    def test_front_desk_practitioners_and_managers_may_print_it(self, request, who):
        assert request.getfixturevalue(who).get(PAGE).status_code == 200

    @pytest.mark.parametrize("url", [PAGE, PDF])
    def test_it_only_answers_get(self, fiona_client, url):
        assert fiona_client.post(url).status_code == 405


class TestQueryCounts:
    @pytest.mark.parametrize("count", [10, 200])
    def test_everyones_sheet_runs_a_fixed_number_of_queries(
        self, fiona_client, django_assert_num_queries, count
    ):
        busy_day(MONDAY, count)

        # session, user, user's groups (roles), user's own and group permissions (2), the
        # practitioners for the form's list, the day's appointments with their people,
        # session numbers and red flags, the clinic's profile (its name on the sheet)
        with django_assert_num_queries(8):
            response = sheet_of(fiona_client)

        sheet = response.context["sheet"]
        assert len(sheet.rows) + len(sheet.cancelled) == count
        assert sum(a.red_flagged for a in sheet.rows) > 0

    @pytest.mark.parametrize("count", [10, 200])
    def test_one_practitioners_sheet_runs_a_fixed_number_of_queries(
        self, fiona_client, django_assert_num_queries, count
    ):
        doctors = busy_day(MONDAY, count)

        # as above, and the chosen practitioner (the form checks it)
        with django_assert_num_queries(9):
            response = sheet_of(fiona_client, practitioner=doctors[1].pk)

        sheet = response.context["sheet"]
        assert len(sheet.rows) + len(sheet.cancelled) == len(range(1, count, 8))

    @pytest.mark.parametrize("count", [10, 200])
    def test_the_pdf_runs_a_fixed_number_of_queries(
        self, fiona_client, django_assert_num_queries, count
    ):
        busy_day(MONDAY, count)

        # session, user, groups, permissions (2), the day's appointments (the PDF has no
        # form to draw), the clinic's profile (its name on the sheet)
        with django_assert_num_queries(7):
            response = fiona_client.get(PDF, {"day": MONDAY.isoformat()})

        assert response.status_code == 200
