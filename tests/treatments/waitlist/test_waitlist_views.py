"""The front desk's waitlist screens: who may open them, what they refuse, how they show
mistakes, and what they cost in queries at 10 and at 200 entries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ComplaintFactory,
    PatientFactory,
    at,
    book,
    course_for,
    follow_up,
    on_waitlist,
)
from treatments.models import AccessLog, Appointment, WaitlistEntry, WaitlistUrgency
from treatments.scheduling.forms import slot_query
from treatments.waitlist.views import MATCHES_SHOWN

pytestmark = pytest.mark.django_db


def fill_url(slot) -> str:
    query = slot_query(
        start=slot.start,
        end=slot.end,
        practitioner_id=slot.practitioner.pk,
        room_id=slot.room.pk,
    )
    return f"{reverse('treatments:waitlist-fill')}?{query}"


def slot_fields(slot) -> dict:
    """The fill page's hidden fields for `slot`, as its "Book" button posts them."""
    return {
        "practitioner": slot.practitioner.pk,
        "room": slot.room.pk,
        "start": timezone.localtime(slot.start).strftime("%Y-%m-%dT%H:%M"),
        "end": timezone.localtime(slot.end).strftime("%Y-%m-%dT%H:%M"),
    }


@pytest.fixture
def entry(ann, fiona):
    return on_waitlist(ann, by=fiona, desk_notes="Can come at an hour's notice")


@pytest.fixture
def pages(entry, ann):
    return {
        "list": reverse("treatments:waitlist"),
        "create": reverse("treatments:waitlist-create", args=[ann.pk]),
        "edit": reverse("treatments:waitlist-edit", args=[entry.pk]),
        "remove": reverse("treatments:waitlist-remove", args=[entry.pk]),
        "book": reverse("treatments:waitlist-book", args=[entry.pk]),
        "fill": reverse("treatments:waitlist-fill"),
    }


class TestAccess:
    def test_anonymous_visitors_are_sent_to_log_in(self, client, pages):
        for url in pages.values():
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login")), url

    def test_staff_without_a_role_are_refused(self, nobody_client, pages):
        for url in pages.values():
            assert nobody_client.get(url).status_code == 403, url

    def test_practitioners_read_the_list_but_do_not_keep_it(self, paul_client, pages):
        assert paul_client.get(pages["list"]).status_code == 200
        for name in ("create", "edit", "remove"):
            assert paul_client.get(pages[name]).status_code == 403, name
        assert paul_client.post(pages["book"]).status_code == 403

    def test_each_page_answers_only_its_methods(self, fiona_client, pages):
        assert fiona_client.post(pages["list"]).status_code == 405
        assert fiona_client.post(pages["fill"]).status_code == 405
        assert fiona_client.get(pages["book"]).status_code == 405
        assert fiona_client.put(pages["create"]).status_code == 405

    def test_the_navigation_leads_to_the_waitlist(self, fiona_client):
        response = fiona_client.get(reverse("treatments:today"))
        assert f'href="{reverse("treatments:waitlist")}">Waitlist</a>' in response.text


