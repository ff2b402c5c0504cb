"""The front desk's day calendar and a practitioner's week view."""

import re
from datetime import UTC, date, time, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from clinic.models import OpeningHours, TimeOff, local_datetime
from patients.models import ComplaintStatus, RedFlag
from tests.factories import (
    ComplaintFactory,
    PatientFactory,
    RoomFactory,
    working_practitioner,
    works,
)
from treatments.courses.services import course_plan
from treatments.models import AppointmentStatus, AppointmentType
from treatments.scheduling import services as scheduling

pytestmark = pytest.mark.django_db


def next_weekday(weekday: int, weeks_ahead: int = 1) -> date:
    today = timezone.localdate()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


MONDAY = next_weekday(0)
TUESDAY = MONDAY + timedelta(days=1)
SUNDAY = MONDAY + timedelta(days=6)


def at(day: date, hour: int, minute: int = 0):
    return local_datetime(day, time(hour, minute))


def day_url(day: date, **params) -> str:
    url = reverse("treatments:schedule-day", args=[day.isoformat()])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def week_url(practitioner, day: date) -> str:
    return reverse("treatments:schedule-week", args=[practitioner.pk, day.isoformat()])


MONDAY_TO_SATURDAY = range(6)
NINE_TO_FIVE = ("09:00", "17:00")


@pytest.fixture
def birch():
    return RoomFactory(name="Birch")


@pytest.fixture
def paul_works(paul):
    """Paul works Monday to Saturday 09:00–17:00 (Saturday cut to the clinic's 09:00–14:00)."""
    works(paul.practitioner, NINE_TO_FIVE, weekdays=MONDAY_TO_SATURDAY)
    return paul.practitioner


@pytest.fixture
def priya_works_tuesdays(priya):
    works(priya.practitioner, NINE_TO_FIVE, weekdays=[1])
    return priya.practitioner


@pytest.fixture
def book(fiona, willow, follow_up):
    def book(practitioner, start, *, patient=None, room=None, by=fiona, **extra):
        return scheduling.book(
            patient=patient or PatientFactory(),
            practitioner=practitioner,
            room=room or willow,
            appointment_type=extra.pop("appointment_type", follow_up),
            start=start,
            by=by,
            **extra,
        )

    return book


def chips(response):
    return {chip.appointment.pk: chip for chip in response.context["calendar"].grid.chips}


def column_titles(response):
    return [column.title for column in response.context["calendar"].grid.columns]


def slot_row(response, label: str) -> int:
    return next(s.row for s in response.context["calendar"].grid.slots if s.label == label)


def booking_links(response):
    """(params of each empty-slot booking link) in page order."""
    prefix = reverse("treatments:appointment-create") + "?"
    hrefs = re.findall(r'href="([^"]+)"', response.content.decode())
    return [
        parse_qs(urlsplit(h.replace("&amp;", "&")).query) for h in hrefs if h.startswith(prefix)
    ]


class TestAccess:
    @pytest.mark.parametrize(
        "url",
        [
            reverse("treatments:schedule-today"),
            day_url(MONDAY),
            reverse("treatments:schedule-week", args=[1, MONDAY.isoformat()]),
        ],
    )
    def test_anonymous_visitors_are_sent_to_log_in(self, client, url):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_staff_without_a_role_are_refused(self, nobody_client, paul):
        assert nobody_client.get(day_url(MONDAY)).status_code == 403
        assert nobody_client.get(week_url(paul.practitioner, MONDAY)).status_code == 403

    def test_the_calendar_only_answers_get(self, fiona_client, paul):
        assert fiona_client.post(day_url(MONDAY)).status_code == 405
        assert fiona_client.post(reverse("treatments:schedule-today")).status_code == 405
        assert fiona_client.post(week_url(paul.practitioner, MONDAY)).status_code == 405

    @pytest.mark.parametrize("who", ["fiona_client", "paul_client", "maria_client"])
    def test_front_desk_practitioners_and_the_manager_see_the_calendar(self, request, who, paul):
        client = request.getfixturevalue(who)
        assert client.get(reverse("treatments:schedule-today")).status_code == 200
        assert client.get(day_url(MONDAY)).status_code == 200
        assert client.get(week_url(paul.practitioner, MONDAY)).status_code == 200


