"""Who is on the recall list, and who is not: each kind with its cases in and out, the
clinic's setting for resolved complaints, and dismissals that hold until something changes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.models import ClinicProfile
from patients.models import ComplaintStatus
from patients.services import complaint_update, patient_archive
from tests.factories import ComplaintFactory, at, book, future_monday, session
from tests.treatments.recalls.givens import (
    ended_course,
    resolved,
    resolved_complaint,
    set_back,
    unbooked_course,
)
from treatments.courses.services import course_discontinue, course_update_plan
from treatments.homecare.services import sheet_issue
from treatments.models import (
    AppointmentStatus,
    HomeCareItem,
    RecallDismissal,
    RecallKind,
    SheetKind,
)
from treatments.recalls import services
from treatments.recalls.worklist import months_before, recall_item, recall_list

pytestmark = pytest.mark.django_db


def on_list(kind, *, months=6, practitioner=None) -> list:
    """The patients' family names on the list under `kind`."""
    lists = recall_list(now=timezone.now(), months=months, practitioner=practitioner)
    return [item.patient.family_name for item in lists[kind]]


def item_for(kind, pk, months=6):
    return recall_item(kind=kind, pk=pk, now=timezone.now(), months=months)


# --- courses with sessions left and none booked ----------------------------------------------


class TestCoursesWithSessionsLeftAndNoneBooked:
    def test_a_course_with_two_of_four_held_and_nothing_booked_is_on_the_list(self, dr_paul):
        unbooked_course(dr_paul, planned=4, done=2, patient__family_name="Lee")

        assert on_list(RecallKind.UNBOOKED) == ["Lee"]

    def test_a_course_planned_but_never_booked_is_on_the_list(self, dr_paul):
        unbooked_course(dr_paul, planned=3, done=0, patient__family_name="Ng")

        [item] = recall_list(now=timezone.now(), months=6)[RecallKind.UNBOOKED]
        assert item.patient.family_name == "Ng" and item.since is None

    def test_a_course_with_its_next_session_booked_is_not(self, dr_paul, fiona, room_a):
        course = unbooked_course(dr_paul, planned=4, done=2, patient__family_name="Lee")
        book(
            patient=course.complaint.patient,
            practitioner=dr_paul,
            room=room_a,
            by=fiona,
            start=at(future_monday(), "10:00"),
            course=course,
        )

        assert on_list(RecallKind.UNBOOKED) == []

    def test_a_course_whose_sessions_are_all_booked_or_held_is_not(self, dr_paul):
        course = unbooked_course(dr_paul, planned=2, done=1, patient__family_name="Lee")
        session(course, days_ago=1, status=AppointmentStatus.BOOKED)  # held, not marked yet

        assert on_list(RecallKind.UNBOOKED) == []

    def test_a_discontinued_course_is_not(self, dr_paul, paul):
        course = unbooked_course(dr_paul, patient__family_name="Lee")
        course_discontinue(course=course, reason="Moved away", by=paul)

        assert on_list(RecallKind.UNBOOKED) == []

    def test_an_archived_patients_course_is_not(self, dr_paul, fiona):
        course = unbooked_course(dr_paul, patient__family_name="Lee")
        patient_archive(patient=course.complaint.patient, by=fiona)

        assert on_list(RecallKind.UNBOOKED) == []

    def test_a_cancelled_session_leaves_its_place_to_book(self, dr_paul):
        course = unbooked_course(dr_paul, planned=2, done=1, patient__family_name="Lee")
        session(course, days_ago=-7, status=AppointmentStatus.CANCELLED)

        assert on_list(RecallKind.UNBOOKED) == ["Lee"]

    def test_a_practitioner_sees_only_their_own_patients_courses(self, dr_paul, dr_priya):
        unbooked_course(dr_paul, patient__family_name="Lee")
        unbooked_course(dr_priya, patient__family_name="Ng")

        assert on_list(RecallKind.UNBOOKED, practitioner=dr_priya) == ["Ng"]


# --- courses ended without the prevention sheet ----------------------------------------------


def issue(course, kind, by, *, for_complaint_only=False):
    item = HomeCareItem.objects.first()
    return sheet_issue(
        patient=course.complaint.patient,
        kind=kind,
        entries=[(item, "")],
        by=by,
        complaint=course.complaint,
        course=None if for_complaint_only else course,
    )


