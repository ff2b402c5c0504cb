from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import local_datetime
from tests.factories import AppointmentFactory, ComplaintFactory, PatientFactory, RoomFactory, works
from treatments.courses.services import course_plan
from treatments.models import Appointment, AppointmentStatus
from treatments.scheduling import services as scheduling

pytestmark = pytest.mark.django_db


def next_weekday(weekday: int, weeks_ahead: int = 1) -> date:
    today = timezone.localdate()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


MONDAY = next_weekday(0)


@pytest.fixture
def ana(paul):
    """Paul's practitioner profile, working Monday to Friday 09:00–12:30 and 13:30–18:00."""
    works(paul.practitioner, ("09:00", "12:30"), ("13:30", "18:00"))
    return paul.practitioner


def at(day, hour, minute=0):
    return local_datetime(day, time(hour, minute))


def booking(patient, practitioner, room, appointment_type, day=MONDAY, hour=10, **extra):
    return {
        "patient": patient.pk,
        "practitioner": practitioner.pk,
        "room": room.pk,
        "appointment_type": appointment_type.pk,
        "date": day.isoformat(),
        "time": f"{hour:02d}:00",
        "duration": "45",
        **extra,
    }


def book(patient, practitioner, room, appointment_type, start, by, **extra):
    return scheduling.book(
        patient=patient,
        practitioner=practitioner,
        room=room,
        appointment_type=appointment_type,
        start=start,
        by=by,
        **extra,
    )


class TestBookingForm:
    def test_a_calendar_slot_prefills_the_form(self, fiona_client, ana, willow):
        url = reverse("treatments:appointment-create")
        response = fiona_client.get(
            url, {"practitioner": ana.pk, "room": willow.pk, "start": f"{MONDAY}T10:15"}
        )
        form = response.context["form"]
        assert form["practitioner"].value() == ana.pk
        assert form["time"].value().strftime("%H:%M") == "10:15"
        assert form["duration"].value() == 45  # the follow-up's length

    def test_a_bad_start_in_the_link_is_ignored(self, fiona_client):
        url = reverse("treatments:appointment-create")
        assert fiona_client.get(url, {"start": "yesterday"}).status_code == 200

    def test_front_desk_books_an_appointment(self, fiona_client, fiona, ana, willow, follow_up):
        patient = PatientFactory()
        response = fiona_client.post(
            reverse("treatments:appointment-create"), booking(patient, ana, willow, follow_up)
        )
        appointment = Appointment.objects.get()
        assert response.status_code == 302
        assert response.url == reverse("treatments:schedule-day", args=[MONDAY.isoformat()])
        assert appointment.start == at(MONDAY, 10)
        assert appointment.end == at(MONDAY, 10, 45)
        assert appointment.booked_by == fiona

    def test_a_clash_is_explained_with_nearby_free_times_and_the_input_kept(
        self, fiona_client, fiona, ana, willow, follow_up
    ):
        first = PatientFactory(given_name="Ada", family_name="First")
        book(first, ana, willow, follow_up, at(MONDAY, 10), fiona)
        second = PatientFactory(given_name="Bea", family_name="Second")
        response = fiona_client.post(
            reverse("treatments:appointment-create"),
            booking(second, ana, willow, follow_up, hour=10),
        )
        assert response.status_code == 200
        assert "is seeing Ada First 10:00–10:45 in Willow." in response.text
        assert "Willow is taken" not in response.text  # the same appointment, named once
        assert response.context["alternatives"]
        assert "Bea Second" in response.text  # the chosen patient is kept
        assert Appointment.objects.count() == 1

    def test_outside_working_hours_is_refused_with_the_hours(
        self, fiona_client, ana, willow, follow_up
    ):
        response = fiona_client.post(
            reverse("treatments:appointment-create"),
            booking(PatientFactory(), ana, willow, follow_up, hour=12),
        )
        assert "works 09:00–12:30, 13:30–18:00 on Mondays" in response.text
        assert not Appointment.objects.exists()

    def test_an_unknown_patient_is_a_field_error(self, fiona_client, ana, willow, follow_up):
        data = booking(PatientFactory(), ana, willow, follow_up)
        data["patient"] = "999999"
        response = fiona_client.post(reverse("treatments:appointment-create"), data)
        assert response.status_code == 200
        assert "patient" in response.context["form"].errors

    def test_a_missing_patient_asks_to_choose_one(self, fiona_client, ana, willow, follow_up):
        data = booking(PatientFactory(), ana, willow, follow_up)
        del data["patient"]
        response = fiona_client.post(reverse("treatments:appointment-create"), data)
        assert "Choose a patient" in response.text

    def test_a_bad_length_is_a_field_error(self, fiona_client, ana, willow, follow_up):
        data = booking(PatientFactory(), ana, willow, follow_up, duration="0")
        response = fiona_client.post(reverse("treatments:appointment-create"), data)
        assert "duration" in response.context["form"].errors

    def test_only_a_manager_sees_and_uses_the_override(
        self, fiona_client, maria_client, maria, ana, willow, follow_up
    ):
        url = reverse("treatments:appointment-create")
        assert "override_reason" not in fiona_client.get(url).context["form"].fields
        response = maria_client.post(
            url,
            booking(
                PatientFactory(), ana, willow, follow_up, hour=19, override_reason="Evening favour"
            ),
        )
        assert response.status_code == 302
        assert Appointment.objects.get().override_reason == "Evening favour"

    def test_only_the_patients_own_courses_can_be_chosen(
        self, fiona_client, ana, willow, follow_up
    ):
        course = course_plan(
            complaint=ComplaintFactory(),
            practitioner=ana,
            planned_sessions=3,
            interval_days=7,
            start_date=MONDAY,
            by=ana.user,
        )
        data = booking(PatientFactory(), ana, willow, follow_up, course=course.pk)
        response = fiona_client.post(reverse("treatments:appointment-create"), data)
        assert "valid choice" in str(response.context["form"].errors["course"])

    def test_the_live_check_shows_a_clash_before_saving(
        self, fiona_client, fiona, ana, willow, follow_up
    ):
        book(
            PatientFactory(given_name="Ada", family_name="First"),
            ana,
            willow,
            follow_up,
            at(MONDAY, 10),
            fiona,
        )
        response = fiona_client.post(
            reverse("treatments:appointment-check"),
            booking(PatientFactory(), ana, willow, follow_up),
            headers={"HX-Request": "true"},
        )
        assert "Before you book" in response.text
        assert "Ada First" in response.text
        assert "<html" not in response.text
        free = fiona_client.post(
            reverse("treatments:appointment-check"),
            booking(PatientFactory(), ana, willow, follow_up, hour=14),
        )
        assert "Free: this time can be booked." in free.text

    def test_the_patient_picker_searches_current_patients(self, fiona_client):
        PatientFactory(given_name="Zoë", family_name="Ødegård")
        response = fiona_client.get(reverse("treatments:patient-picker"), {"patient_search": "Øde"})
        assert 'data-patient-name="Zoë Ødegård"' in response.text

    def test_access(self, client, nobody_client, fiona_client):
        url = reverse("treatments:appointment-create")
        assert client.get(url).status_code == 302
        assert nobody_client.get(url).status_code == 403
        assert fiona_client.put(url).status_code == 405
        assert fiona_client.get(reverse("treatments:appointment-check")).status_code == 405