class TestDayColumns:
    def test_one_column_per_practitioner_working_that_day(
        self, fiona_client, paul_works, priya_works_tuesdays
    ):
        assert column_titles(fiona_client.get(day_url(MONDAY))) == ["Paul Needham"]
        assert column_titles(fiona_client.get(day_url(TUESDAY))) == ["Paul Needham", "Priya Shah"]

    def test_inactive_practitioners_get_no_column(self, fiona_client, paul_works):
        inactive = working_practitioner(
            NINE_TO_FIVE, weekdays=MONDAY_TO_SATURDAY, display_name="Ann Old", is_active=False
        )
        assert inactive.display_name not in column_titles(fiona_client.get(day_url(MONDAY)))

    def test_a_practitioner_with_an_appointment_gets_a_column_on_a_day_off(
        self, fiona_client, maria, priya_works_tuesdays, book
    ):
        priya = priya_works_tuesdays
        book(priya, at(MONDAY, 10), by=maria, override_reason="Covering a colleague")
        assert column_titles(fiona_client.get(day_url(MONDAY))) == ["Priya Shah"]

    def test_columns_are_in_order_of_display_name(self, fiona_client, paul_works):
        working_practitioner(NINE_TO_FIVE, weekdays=MONDAY_TO_SATURDAY, display_name="Zoe Young")
        working_practitioner(NINE_TO_FIVE, weekdays=MONDAY_TO_SATURDAY, display_name="Abel Ames")
        titles = column_titles(fiona_client.get(day_url(MONDAY)))
        assert titles == ["Abel Ames", "Paul Needham", "Zoe Young"]

    def test_rows_every_15_minutes_across_opening_hours(self, fiona_client, paul_works):
        response = fiona_client.get(day_url(MONDAY))
        labels = [slot.label for slot in response.context["calendar"].grid.slots]
        assert labels[:3] == ["08:00", "08:15", "08:30"]
        assert labels[-1] == "19:45"
        assert len(labels) == 12 * 4
        assert "Open 08:00–20:00" in response.content.decode()

    def test_saturday_rows_follow_saturday_opening_hours(self, fiona_client, paul_works):
        response = fiona_client.get(day_url(MONDAY + timedelta(days=5)))
        labels = [slot.label for slot in response.context["calendar"].grid.slots]
        assert (labels[0], labels[-1]) == ("09:00", "13:45")

    def test_the_practitioner_name_links_to_their_week(self, fiona_client, paul_works):
        response = fiona_client.get(day_url(MONDAY))
        assert f'href="{week_url(paul_works, MONDAY)}"' in response.content.decode()

    def test_the_rooms_view_has_one_column_per_room_in_use(
        self, fiona_client, paul_works, willow, birch, book
    ):
        RoomFactory(name="Attic", is_active=False)
        appointment = book(paul_works, at(MONDAY, 10), room=birch)
        response = fiona_client.get(day_url(MONDAY, view="rooms"))
        assert column_titles(response) == ["Birch", "Willow"]
        column = response.context["calendar"].grid.columns[0]
        assert [chip.appointment for chip in column.chips] == [appointment]
        assert "Paul Needham" in response.content.decode()  # who is seeing the patient

    def test_the_rooms_view_shows_an_old_room_with_an_appointment(
        self, fiona_client, paul_works, birch, book
    ):
        book(paul_works, at(MONDAY, 10), room=birch)
        birch.is_active = False
        birch.save()
        titles = column_titles(fiona_client.get(day_url(MONDAY, view="rooms")))
        assert titles == ["Birch", "Willow"]