class TestCoursesEndedWithoutThePreventionSheet:
    def test_a_course_completed_ten_days_ago_without_a_sheet_is_on_the_list(self, dr_paul):
        ended_course(dr_paul, days_ago=10, patient__family_name="Lee")

        assert on_list(RecallKind.NO_PREVENTION_SHEET) == ["Lee"]

    def test_a_relief_sheet_is_not_the_prevention_sheet(self, dr_paul, paul):
        course = ended_course(dr_paul, patient__family_name="Lee")
        issue(course, SheetKind.RELIEF, paul)

        assert on_list(RecallKind.NO_PREVENTION_SHEET) == ["Lee"]

    def test_a_course_with_its_prevention_sheet_issued_is_not(self, dr_paul, paul):
        course = ended_course(dr_paul, patient__family_name="Lee")
        issue(course, SheetKind.PREVENTION, paul)

        assert on_list(RecallKind.NO_PREVENTION_SHEET) == []

    def test_a_prevention_sheet_for_the_complaint_counts_for_its_course(self, dr_paul, paul):
        course = ended_course(dr_paul, patient__family_name="Lee")
        issue(course, SheetKind.PREVENTION, paul, for_complaint_only=True)

        assert on_list(RecallKind.NO_PREVENTION_SHEET) == []

    def test_a_course_that_ended_months_ago_is_past_its_home_care_talk(self, dr_paul):
        ended_course(dr_paul, days_ago=120, patient__family_name="Lee")

        assert on_list(RecallKind.NO_PREVENTION_SHEET) == []

    def test_a_discontinued_course_did_not_end_with_a_talk(self, dr_paul, paul):
        course = unbooked_course(dr_paul, patient__family_name="Lee")
        course_discontinue(course=course, reason="Moved away", by=paul)

        assert on_list(RecallKind.NO_PREVENTION_SHEET) == []


# --- complaints resolved months ago ------------------------------------------------------------


class TestComplaintsResolvedMonthsAgo:
    def test_a_complaint_resolved_seven_months_ago_is_on_the_list(self, paul):
        resolved_complaint(months_ago=7, by=paul, patient__family_name="Lee")

        assert on_list(RecallKind.RESOLVED) == ["Lee"]

    def test_one_resolved_two_months_ago_is_not_yet(self, paul):
        resolved_complaint(months_ago=2, by=paul, patient__family_name="Lee")

        assert on_list(RecallKind.RESOLVED) == []

    def test_the_clinics_setting_says_how_many_months(self, paul):
        resolved_complaint(months_ago=2, by=paul, patient__family_name="Lee")

        assert on_list(RecallKind.RESOLVED, months=2) == ["Lee"]
        assert ClinicProfile.objects.current().recall_after_months == 6  # the default

    def test_a_patient_with_a_complaint_recorded_since_is_not(self, paul):
        complaint = resolved_complaint(months_ago=7, by=paul, patient__family_name="Lee")
        ComplaintFactory(patient=complaint.patient, title="Left knee pain")

        assert on_list(RecallKind.RESOLVED) == []

    def test_a_patient_with_a_visit_booked_since_is_not(self, paul, dr_paul, fiona, room_a):
        complaint = resolved_complaint(months_ago=7, by=paul, patient__family_name="Lee")
        book(
            patient=complaint.patient,
            practitioner=dr_paul,
            room=room_a,
            by=fiona,
            start=at(future_monday(), "10:00"),
        )

        assert on_list(RecallKind.RESOLVED) == []

    def test_a_complaint_still_active_is_not(self, paul):
        ComplaintFactory(patient__family_name="Lee", status=ComplaintStatus.ACTIVE)

        assert on_list(RecallKind.RESOLVED) == []

    def test_a_complaint_reopened_and_resolved_again_lately_counts_from_the_last_time(self, paul):
        complaint = resolved_complaint(months_ago=9, by=paul, patient__family_name="Lee")
        complaint = complaint_update(complaint=complaint, by=paul, status=ComplaintStatus.ACTIVE)
        complaint_update(complaint=complaint, by=paul, status=ComplaintStatus.RESOLVED)

        assert on_list(RecallKind.RESOLVED) == []

    def test_a_practitioner_sees_the_complaints_they_treated(self, paul, dr_paul, dr_priya):
        mine = ended_course(dr_paul, days_ago=250, patient__family_name="Lee").complaint
        resolved(mine, months_ago=7, by=paul)
        resolved_complaint(months_ago=7, by=paul, patient__family_name="Ng")  # no course

        assert on_list(RecallKind.RESOLVED, practitioner=dr_paul) == ["Lee"]
        assert on_list(RecallKind.RESOLVED, practitioner=dr_priya) == []
        [item] = [i for i in recall_list(now=timezone.now(), months=6)[RecallKind.RESOLVED]
                  if i.patient.family_name == "Lee"]  # fmt: skip
        assert item.practitioner == dr_paul