@pytest.fixture
def appointment(fiona, ana, willow, follow_up):
    return book(
        PatientFactory(given_name="Ada", family_name="First"),
        ana,
        willow,
        follow_up,
        at(MONDAY, 10),
        fiona,
    )


class TestChangingAnAppointment:
    def test_moving_into_a_clash_is_refused_and_nothing_moves(
        self, fiona_client, fiona, appointment, ana, willow, follow_up
    ):
        book(
            PatientFactory(given_name="Bea", family_name="Busy"),
            ana,
            willow,
            follow_up,
            at(MONDAY, 11),
            fiona,
        )
        response = fiona_client.post(
            reverse("treatments:appointment-move", args=[appointment.pk]),
            {
                "date": MONDAY.isoformat(),
                "time": "11:15",
                "duration": "45",
                "practitioner": ana.pk,
                "room": willow.pk,
            },
        )
        assert response.status_code == 200
        assert "Bea Busy" in response.text
        appointment.refresh_from_db()
        assert appointment.start == at(MONDAY, 10)

    def test_moving_to_a_free_time(self, fiona_client, appointment, ana, willow):
        response = fiona_client.post(
            reverse("treatments:appointment-move", args=[appointment.pk]),
            {
                "date": MONDAY.isoformat(),
                "time": "14:00",
                "duration": "45",
                "practitioner": ana.pk,
                "room": willow.pk,
            },
        )
        assert response.status_code == 302
        appointment.refresh_from_db()
        assert appointment.start == at(MONDAY, 14)

    def test_cancelling_needs_a_reason(self, fiona_client, appointment):
        url = reverse("treatments:appointment-cancel", args=[appointment.pk])
        response = fiona_client.post(url, {"reason": ""})
        assert "reason" in response.context["form"].errors
        response = fiona_client.post(url, {"reason": "Unwell"})
        assert response.status_code == 302
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.CANCELLED
        assert not appointment.late_cancellation

    def test_a_cancelled_course_session_offers_to_rebook_within_the_course(
        self, fiona_client, fiona, ana, willow, follow_up
    ):
        complaint = ComplaintFactory()
        course = course_plan(
            complaint=complaint,
            practitioner=ana,
            planned_sessions=3,
            interval_days=7,
            start_date=MONDAY,
            by=fiona,
        )
        session = book(
            complaint.patient, ana, willow, follow_up, at(MONDAY, 10), fiona, course=course
        )
        fiona_client.post(
            reverse("treatments:appointment-cancel", args=[session.pk]), {"reason": "Away"}
        )
        page = fiona_client.get(reverse("treatments:appointment-detail", args=[session.pk]))
        assert "Rebook within the course" in page.text
        assert reverse("treatments:course-book", args=[course.pk]) in page.text

    def test_arrival_cannot_be_marked_for_a_later_day(self, fiona_client, appointment):
        url = reverse("treatments:appointment-status", args=[appointment.pk])
        response = fiona_client.post(url, {"action": "arrived"}, follow=True)
        opens = timezone.localtime(appointment.start - timedelta(hours=1))
        assert f"Cannot mark as arrived before {opens:%a %d %b %H:%M}." in response.text
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.BOOKED

    def test_one_click_status_changes_and_undo(self, fiona_client):
        appointment = AppointmentFactory(start=timezone.now() - timedelta(minutes=5))
        status_url = reverse("treatments:appointment-status", args=[appointment.pk])
        fiona_client.post(status_url, {"action": "arrived"})
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.ARRIVED
        fiona_client.post(reverse("treatments:appointment-undo", args=[appointment.pk]))
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.BOOKED
        assert appointment.status_changes.count() == 2

    def test_a_no_show_before_the_start_is_refused_with_a_message(self, fiona_client, appointment):
        url = reverse("treatments:appointment-status", args=[appointment.pk])
        response = fiona_client.post(url, {"action": "no_show"}, follow=True)
        assert "has not started yet" in response.text
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.BOOKED

    def test_an_unknown_action_is_refused(self, fiona_client, appointment):
        url = reverse("treatments:appointment-status", args=[appointment.pk])
        response = fiona_client.post(url, {"action": "explode"}, follow=True)
        assert "Unknown action." in response.text

    def test_status_changes_need_a_post(self, fiona_client, appointment):
        assert (
            fiona_client.get(
                reverse("treatments:appointment-status", args=[appointment.pk])
            ).status_code
            == 405
        )
        assert (
            fiona_client.get(
                reverse("treatments:appointment-undo", args=[appointment.pk])
            ).status_code
            == 405
        )

    def test_next_never_leads_off_site(self, fiona_client, appointment):
        url = reverse("treatments:appointment-status", args=[appointment.pk])
        response = fiona_client.post(url, {"action": "arrived", "next": "https://evil.example/"})
        assert response.url == reverse("treatments:appointment-detail", args=[appointment.pk])

    def test_detail_shows_the_session_number_in_its_course(
        self, fiona_client, fiona, ana, willow, follow_up
    ):
        complaint = ComplaintFactory()
        course = course_plan(
            complaint=complaint,
            practitioner=ana,
            planned_sessions=4,
            interval_days=7,
            start_date=MONDAY,
            by=fiona,
        )
        book(complaint.patient, ana, willow, follow_up, at(MONDAY, 10), fiona, course=course)
        second = book(
            complaint.patient,
            ana,
            willow,
            follow_up,
            at(MONDAY + timedelta(days=7), 10),
            fiona,
            course=course,
        )
        page = fiona_client.get(reverse("treatments:appointment-detail", args=[second.pk]))
        assert "Session 2 of 4" in page.text

    def test_unknown_appointment_is_404(self, fiona_client):
        assert (
            fiona_client.get(reverse("treatments:appointment-detail", args=[999])).status_code
            == 404
        )