class TestClosedDays:
    def test_a_closed_day_says_so(self, fiona_client, paul_works):
        response = fiona_client.get(day_url(SUNDAY))
        assert response.status_code == 200
        assert "The clinic is closed on Sundays." in response.content.decode()
        assert response.context["calendar"].grid.columns == []

    def test_a_closed_day_still_shows_its_appointments(self, fiona_client, maria, paul_works, book):
        appointment = book(paul_works, at(SUNDAY, 11), by=maria, override_reason="Emergency")
        response = fiona_client.get(day_url(SUNDAY))
        assert "The clinic is closed on Sundays." in response.content.decode()
        assert list(chips(response)) == [appointment.pk]
        assert booking_links(response) == []

    def test_a_day_whose_opening_hours_were_removed_is_closed(self, fiona_client, paul_works):
        OpeningHours.objects.filter(weekday=2).delete()
        response = fiona_client.get(day_url(MONDAY + timedelta(days=2)))
        assert "The clinic is closed on Wednesdays." in response.content.decode()


class TestChips:
    def test_a_chip_shows_time_patient_type_and_status(self, fiona_client, paul_works, book):
        patient = PatientFactory(given_name="Margaret", preferred_name="Peggy", family_name="Ode")
        appointment = book(paul_works, at(MONDAY, 10), patient=patient)
        html = fiona_client.get(day_url(MONDAY)).content.decode()
        assert "10:00–10:45" in html
        assert "Margaret (Peggy) Ode" in html
        assert "Follow-up" in html
        assert "calendar-chip--booked" in html
        assert ">Booked<" in html
        assert reverse("treatments:appointment-detail", args=[appointment.pk]) in html

    def test_a_45_minute_appointment_spans_three_rows(self, fiona_client, paul_works, book):
        appointment = book(paul_works, at(MONDAY, 10))
        response = fiona_client.get(day_url(MONDAY))
        chip = chips(response)[appointment.pk]
        assert (chip.row, chip.span) == (slot_row(response, "10:00"), 3)
        assert f"grid-row: {chip.row} / span 3;" in response.content.decode()

    def test_the_chip_has_the_practitioner_colour_as_its_border(
        self, fiona_client, paul_works, book
    ):
        paul_works.colour = "#e76f51"
        paul_works.save()
        book(paul_works, at(MONDAY, 10))
        assert "border-left-color: #e76f51;" in fiona_client.get(day_url(MONDAY)).content.decode()

    @pytest.mark.parametrize(
        ("change", "status", "text"),
        [
            (scheduling.mark_arrived, AppointmentStatus.ARRIVED, "Arrived"),
            (scheduling.complete, AppointmentStatus.COMPLETED, "Completed"),
        ],
    )
    def test_status_is_shown_by_colour_and_text(
        self, fiona_client, fiona, paul_works, book, change, status, text
    ):
        monday_gone = MONDAY - timedelta(weeks=3)  # arrival and completion happen on the day
        appointment = change(appointment=book(paul_works, at(monday_gone, 10)), by=fiona)
        response = fiona_client.get(day_url(monday_gone))
        assert chips(response)[appointment.pk].appointment.status == status
        html = response.content.decode()
        assert f"calendar-chip--{status}" in html
        assert f">{text}<" in html

    def test_a_course_session_shows_its_number_in_the_course(
        self, fiona_client, fiona, paul_works, willow, follow_up
    ):
        course = course_plan(
            complaint=ComplaintFactory(),
            practitioner=paul_works,
            planned_sessions=4,
            interval_days=7,
            start_date=MONDAY,
            by=fiona,
        )
        sessions = scheduling.book_course(
            course=course,
            sessions=[scheduling.PlannedSession(at(MONDAY, 10) + timedelta(days=7 * i), willow)
                      for i in range(3)],
            appointment_type=follow_up,
            by=fiona,
        )  # fmt: skip
        response = fiona_client.get(day_url(MONDAY + timedelta(days=7)))
        assert chips(response)[sessions[1].pk].progress == "2/4"
        assert "2/4" in response.content.decode()
        # A cancelled session no longer counts: the next one becomes the first.
        scheduling.cancel(appointment=sessions[0], reason="Unwell", by=fiona)
        response = fiona_client.get(day_url(MONDAY + timedelta(days=7)))
        assert chips(response)[sessions[1].pk].progress == "1/4"

    def test_an_appointment_outside_a_course_shows_no_progress(
        self, fiona_client, paul_works, book
    ):
        appointment = book(paul_works, at(MONDAY, 10))
        assert chips(fiona_client.get(day_url(MONDAY)))[appointment.pk].progress == ""