class TestTheList:
    def test_shows_who_waits_urgent_first_and_logs_the_listing(self, fiona_client, fiona, ben):
        routine = on_waitlist(PatientFactory(family_name="Routine"), by=fiona)
        on_waitlist(ben, by=fiona, urgency=WaitlistUrgency.URGENT)
        response = fiona_client.get(reverse("treatments:waitlist"))
        assert [e.patient.family_name for e in response.context["page"]] == ["Ng", "Routine"]
        assert AccessLog.objects.filter(what="waitlist", patient=routine.patient).exists()

    def test_an_expired_entry_leaves_the_list_and_shows_among_past_ones(self, fiona_client, entry):
        WaitlistEntry.objects.filter(pk=entry.pk).update(
            expires_on=timezone.localdate() - timedelta(days=1)
        )
        current = fiona_client.get(reverse("treatments:waitlist"))
        assert list(current.context["page"]) == []
        past = fiona_client.get(reverse("treatments:waitlist"), {"show": "past"})
        assert list(past.context["page"]) == [entry]
        assert "Expired" in past.text

    def test_an_entry_booked_otherwise_shows_so_among_past_ones(
        self, fiona_client, fiona, entry, ann, dr_paul, room_a
    ):
        book(
            patient=ann,
            practitioner=dr_paul,
            room=room_a,
            by=fiona,
            start=at(timezone.localdate() + timedelta(days=7), "10:00"),
        )
        past = fiona_client.get(reverse("treatments:waitlist"), {"show": "past"})
        assert list(past.context["page"]) == [entry]
        assert "Booked otherwise" in past.text

    def test_filters_by_practitioner_and_urgency(self, fiona_client, fiona, ben, dr_paul):
        on_waitlist(ben, by=fiona, practitioner=dr_paul, urgency=WaitlistUrgency.SOON)
        on_waitlist(PatientFactory(), by=fiona)
        response = fiona_client.get(
            reverse("treatments:waitlist"), {"practitioner": dr_paul.pk, "urgency": "1"}
        )
        assert [e.patient for e in response.context["page"]] == [ben]

    def test_filters_it_cannot_read_are_left_out(self, fiona_client, entry):
        response = fiona_client.get(
            reverse("treatments:waitlist"), {"practitioner": "x", "urgency": "9", "show": "?"}
        )
        assert response.status_code == 200
        assert list(response.context["page"]) == [entry]

    @pytest.mark.parametrize("rows", [10, 200])
    def test_runs_the_same_queries_for_10_or_200_entries(
        self, fiona_client, fiona, django_assert_num_queries, rows
    ):
        for _ in range(rows):
            on_waitlist(PatientFactory(), by=fiona)
        # session, user, user's roles (groups), user's own and group permissions (2),
        # the practitioners for the filter, the count and one page of entries (with their
        # patients, complaints, courses, practitioners and types), the access log's insert
        # with its chain (the head, locked; the rows' links; the head moved on), the clinic's
        # profile (navigation)
        with django_assert_num_queries(13):
            response = fiona_client.get(reverse("treatments:waitlist"))
        assert response.status_code == 200