class TestTodaysList:
    @pytest.mark.parametrize("count", [10, 200])
    def test_runs_the_same_queries_whatever_the_number_of_appointments(
        self, fiona_client, fiona, ana, follow_up, django_assert_num_queries, count
    ):
        rooms = [RoomFactory() for _ in range(4)]
        today = timezone.localdate()
        start = local_datetime(today, time(0))
        patients = PatientFactory.create_batch(count)
        for i, patient in enumerate(patients):
            # Rows written directly: a dense day of 5-minute visits needs no working hours.
            Appointment.objects.create(
                patient=patient,
                practitioner=ana,
                room=rooms[i % 4],
                appointment_type=follow_up,
                start=start + timedelta(minutes=5 * i),
                end=start + timedelta(minutes=5 * i + 5),
                booked_by=fiona,
            )
        # session, user, roles, permissions (2), practitioners for the filter, today's
        # appointments with their patient's, practitioner's, room's and type's names joined
        # in, the clinic's profile (navigation).
        with django_assert_num_queries(8):
            response = fiona_client.get(reverse("treatments:today"))
        assert len(response.context["rows"]) == count

    def test_filters_by_practitioner(self, fiona_client, appointment, priya):
        response = fiona_client.get(
            reverse("treatments:today"), {"practitioner": priya.practitioner.pk}
        )
        assert response.status_code == 200
        assert list(response.context["rows"]) == []