class TestCancelledAndNoShows:
    def test_cancelled_appointments_are_listed_under_the_grid_not_in_it(
        self, fiona_client, fiona, paul_works, book
    ):
        patient = PatientFactory(given_name="Cass", family_name="Cancel")
        appointment = book(paul_works, at(MONDAY, 10), patient=patient)
        scheduling.cancel(appointment=appointment, reason="Car broke down", by=fiona)
        response = fiona_client.get(day_url(MONDAY))
        assert chips(response) == {}
        assert [c.appointment for c in response.context["calendar"].cancelled] == [appointment]
        html = response.content.decode()
        listed = html[html.index("Cancelled / no-shows") :]
        assert "Cass Cancel" in listed
        assert "Cancelled" in listed
        assert "Car broke down" in listed
        # The slot is free again.
        assert "10:00" in [b["start"][0][-5:] for b in booking_links(response)]

    def test_no_shows_are_listed_too(self, fiona_client, fiona, paul_works, book):
        past_monday = MONDAY - timedelta(days=14)
        appointment = book(paul_works, at(past_monday, 10))
        scheduling.mark_no_show(appointment=appointment, by=fiona)
        response = fiona_client.get(day_url(past_monday))
        assert chips(response) == {}
        html = response.content.decode()
        assert "calendar-chip--no_show" in html[html.index("Cancelled / no-shows") :]
        assert "No-show" in html

    def test_a_day_without_cancellations_has_no_such_list(self, fiona_client, paul_works):
        assert "Cancelled / no-shows" not in fiona_client.get(day_url(MONDAY)).content.decode()


class TestRedFlags:
    MARKER = '⚑<span class="visually-hidden"> red flags</span>'

    def test_a_course_complaint_with_red_flags_marks_the_chip(
        self, fiona_client, fiona, paul_works, willow, follow_up
    ):
        complaint = ComplaintFactory(red_flags=[RedFlag.NUMBNESS])
        course = course_plan(
            complaint=complaint,
            practitioner=paul_works,
            planned_sessions=1,
            interval_days=7,
            start_date=MONDAY,
            by=fiona,
        )
        (session,) = scheduling.book_course(
            course=course,
            sessions=[scheduling.PlannedSession(at(MONDAY, 10), willow)],
            appointment_type=follow_up,
            by=fiona,
        )
        response = fiona_client.get(day_url(MONDAY))
        assert chips(response)[session.pk].red_flagged
        assert self.MARKER in response.content.decode()

    def test_any_active_complaint_with_red_flags_marks_the_patients_chips(
        self, fiona_client, paul_works, book
    ):
        complaint = ComplaintFactory(red_flags=[RedFlag.BLADDER_BOWEL])
        appointment = book(paul_works, at(MONDAY, 10), patient=complaint.patient)
        response = fiona_client.get(day_url(MONDAY))
        assert chips(response)[appointment.pk].red_flagged
        assert self.MARKER in response.content.decode()

    def test_no_marker_without_red_flags_or_for_a_resolved_complaint(
        self, fiona_client, paul_works, book
    ):
        patient = PatientFactory()
        ComplaintFactory(patient=patient)
        ComplaintFactory(
            patient=patient, red_flags=[RedFlag.TRAUMA], status=ComplaintStatus.RESOLVED
        )
        appointment = book(paul_works, at(MONDAY, 10), patient=patient)
        response = fiona_client.get(day_url(MONDAY))
        assert not chips(response)[appointment.pk].red_flagged
        assert "red flags" not in response.content.decode()


