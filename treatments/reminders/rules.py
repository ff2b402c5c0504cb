"""When a reminder goes out: the clinic's rules (ClinicProfile), on the clinic's wall clock.

Leads are counted on the wall clock, not in elapsed hours: the e-mail for Monday 09:00 goes out
on Saturday at 09:00 even when the clocks went back on the Sunday in between (49 elapsed hours).

Quiet hours: nothing is sent in them. A send time that falls in quiet hours moves to their
end when that still leaves at least half the lead before the appointment (the 24-hour text
due at 07:30 goes at 08:00); otherwise earlier, to half an hour before they begin (a text two
hours before an 08:30 appointment goes the evening before, not at 08:00); when that would be
inside the booking's grace period (a late booking), later, to their end, if that is still
before the appointment; otherwise there is no time to send it and the reminder is skipped.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from clinic.models import ClinicProfile
from treatments.models import Channel

# How long before quiet hours begin a send moved out of them goes.
BEFORE_QUIET = timedelta(minutes=30)


@dataclass(frozen=True)
class ReminderRules:
    email_hours: int = 48
    sms_hours: int = 24
    quiet_start: time = time(21)
    quiet_end: time = time(8)
    grace: timedelta = timedelta(minutes=3)

    @classmethod
    def of_clinic(cls, profile: ClinicProfile | None = None) -> "ReminderRules":
        profile = profile or ClinicProfile.objects.current()
        return cls(
            email_hours=profile.reminder_email_hours,
            sms_hours=profile.reminder_sms_hours,
            quiet_start=profile.quiet_hours_start,
            quiet_end=profile.quiet_hours_end,
            grace=timedelta(minutes=profile.reminder_grace_minutes),
        )

    def lead_hours(self, channel: str) -> int:
        return self.email_hours if channel == Channel.EMAIL else self.sms_hours

    def channels(self) -> list[str]:
        """The channels with reminders switched on (a lead of 0 switches one off)."""
        return [channel for channel in Channel.values if self.lead_hours(channel)]

    def is_quiet(self, moment: datetime) -> bool:
        clock = timezone.localtime(moment).time()
        if self.quiet_start > self.quiet_end:  # across midnight, e.g. 21:00–08:00
            return clock >= self.quiet_start or clock < self.quiet_end
        return self.quiet_start <= clock < self.quiet_end

    def quiet_bounds(self, moment: datetime) -> tuple[datetime, datetime]:
        """The start and end of the quiet hours that `moment` (a quiet one) falls in."""
        local = timezone.localtime(moment)
        day = local.date()
        if self.quiet_start > self.quiet_end and local.time() < self.quiet_end:
            day -= timedelta(days=1)  # after midnight: the quiet hours began yesterday
        begins = wall_clock(day, self.quiet_start)
        end_day = day + timedelta(days=1) if self.quiet_start > self.quiet_end else day
        return begins, wall_clock(end_day, self.quiet_end)

    def outside_quiet(
        self, moment: datetime, *, not_before: datetime, before: datetime, margin=timedelta(0)
    ):
        """`moment` moved out of quiet hours (see the module's docstring), or None when there
        is no moment outside them between `not_before` and `before`. Moving later is first
        when it leaves `margin` before `before`."""
        if not self.is_quiet(moment):
            return moment
        begins, ends = self.quiet_bounds(moment)
        if margin and ends <= before - margin:
            return ends
        if begins - BEFORE_QUIET >= not_before:
            return begins - BEFORE_QUIET
        if begins > not_before:
            return not_before
        return ends if ends < before else None

    def send_time(self, *, channel: str, start: datetime, booked_at: datetime):
        """When the reminder for an appointment at `start` goes out on `channel`, or None
        when no moment outside quiet hours is left before the appointment."""
        local_start = timezone.localtime(start).replace(tzinfo=None)
        ideal = timezone.make_aware(local_start - timedelta(hours=self.lead_hours(channel)))
        earliest = booked_at + self.grace
        lead = timedelta(hours=self.lead_hours(channel))
        return self.outside_quiet(
            max(ideal, earliest), not_before=earliest, before=start, margin=lead / 2
        )

    def next_send_time(self, now: datetime, *, before: datetime):
        """The first moment from `now` a notice (corrected, cancelled) may go out."""
        return self.outside_quiet(now, not_before=now, before=before)


def wall_clock(day, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))
