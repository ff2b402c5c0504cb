"""When reminders go out: leads on the clinic's wall clock (across the October clock change),
quiet hours, and the grace period after booking. The clock is passed in (`now`)."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from clinic.models import ClinicProfile
from tests.factories import at
from treatments.models import Channel
from treatments.reminders.rules import ReminderRules

# In 2027 the United Kingdom's clocks go back on Sunday 31 October, 02:00 BST → 01:00 GMT.
MONDAY_AFTER_CHANGE = date(2027, 11, 1)
LONG_AGO = datetime(2026, 12, 1, 12, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture(autouse=True)
def london(settings):
    settings.TIME_ZONE = "Europe/London"


def local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%a %d %b %H:%M %Z")


def test_email_for_monday_after_the_clock_change_goes_out_at_nine_on_saturday():
    start = at(MONDAY_AFTER_CHANGE, "09:00")
    send = ReminderRules().send_time(channel=Channel.EMAIL, start=start, booked_at=LONG_AGO)
    assert local(send) == "Sat 30 Oct 09:00 BST"
    # The wall clock's 48 hours are 49 elapsed ones (aware datetimes in one zone subtract
    # on the wall clock, hence the timestamps).
    assert start.timestamp() - send.timestamp() == timedelta(hours=49).total_seconds()


def test_sms_for_monday_after_the_clock_change_goes_out_at_nine_on_sunday():
    start = at(MONDAY_AFTER_CHANGE, "09:00")
    send = ReminderRules().send_time(channel=Channel.SMS, start=start, booked_at=LONG_AGO)
    assert local(send) == "Sun 31 Oct 09:00 GMT"


def test_a_send_time_in_quiet_hours_moves_to_their_end_when_that_leaves_time():
    start = at(date(2027, 3, 10), "07:30")  # the 24-hour lead lands at 07:30, still quiet
    send = ReminderRules().send_time(channel=Channel.SMS, start=start, booked_at=LONG_AGO)
    assert local(send) == "Tue 09 Mar 08:00 GMT"


def test_a_short_lead_in_quiet_hours_moves_to_half_an_hour_before_they_begin():
    start = at(date(2027, 3, 10), "08:30")  # two hours before is 06:30; 08:00 is too late
    rules = ReminderRules(sms_hours=2)
    send = rules.send_time(channel=Channel.SMS, start=start, booked_at=LONG_AGO)
    assert local(send) == "Tue 09 Mar 20:30 GMT"


def test_a_late_evening_booking_waits_for_the_end_of_quiet_hours():
    booked = at(date(2027, 3, 9), "22:10")
    start = at(date(2027, 3, 10), "10:00")
    send = ReminderRules().send_time(channel=Channel.SMS, start=start, booked_at=booked)
    assert local(send) == "Wed 10 Mar 08:00 GMT"


def test_an_early_appointment_booked_in_quiet_hours_gets_no_reminder():
    booked = at(date(2027, 3, 9), "23:00")
    start = at(date(2027, 3, 10), "07:45")
    assert ReminderRules().send_time(channel=Channel.SMS, start=start, booked_at=booked) is None


def test_nothing_goes_out_before_the_grace_period_after_booking():
    booked = at(date(2027, 3, 10), "09:00")
    start = at(date(2027, 3, 10), "16:00")  # booked the same day: both leads already past
    send = ReminderRules().send_time(channel=Channel.EMAIL, start=start, booked_at=booked)
    assert send == booked + timedelta(minutes=3)


def test_the_rules_come_from_the_clinic_profile(db):
    ClinicProfile.objects.filter(pk=1).update(
        reminder_email_hours=72, reminder_sms_hours=0, quiet_hours_start=time(22)
    )
    rules = ReminderRules.of_clinic()
    assert (rules.email_hours, rules.channels(), rules.quiet_start) == (72, ["email"], time(22))


def test_quiet_hours_that_do_not_cross_midnight():
    rules = ReminderRules(quiet_start=time(12), quiet_end=time(14))
    assert rules.is_quiet(at(date(2027, 3, 10), "13:00"))
    assert not rules.is_quiet(at(date(2027, 3, 10), "23:00"))