class TestBookingFromAnEmptySlot:
    def test_each_free_slot_books_the_practitioner_at_that_time(
        self, fiona_client, paul_works, book
    ):
        book(paul_works, at(MONDAY, 10))
        links = booking_links(fiona_client.get(day_url(MONDAY)))
        starts = [link["start"][0] for link in links]
        assert all(link["practitioner"] == [str(paul_works.pk)] for link in links)
        assert starts[0] == f"{MONDAY.isoformat()}T09:00"
        assert starts[-1] == f"{MONDAY.isoformat()}T16:45"
        # 09:00–17:00 is 32 slots; the 45-minute appointment takes 3 of them.
        assert len(starts) == 29
        assert f"{MONDAY.isoformat()}T10:15" not in starts
        assert f"{MONDAY.isoformat()}T10:45" in starts

    def test_times_outside_working_hours_are_shaded_not_bookable(self, fiona_client, paul_works):
        response = fiona_client.get(day_url(MONDAY))
        (column,) = response.context["calendar"].grid.columns
        shaded = [(b.label, b.span, b.reason) for b in column.blocks if b.kind == "off"]
        assert shaded == [("08:00", 4, "Not working"), ("17:00", 12, "Not working")]
        assert column.note == "09:00–17:00"

    def test_time_off_is_shaded_with_its_reason(self, fiona_client, paul_works):
        TimeOff.objects.create(
            practitioner=paul_works,
            start=at(MONDAY, 13),
            end=at(MONDAY, 15),
            reason="Dentist",
        )
        response = fiona_client.get(day_url(MONDAY))
        starts = [link["start"][0][-5:] for link in booking_links(response)]
        assert "12:45" in starts
        assert not {"13:00", "14:45"} & set(starts)
        assert "15:00" in starts
        assert "Away: Dentist" in response.content.decode()

    def test_the_rooms_view_books_the_room(self, fiona_client, paul_works, willow):
        links = booking_links(fiona_client.get(day_url(MONDAY, view="rooms")))
        assert links[0] == {"room": [str(willow.pk)], "start": [f"{MONDAY.isoformat()}T08:00"]}
        assert len(links) == 48

    def test_past_slots_are_not_bookable(self, fiona_client, paul_works):
        assert booking_links(fiona_client.get(day_url(MONDAY - timedelta(days=14)))) == []

    def test_without_permission_to_book_there_are_no_links(self, fiona, paul_works, client):
        add = Permission.objects.get(codename="add_appointment")
        for group in fiona.groups.all():
            group.permissions.remove(add)
        client.force_login(fiona)
        response = client.get(day_url(MONDAY))
        assert response.status_code == 200
        assert booking_links(response) == []


class TestChoosingADay:
    def test_previous_today_and_next_links(self, fiona_client):
        html = fiona_client.get(day_url(MONDAY)).content.decode()
        assert f'href="{day_url(MONDAY - timedelta(days=1))}"' in html
        assert f'href="{day_url(TUESDAY)}"' in html
        assert f'href="{reverse("treatments:schedule-today")}"' in html

    def test_the_rooms_view_keeps_to_rooms_when_moving_day(self, fiona_client):
        html = fiona_client.get(day_url(MONDAY, view="rooms")).content.decode()
        assert f'href="{day_url(TUESDAY)}?view=rooms"' in html

    def test_today_shows_todays_date(self, fiona_client):
        response = fiona_client.get(reverse("treatments:schedule-today"))
        assert response.context["calendar"].day == timezone.localdate()
        assert ">Today<" in response.content.decode()

    def test_the_date_picker_goes_to_the_days_own_address(self, fiona_client):
        response = fiona_client.get(
            reverse("treatments:schedule-today"), {"day": TUESDAY.isoformat(), "view": "rooms"}
        )
        assert response.status_code == 302
        assert response.url == day_url(TUESDAY) + "?view=rooms"

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("", "Choose a date."),
            ("next tuesday", "“next tuesday” is not a date: choose one with the date box."),
            ("2025-02-30", "“2025-02-30” is not a date: choose one with the date box."),
            ("31/03/2025", "“31/03/2025” is not a date: choose one with the date box."),
            ("0001-01-01", "The calendar runs from 1900 to 2999: choose a date in them."),
            ("9999-12-31", "The calendar runs from 1900 to 2999: choose a date in them."),
            ("129999-12-01", "The calendar runs from 1900 to 2999: choose a date in them."),
        ],
    )
    def test_a_bad_date_from_the_date_box_stays_on_the_shown_day_and_says_why(
        self, fiona_client, value, message
    ):
        response = fiona_client.get(
            reverse("treatments:schedule-today"),
            {"day": value, "shown": TUESDAY.isoformat(), "view": "rooms"},
        )

        assert response.status_code == 200
        assert response.context["calendar"].day == TUESDAY
        assert response.context["calendar"].by_rooms
        page = response.content.decode()
        assert (
            f'<div class="invalid-feedback" id="calendar-day-error">{escape(message)}</div>' in page
        )
        assert f'value="{escape(value)}" class="form-control is-invalid"' in page

    def test_a_bad_date_without_a_shown_day_stays_on_today(self, fiona_client):
        response = fiona_client.get(reverse("treatments:schedule-today"), {"day": "9999-12-31"})

        assert response.context["calendar"].day == timezone.localdate()
        assert "The calendar runs from 1900 to 2999" in response.content.decode()

    def test_the_date_box_carries_the_shown_day(self, fiona_client):
        response = fiona_client.get(day_url(TUESDAY))

        assert f'name="shown" value="{TUESDAY.isoformat()}"' in response.content.decode()

    @pytest.mark.parametrize(
        "value", ["2025-02-30", "tomorrow", "20250331", "2025-13-01", "0001-01-01", "9999-12-31"]
    )
    def test_an_invalid_date_in_the_address_is_not_found(self, fiona_client, paul, value):
        url = reverse("treatments:schedule-day", args=[value])
        assert fiona_client.get(url).status_code == 404
        week = reverse("treatments:schedule-week", args=[paul.practitioner.pk, value])
        assert fiona_client.get(week).status_code == 404