class TestAddingAndChanging:
    def test_the_patient_page_offers_to_add_them(self, fiona_client, ann):
        response = fiona_client.get(reverse("patients:detail", args=[ann.pk]))
        assert reverse("treatments:waitlist-create", args=[ann.pk]) in response.text

    def test_adds_an_entry_for_the_patients_course(self, fiona_client, fiona, ann, dr_paul):
        course = course_for(dr_paul, complaint=ComplaintFactory(patient=ann))
        response = fiona_client.post(
            reverse("treatments:waitlist-create", args=[ann.pk]),
            {
                "course": course.pk,
                "practitioner": dr_paul.pk,
                "appointment_type": follow_up().pk,
                "duration_minutes": "45",
                "weekdays": ["0", "2"],
                "times_of_day": ["morning"],
                "urgency": "2",
                "expires_on": (timezone.localdate() + timedelta(days=14)).isoformat(),
                "desk_notes": "Mobile best",
            },
        )
        assert response.status_code == 302
        entry = WaitlistEntry.objects.get()
        assert (entry.course, entry.complaint, entry.weekdays, entry.urgency) == (
            course,
            course.complaint,
            [0, 2],
            2,
        )
        assert entry.created_by == fiona

    def test_mistakes_are_shown_next_to_their_fields_and_the_input_kept(self, fiona_client, ann):
        response = fiona_client.post(
            reverse("treatments:waitlist-create", args=[ann.pk]),
            {
                "duration_minutes": "3",
                "urgency": "7",
                "expires_on": "2001-02-30",
                "desk_notes": "Mornings only, ask for the side door",
            },
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert set(errors) >= {"duration_minutes", "urgency", "expires_on", "appointment_type"}
        assert 'value="Mornings only, ask for the side door"' in response.text
        assert WaitlistEntry.objects.count() == 0

    def test_an_expiry_in_the_past_is_refused_next_to_the_field(self, fiona_client, ann):
        response = fiona_client.post(
            reverse("treatments:waitlist-create", args=[ann.pk]),
            {
                "appointment_type": follow_up().pk,
                "duration_minutes": "45",
                "urgency": "0",
                "expires_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
            },
        )
        assert response.context["form"].errors == {"expires_on": ["Choose today or a later day."]}

    def test_another_patients_course_cannot_be_chosen(self, fiona_client, ann, dr_paul):
        someone_elses = course_for(dr_paul)
        response = fiona_client.post(
            reverse("treatments:waitlist-create", args=[ann.pk]),
            {"course": someone_elses.pk, "duration_minutes": "45"},
        )
        assert "course" in response.context["form"].errors

    def test_changes_an_entry(self, fiona_client, entry):
        data = {
            "appointment_type": entry.appointment_type_id,
            "duration_minutes": "30",
            "urgency": "1",
            "expires_on": entry.expires_on.isoformat(),
        }
        response = fiona_client.post(reverse("treatments:waitlist-edit", args=[entry.pk]), data)
        assert response.status_code == 302
        entry.refresh_from_db()
        assert (entry.duration_minutes, entry.urgency, entry.desk_notes) == (30, 1, "")

    def test_an_archived_patient_cannot_be_added(self, fiona_client, ann):
        ann.is_archived, ann.archived_at = True, timezone.now()
        ann.save()
        assert (
            fiona_client.get(reverse("treatments:waitlist-create", args=[ann.pk])).status_code
            == 404
        )


class TestRemoving:
    def test_needs_a_reason(self, fiona_client, entry):
        response = fiona_client.post(
            reverse("treatments:waitlist-remove", args=[entry.pk]), {"reason": " "}
        )
        assert response.status_code == 200
        assert "reason" in response.context["form"].errors

    def test_removes_with_the_reason(self, fiona_client, entry):
        response = fiona_client.post(
            reverse("treatments:waitlist-remove", args=[entry.pk]), {"reason": "Moved away"}
        )
        assert response.status_code == 302
        entry.refresh_from_db()
        assert (entry.status, entry.removed_reason) == ("removed", "Moved away")

    def test_twice_shows_why_not(self, fiona_client, entry):
        url = reverse("treatments:waitlist-remove", args=[entry.pk])
        fiona_client.post(url, {"reason": "Moved away"})
        response = fiona_client.post(url, {"reason": "Again"})
        assert "Cannot remove it: the entry is removed." in response.text


class TestFillingAFreedSlot:
    def test_cancelling_links_to_the_freed_slot(self, fiona_client, fiona, ben, freed):
        appointment = book(
            patient=ben,
            practitioner=freed.practitioner,
            room=freed.room,
            by=fiona,
            start=freed.start,
        )
        response = fiona_client.post(
            reverse("treatments:appointment-cancel", args=[appointment.pk]),
            {"reason": "Unwell"},
            follow=True,
        )
        freed_url = reverse("treatments:waitlist-freed", args=[appointment.pk])
        assert f'<a href="{freed_url}">Fill the freed slot</a>' in response.text
        assert 'id="freed-slot-offer"' in response.text  # on the appointment page too
        fill = fiona_client.get(freed_url)
        assert fill.status_code == 302
        assert fill.url == fill_url(freed)

    def test_moving_links_to_the_time_it_left(self, fiona_client, fiona, ben, freed):
        appointment = book(
            patient=ben,
            practitioner=freed.practitioner,
            room=freed.room,
            by=fiona,
            start=freed.start,
        )
        later = freed.start + timedelta(hours=2)
        response = fiona_client.post(
            reverse("treatments:appointment-move", args=[appointment.pk]),
            {
                "date": later.date().isoformat(),
                "time": timezone.localtime(later).strftime("%H:%M"),
                "duration": "45",
                "practitioner": freed.practitioner.pk,
                "room": freed.room.pk,
            },
            follow=True,
        )
        assert fill_url(freed).replace("&", "&amp;") in response.text

    def test_shows_the_fitting_entries_with_a_book_button(
        self, fiona_client, fiona, freed, entry, ben, dr_priya
    ):
        on_waitlist(ben, by=fiona, practitioner=dr_priya)
        response = fiona_client.get(fill_url(freed))
        assert response.context["entries"] == [entry]
        assert reverse("treatments:waitlist-book", args=[entry.pk]) in response.text
        assert "Ben Ng" not in response.text

    def test_says_so_when_the_slot_was_taken_since(self, fiona_client, fiona, freed, entry, ben):
        book(
            patient=ben,
            practitioner=freed.practitioner,
            room=freed.room,
            by=fiona,
            start=freed.start,
        )
        response = fiona_client.get(fill_url(freed))
        assert response.context["entries"] == []
        assert "The slot has been taken since" in response.text

    def test_a_slot_it_cannot_read_is_a_clear_400(self, fiona_client):
        for query in (
            {},
            {"practitioner": "1", "room": "1", "start": "soon", "end": "later"},
            {"practitioner": "x", "room": "1", "start": "2030-01-01T10:00", "end": "x"},
        ):
            response = fiona_client.get(reverse("treatments:waitlist-fill"), query)
            assert response.status_code == 400
            assert "Open it again from the appointment or the calendar." in response.text

    def test_books_in_one_click_and_goes_to_the_day(self, fiona_client, freed, entry, ann):
        response = fiona_client.post(
            reverse("treatments:waitlist-book", args=[entry.pk]), slot_fields(freed)
        )
        appointment = Appointment.objects.get(patient=ann)
        assert response.status_code == 302
        day = timezone.localtime(freed.start).date().isoformat()
        assert response.url == reverse("treatments:schedule-day", args=[day])
        assert (appointment.start, appointment.practitioner, appointment.room) == (
            freed.start,
            freed.practitioner,
            freed.room,
        )
        entry.refresh_from_db()
        assert entry.appointment == appointment

    def test_a_clash_is_said_clearly_and_nothing_is_booked(
        self, fiona_client, fiona, freed, entry, ann, ben
    ):
        book(
            patient=ben,
            practitioner=freed.practitioner,
            room=freed.room,
            by=fiona,
            start=freed.start,
        )
        response = fiona_client.post(
            reverse("treatments:waitlist-book", args=[entry.pk]), slot_fields(freed), follow=True
        )
        assert "Not booked: Paul Needham is seeing Ben Ng" in response.text
        assert not Appointment.objects.filter(patient=ann).exists()

    def test_booking_a_bad_slot_goes_back_to_the_list(self, fiona_client, entry):
        response = fiona_client.post(
            reverse("treatments:waitlist-book", args=[entry.pk]), {"start": "x"}, follow=True
        )
        assert "That slot cannot be read" in response.text

    @pytest.mark.parametrize("rows", [10, 200])
    def test_runs_the_same_queries_for_10_or_200_entries(
        self, fiona_client, fiona, freed, django_assert_num_queries, dr_paul, rows
    ):
        for k in range(rows):
            patient = PatientFactory()
            course = course_for(dr_paul, complaint=ComplaintFactory(patient=patient))
            on_waitlist(patient, by=fiona, course=course if k % 2 else None)
        # session, user, user's roles (groups), user's own and group permissions (2), the
        # slot's practitioner and room, anything now holding the slot, the candidate entries
        # (with their people), the patients' overlapping appointments, the courses' live
        # sessions and their counts, the access log's insert with its chain (the head,
        # locked; the rows' links; the head moved on), the clinic's profile (navigation)
        with django_assert_num_queries(17):
            response = fiona_client.get(fill_url(freed))
        assert len(response.context["entries"]) == min(rows, MATCHES_SHOWN)
        assert response.context["more"] == rows - min(rows, MATCHES_SHOWN)