def test_months_before_keeps_to_the_last_day_of_a_shorter_month():
    moment = timezone.now().replace(year=2026, month=8, day=31)
    assert months_before(moment, 6).date().isoformat() == "2026-02-28"
    assert months_before(moment, 8).date().isoformat() == "2025-12-31"


# --- dismissals ------------------------------------------------------------------------------


class TestDismissals:
    def test_a_dismissed_course_leaves_the_list_with_its_reason_kept(self, dr_paul, fiona):
        course = unbooked_course(dr_paul, patient__family_name="Lee")

        services.recall_dismiss(
            item=item_for(RecallKind.UNBOOKED, course.pk), reason="Away until spring", by=fiona
        )

        assert on_list(RecallKind.UNBOOKED) == []
        dismissal = RecallDismissal.objects.get()
        assert (dismissal.reason, dismissal.dismissed_by, dismissal.course) == (
            "Away until spring",
            fiona,
            course,
        )

    def test_it_comes_back_when_a_session_is_held_after_the_dismissal(self, dr_paul, fiona):
        course = unbooked_course(dr_paul, planned=4, done=1, patient__family_name="Lee")
        services.recall_dismiss(
            item=item_for(RecallKind.UNBOOKED, course.pk), reason="Will ring", by=fiona
        )
        RecallDismissal.objects.update(dismissed_at=timezone.now() - timedelta(days=3))

        session(course, days_ago=1)  # booked since, and held yesterday

        assert on_list(RecallKind.UNBOOKED) == ["Lee"]

    def test_it_comes_back_when_the_course_plan_changes(self, dr_paul, fiona, paul):
        course = unbooked_course(dr_paul, planned=4, done=1, patient__family_name="Lee")
        services.recall_dismiss(
            item=item_for(RecallKind.UNBOOKED, course.pk), reason="Will ring", by=fiona
        )

        course_update_plan(course=course, planned_sessions=5, interval_days=7, goal="", by=paul)

        assert on_list(RecallKind.UNBOOKED) == ["Lee"]

    def test_a_dismissal_is_for_one_kind_of_recall(self, dr_paul, fiona):
        course = unbooked_course(dr_paul, patient__family_name="Lee")
        services.recall_dismiss(
            item=item_for(RecallKind.UNBOOKED, course.pk), reason="Will ring", by=fiona
        )
        ended_course(dr_paul, patient=course.complaint.patient)

        assert on_list(RecallKind.NO_PREVENTION_SHEET) == ["Lee"]

    def test_a_dismissed_resolved_complaint_stays_off_until_it_is_resolved_again(self, paul, fiona):
        complaint = resolved_complaint(months_ago=9, by=paul, patient__family_name="Lee")
        services.recall_dismiss(
            item=item_for(RecallKind.RESOLVED, complaint.pk), reason="Asked not to", by=fiona
        )
        assert on_list(RecallKind.RESOLVED) == []

        RecallDismissal.objects.update(dismissed_at=months_before(timezone.now(), 9))
        complaint = complaint_update(complaint=complaint, by=paul, status=ComplaintStatus.ACTIVE)
        set_back(complaint, months_before(timezone.now(), 8))  # reopened after the dismissal
        complaint = complaint_update(complaint=complaint, by=paul, status=ComplaintStatus.RESOLVED)
        set_back(complaint, months_before(timezone.now(), 7))  # and resolved again

        assert on_list(RecallKind.RESOLVED) == ["Lee"]

    def test_an_item_not_on_the_list_is_not_found(self, dr_paul):
        course = ended_course(dr_paul)

        assert item_for(RecallKind.UNBOOKED, course.pk) is None
        assert item_for("nonsense", course.pk) is None