class TestWeekView:
    def test_seven_day_columns_monday_to_sunday(self, fiona_client, paul_works):
        response = fiona_client.get(week_url(paul_works, MONDAY + timedelta(days=3)))
        columns = response.context["calendar"].grid.columns
        assert [c.day for c in columns] == [MONDAY + timedelta(days=i) for i in range(7)]
        assert [c.note for c in columns] == [
            *["09:00–17:00"] * 5,
            "09:00–14:00",
            "Closed",
        ]
        html = response.content.decode()
        assert f'href="{day_url(MONDAY)}"' in html  # each day's heading opens that day

    def test_rows_cover_the_widest_opening_hours_of_the_week(self, fiona_client, paul_works):
        response = fiona_client.get(week_url(paul_works, MONDAY))
        labels = [slot.label for slot in response.context["calendar"].grid.slots]
        assert (labels[0], labels[-1], len(labels)) == ("08:00", "19:45", 48)
        saturday = response.context["calendar"].grid.columns[5]
        closed = [(b.label, b.span) for b in saturday.blocks if b.kind == "closed"]
        assert closed == [("08:00", 4), ("14:00", 24)]

    def test_appointments_sit_in_their_days_column(self, fiona_client, paul_works, birch, book):
        tuesday = book(paul_works, at(TUESDAY, 11))
        book(
            working_practitioner(NINE_TO_FIVE, weekdays=MONDAY_TO_SATURDAY),
            at(TUESDAY, 11),
            room=birch,
        )  # not in Paul's week
        response = fiona_client.get(week_url(paul_works, MONDAY))
        columns = response.context["calendar"].grid.columns
        assert [[chip.appointment for chip in c.chips] for c in columns[:2]] == [[], [tuesday]]
        assert sum(len(c.chips) for c in columns) == 1

    def test_week_booking_links_name_the_practitioner_and_day(self, fiona_client, paul_works):
        links = booking_links(fiona_client.get(week_url(paul_works, MONDAY)))
        assert links[0] == {
            "practitioner": [str(paul_works.pk)],
            "start": [f"{MONDAY.isoformat()}T09:00"],
        }
        assert {link["start"][0][:10] for link in links} == {
            (MONDAY + timedelta(days=i)).isoformat() for i in range(6)
        }

    def test_previous_and_next_week_and_back_to_the_day(self, fiona_client, paul_works):
        html = fiona_client.get(week_url(paul_works, TUESDAY)).content.decode()
        assert f'href="{week_url(paul_works, MONDAY - timedelta(days=7))}"' in html
        assert f'href="{week_url(paul_works, MONDAY + timedelta(days=7))}"' in html
        assert f'href="{day_url(TUESDAY)}"' in html

    def test_the_practitioner_select_switches_to_their_week(self, fiona_client, paul_works, priya):
        response = fiona_client.get(
            week_url(paul_works, MONDAY), {"practitioner": priya.practitioner.pk}
        )
        assert response.status_code == 302
        assert response.url == week_url(priya.practitioner, MONDAY)
        html = fiona_client.get(week_url(paul_works, MONDAY)).content.decode()
        assert f'<option value="{priya.practitioner.pk}">Priya Shah</option>' in html

    def test_a_bad_switch_keeps_the_week_with_a_message(self, fiona_client, paul_works):
        response = fiona_client.get(
            week_url(paul_works, MONDAY), {"practitioner": "x", "day": "soon"}, follow=True
        )
        assert response.status_code == 200
        assert response.context["calendar"].practitioner == paul_works
        assert "Choose a practitioner and a date." in response.content.decode()

    def test_an_unknown_practitioner_is_not_found(self, fiona_client):
        url = reverse("treatments:schedule-week", args=[999999, MONDAY.isoformat()])
        assert fiona_client.get(url).status_code == 404

    def test_cancelled_sessions_of_the_week_are_listed(self, fiona_client, fiona, paul_works, book):
        appointment = book(paul_works, at(TUESDAY, 11))
        scheduling.cancel(appointment=appointment, reason="Holiday", by=fiona)
        response = fiona_client.get(week_url(paul_works, MONDAY))
        assert [c.appointment for c in response.context["calendar"].cancelled] == [appointment]
        assert "Cancelled / no-shows this week" in response.content.decode()