class TestFreeSlots:
    def test_lists_free_slots_with_booking_links(self, fiona_client, ana, willow, follow_up):
        response = fiona_client.get(
            reverse("treatments:free-slots"),
            {
                "practitioner": ana.pk,
                "appointment_type": follow_up.pk,
                "first_day": MONDAY,
                "last_day": MONDAY,
                "time_of_day": "afternoon",
            },
        )
        slots = response.context["slots"]
        assert slots[0].start == at(MONDAY, 13, 30)
        assert reverse("treatments:appointment-create") in response.text

    def test_a_backwards_range_is_a_field_error(self, fiona_client, follow_up):
        response = fiona_client.get(
            reverse("treatments:free-slots"),
            {
                "appointment_type": follow_up.pk,
                "first_day": MONDAY,
                "last_day": MONDAY - timedelta(days=1),
                "time_of_day": "any",
            },
        )
        assert "last_day" in response.context["form"].errors
        assert response.context["slots"] is None


class TestBookingAWholeCourseFromASlot:
    def test_the_booking_form_offers_to_plan_a_course_for_a_complaint_without_one(
        self, fiona_client, ana, willow
    ):
        complaint = ComplaintFactory(
            title="Left hip and leg pain", onset_date=timezone.localdate() - timedelta(days=60)
        )
        response = fiona_client.get(
            reverse("treatments:patient-courses"), {"patient": complaint.patient.pk}
        )
        assert "Left hip and leg pain" in response.text
        assert "suggested 4 sessions" in response.text
        assert reverse("treatments:course-create", args=[complaint.pk]) in response.text

    def test_planning_from_a_slot_goes_straight_to_the_proposal_from_that_slot(
        self, fiona_client, ana, willow
    ):
        complaint = ComplaintFactory(onset_date=timezone.localdate() - timedelta(days=60))
        slot = {
            "first_date": MONDAY.isoformat(),
            "first_time": "10:00",
            "room": willow.pk,
            "practitioner": ana.pk,
        }
        url = reverse("treatments:course-create", args=[complaint.pk])
        form = fiona_client.get(url, slot).context["form"]
        assert form["practitioner"].value() == ana.pk
        response = fiona_client.post(
            f"{url}?first_date={MONDAY.isoformat()}&first_time=10:00&room={willow.pk}",
            {
                "practitioner": ana.pk,
                "planned_sessions": 4,
                "interval_days": 7,
                "goal": "",
            },
        )
        assert response.status_code == 302
        proposal = fiona_client.get(response.url)
        rows = proposal.context["rows"]
        assert [row.start for row in rows] == [
            at(MONDAY + timedelta(days=7 * week), 10) for week in range(4)
        ]

    def test_an_open_course_with_sessions_to_book_is_offered_too(self, fiona_client, ana, willow):
        complaint = ComplaintFactory()
        course = course_plan(
            complaint=complaint,
            practitioner=ana,
            planned_sessions=3,
            interval_days=7,
            start_date=MONDAY,
            by=ana.user,
        )
        response = fiona_client.get(
            reverse("treatments:patient-courses"), {"patient": complaint.patient.pk}
        )
        assert "3 sessions to book" in response.text
        assert reverse("treatments:course-book", args=[course.pk]) in response.text

    def test_no_patient_no_offer(self, fiona_client):
        response = fiona_client.get(reverse("treatments:patient-courses"), {"patient": "x"})
        assert response.status_code == 200
        assert response.text.strip() == ""