def fill_day(day, count, practitioners, rooms, patients, courses, by):
    """`count` appointments on `day`: practitioner i in room i, back to back from 08:00."""
    appointment_type = AppointmentType.objects.get(name="Follow-up")
    for k in range(count):
        lane, slot = k % len(practitioners), k // len(practitioners)
        patient = patients[k % len(patients)]
        scheduling.book(
            patient=patient,
            practitioner=practitioners[lane],
            room=rooms[lane],
            appointment_type=appointment_type,
            start=at(day, 8) + timedelta(minutes=15 * slot),
            end=at(day, 8) + timedelta(minutes=15 * slot + 15),
            course=courses.get(patient.pk),
            by=by,
        )


def people(maria, practitioners=8, patients=40):
    doctors = [
        working_practitioner(("08:00", "20:00"), weekdays=MONDAY_TO_SATURDAY)
        for _ in range(practitioners)
    ]
    rooms = [RoomFactory() for _ in range(practitioners)]
    patient_list, courses = [], {}
    for i in range(patients):
        complaint = ComplaintFactory(red_flags=[RedFlag.NUMBNESS] if i % 2 else [])
        patient_list.append(complaint.patient)
        courses[complaint.patient.pk] = course_plan(
            complaint=complaint,
            practitioner=doctors[0],
            planned_sessions=12,
            interval_days=7,
            start_date=MONDAY,
            by=maria,
        )
    return doctors, rooms, patient_list, courses


class TestQueryCounts:
    @pytest.mark.parametrize("count", [10, 200])
    def test_the_day_calendar_runs_a_fixed_number_of_queries(
        self, fiona_client, maria, django_assert_num_queries, count
    ):
        doctors, rooms, patients, courses = people(maria)
        fill_day(MONDAY, count, doctors, rooms, patients, courses, by=maria)
        # session, user, user's groups (roles), user's own and group permissions (2),
        # the day's appointments with people, session numbers and red flags, active
        # practitioners, opening hours, working hours, time off, the clinic's profile
        with django_assert_num_queries(11):
            response = fiona_client.get(day_url(MONDAY))
        assert response.context["calendar"].live_count == count

    @pytest.mark.parametrize("count", [10, 200])
    def test_the_rooms_view_runs_a_fixed_number_of_queries(
        self, fiona_client, maria, django_assert_num_queries, count
    ):
        doctors, rooms, patients, courses = people(maria)
        fill_day(MONDAY, count, doctors, rooms, patients, courses, by=maria)
        # session, user, groups, permissions (2), the day's appointments with their session
        # numbers, active rooms, opening hours (no working hours or time off for rooms), the
        # clinic's profile (navigation)
        with django_assert_num_queries(9):
            response = fiona_client.get(day_url(MONDAY, view="rooms"))
        assert response.context["calendar"].live_count == count

    @pytest.mark.parametrize("count", [10, 200])
    def test_the_week_view_runs_a_fixed_number_of_queries(
        self, fiona_client, maria, django_assert_num_queries, count
    ):
        (doctor,), (room,), patients, courses = people(maria, practitioners=1)
        per_day = -(-count // 5)
        for offset in range(5):
            fill_day(
                MONDAY + timedelta(days=offset),
                min(per_day, count - offset * per_day),
                [doctor],
                [room],
                patients,
                courses,
                by=maria,
            )
        # session, user, groups, permissions (2), the practitioners (for the switcher, with
        # the one shown), the week's appointments with their session numbers, opening hours,
        # working hours, time off, the clinic's profile (navigation)
        with django_assert_num_queries(11):
            response = fiona_client.get(week_url(doctor, MONDAY))
        assert len(response.context["calendar"].grid.chips) == count


def last_sunday_of_march(year: int) -> date:
    end = date(year, 3, 31)
    return end - timedelta(days=(end.weekday() - 6) % 7)


class TestDaylightSaving:
    """Clocks go forward at 01:00 on the last Sunday of March in Europe/London."""

    CHANGE = last_sunday_of_march(timezone.localdate().year + 1)
    MONDAY_BEFORE = CHANGE - timedelta(days=6)
    MONDAY_AFTER = CHANGE + timedelta(days=1)

    @pytest.fixture(autouse=True)
    def london(self, settings):
        settings.TIME_ZONE = "Europe/London"

    def test_ten_oclock_is_the_ten_oclock_row_either_side_of_the_change(
        self, fiona_client, paul_works, book
    ):
        before = book(paul_works, at(self.MONDAY_BEFORE, 10))
        after = book(paul_works, at(self.MONDAY_AFTER, 10))
        assert (before.start.utcoffset(), after.start.utcoffset()) == (
            timedelta(0),
            timedelta(hours=1),
        )
        # Aware datetimes in one zone subtract on the wall clock; in UTC the hour shows.
        utc = (after.start.astimezone(UTC), before.start.astimezone(UTC))
        assert utc[0] - utc[1] == timedelta(days=7, hours=-1)
        for day, appointment in ((self.MONDAY_BEFORE, before), (self.MONDAY_AFTER, after)):
            response = fiona_client.get(day_url(day))
            assert chips(response)[appointment.pk].row == slot_row(response, "10:00")
            assert "10:00–10:45" in response.content.decode()

    def test_the_week_of_the_change_keeps_wall_clock_rows(
        self, fiona_client, maria, paul_works, book
    ):
        monday = book(paul_works, at(self.MONDAY_BEFORE, 10))
        saturday = book(paul_works, at(self.CHANGE - timedelta(days=1), 10))
        sunday = book(paul_works, at(self.CHANGE, 10), by=maria, override_reason="Clock test")
        response = fiona_client.get(week_url(paul_works, self.CHANGE))
        grid = response.context["calendar"].grid
        assert (grid.slots[0].label, grid.slots[-1].label) == ("08:00", "19:45")
        ten = slot_row(response, "10:00")
        placed = {chip.appointment.pk: (chip.row, chip.span) for chip in grid.chips}
        assert placed == {monday.pk: (ten, 3), saturday.pk: (ten, 3), sunday.pk: (ten, 3)}
        columns = {column.day: column for column in grid.columns}
        assert [c.appointment for c in columns[self.CHANGE].chips] == [sunday]
        after = book(paul_works, at(self.MONDAY_AFTER, 10))
        next_week = fiona_client.get(week_url(paul_works, self.MONDAY_AFTER))
        assert chips(next_week)[after.pk].row == slot_row(next_week, "10:00")
