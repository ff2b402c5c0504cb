"""The delivery log's only writer: derive the messages the appointments call for, ask for an
issued home-care sheet to be e-mailed, and send one message, recording exactly what the mail
server or SMS provider answered.

The reminder pass (`plan_messages`) reads the appointments' current state every time it runs
and brings the log in line with it, so running it twice changes nothing and no signal or
hook in the booking code is needed: a moved appointment is one whose start differs from the
`appointment_start` of the messages about it.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clinic.models import ClinicProfile, User
from clinic.time_limit import ChildFailed, TimeLimitExceeded
from patients.models import Patient
from treatments.homecare.pdf import sheet_filename, sheet_pdf
from treatments.models import (
    WENT_OUT,
    Appointment,
    AppointmentStatus,
    Channel,
    HomeCareSheet,
    Message,
    MessageKind,
    MessageState,
)
from treatments.reminders import content
from treatments.reminders.channels import DeliveryError, PermanentFailure, send_email
from treatments.reminders.delivery_reports import DeliveryReport, ReportOutcome
from treatments.reminders.rules import ReminderRules
from treatments.reminders.sms import sms_backend

# Ids and states only: patient data never goes to the logs.
log = logging.getLogger(__name__)

# After the n-th failed attempt, the next one waits BACKOFF[n - 1]; after the last, failed.
BACKOFF = [timedelta(minutes=m) for m in (1, 5, 15, 60, 240)]
MAX_ATTEMPTS = len(BACKOFF) + 1
# How long a claimed message stays with the worker that claimed it: if that worker dies
# mid-send, the message is due again after this (at least once, never silently lost).
LEASE = timedelta(minutes=10)

MOVED = "Appointment moved before this was sent"
CANCELLED = "Appointment cancelled"
NOT_AHEAD = "Appointment no longer ahead"
NO_QUIET_TIME = "No time outside quiet hours before the appointment"
REMINDING = (MessageKind.REMINDER, MessageKind.CORRECTED)
# A second request for the same sheet within this is the same click (a double-click, a
# resubmitted form): it sends nothing more.
SAME_REQUEST = timedelta(seconds=10)


def why_not_contact(patient: Patient, channel: str) -> str:
    """Why `patient` gets nothing on `channel` ("" when they may be contacted there)."""
    return patient.contact_refusal(by_email=channel == Channel.EMAIL)


# Reasons that end when the patient's details change: such a skipped reminder is re-checked.
def _is_contact_reason(reason: str) -> bool:
    return reason.startswith(("Patient ", "No consent", "No e-mail", "No phone"))


@dataclass
class PassFigures:
    scheduled: int = 0
    skipped: int = 0
    rescheduled: int = 0
    kinds: dict = field(default_factory=dict)


def _write(message: Message, now: datetime) -> Message:
    message.updated_at = now
    message.full_clean()
    message.save()
    return message


def _skip(message: Message, reason: str, now: datetime, figures: PassFigures) -> None:
    message.state, message.reason, message.next_attempt_at = MessageState.SKIPPED, reason, None
    _write(message, now)
    figures.skipped += 1


def _new(appointment, channel, kind, send_at, now, figures: PassFigures):
    message = Message(
        patient=appointment.patient,
        appointment=appointment,
        channel=channel,
        kind=kind,
        appointment_start=appointment.start,
        send_at=send_at or now,
        created_at=now,
    )
    reason = why_not_contact(appointment.patient, channel) or ("" if send_at else NO_QUIET_TIME)
    if reason:
        message.state, message.reason = MessageState.SKIPPED, reason
        figures.skipped += 1
    else:
        figures.scheduled += 1
    figures.kinds[kind] = figures.kinds.get(kind, 0) + 1
    return _write(message, now)


def candidates(now: datetime, rules: ReminderRules):
    """The appointments the pass looks at: booked ones within the longest lead (and a day),
    and any with a message still scheduled or with a reminder out and now cancelled."""
    longest = max([rules.email_hours, rules.sms_hours, 0]) + 24
    return (
        Appointment.objects.filter(
            Q(
                status=AppointmentStatus.BOOKED,
                start__gt=now,
                start__lte=now + timedelta(hours=longest),
            )
            | Q(messages__state=MessageState.SCHEDULED)
            | Q(
                status=AppointmentStatus.CANCELLED,
                start__gt=now,
                messages__state__in=WENT_OUT,
                messages__kind__in=REMINDING,
            )
        )
        .distinct()
        .select_related("patient")
        .prefetch_related("messages")
        .order_by("start", "pk")
    )


@transaction.atomic
def plan_messages(*, now: datetime | None = None, rules: ReminderRules | None = None):
    """Bring the delivery log in line with the appointments (see the module's docstring)."""
    now = now or timezone.now()
    rules = rules or ReminderRules.of_clinic()
    figures = PassFigures()
    for appointment in candidates(now, rules):
        for channel in Channel.values:
            _plan_channel(appointment, channel, rules, now, figures)
    return figures


def _plan_channel(appointment, channel, rules: ReminderRules, now, figures) -> None:
    mine = [m for m in appointment.messages.all() if m.channel == channel]
    scheduled = [m for m in mine if m.state == MessageState.SCHEDULED]
    went_out = sorted(
        (m for m in mine if m.went_out and m.kind in REMINDING), key=lambda m: m.sent_at
    )
    if appointment.status == AppointmentStatus.CANCELLED:
        for message in scheduled:
            if message.kind != MessageKind.CANCELLATION:
                _skip(message, CANCELLED, now, figures)
        told = any(m.kind == MessageKind.CANCELLATION for m in mine)
        if went_out and not told and appointment.start > now:
            send_at = rules.next_send_time(now, before=appointment.start)
            _new(appointment, channel, MessageKind.CANCELLATION, send_at, now, figures)
        return
    if appointment.status != AppointmentStatus.BOOKED or appointment.start <= now:
        for message in scheduled:
            _skip(message, NOT_AHEAD, now, figures)
        return
    for message in scheduled:
        if message.appointment_start != appointment.start and message.kind in REMINDING:
            _skip(message, MOVED, now, figures)
    if channel not in rules.channels():
        return
    at_this_time = {m.kind: m for m in mine if m.appointment_start == appointment.start}
    moved_since = went_out and went_out[-1].appointment_start != appointment.start
    if moved_since and MessageKind.CORRECTED not in at_this_time:
        send_at = rules.next_send_time(now, before=appointment.start)
        _new(appointment, channel, MessageKind.CORRECTED, send_at, now, figures)
    reminder = at_this_time.get(MessageKind.REMINDER)
    if reminder is None:
        send_at = rules.send_time(
            channel=channel, start=appointment.start, booked_at=appointment.booked_at
        )
        _new(appointment, channel, MessageKind.REMINDER, send_at, now, figures)
        return
    _recheck_contact(reminder, appointment, channel, now, figures)


def _recheck_contact(message: Message, appointment, channel, now, figures) -> None:
    """Consent given or withdrawn, an address added or removed since the pass last looked."""
    reason = why_not_contact(appointment.patient, channel)
    if message.state == MessageState.SCHEDULED and reason:
        _skip(message, reason, now, figures)
    elif message.state == MessageState.SKIPPED and message.reason == MOVED:
        # Moved away and back again: the reminder for this time is wanted after all.
        message.state, message.reason = MessageState.SCHEDULED, ""
        _write(message, now)
        figures.rescheduled += 1
    elif message.state == MessageState.SKIPPED and _is_contact_reason(message.reason):
        if not reason:
            message.state, message.reason = MessageState.SCHEDULED, ""
            _write(message, now)
            figures.rescheduled += 1
        elif reason != message.reason:
            message.reason = reason
            _write(message, now)


# --- a home-care sheet by e-mail ---------------------------------------------------------------


@dataclass
class SheetRequest:
    message: Message
    new: bool  # False: the same request again within SAME_REQUEST, nothing more was asked


@transaction.atomic
def sheet_email(*, sheet: HomeCareSheet, by: User, now: datetime | None = None) -> SheetRequest:
    """Ask for the issued `sheet` (its snapshot's PDF) to be e-mailed to its patient: a
    message scheduled now and held for the task the caller enqueues (so the reminder pass
    hands it out only if that task never ran), or skipped with the reason the patient may not
    be written to. Sending again later is allowed (a patient lost it)."""
    now = now or timezone.now()
    # The sheet's row, locked: two requests at once are taken one after the other, so the
    # second sees the first's message.
    sheet = (
        HomeCareSheet.objects.select_for_update(of=("self",))
        .select_related("patient")
        .get(pk=sheet.pk)
    )
    recent = (
        Message.objects.filter(sheet=sheet, created_at__gt=now - SAME_REQUEST)
        .order_by("-created_at", "-pk")
        .first()
    )
    if recent is not None:
        return SheetRequest(message=recent, new=False)
    message = Message(
        patient=sheet.patient,
        sheet=sheet,
        requested_by=by,
        channel=Channel.EMAIL,
        kind=MessageKind.HOME_CARE_SHEET,
        send_at=now,
        next_attempt_at=now + LEASE,
        created_at=now,
    )
    reason = why_not_contact(sheet.patient, Channel.EMAIL)
    if reason:
        message.state, message.reason, message.next_attempt_at = MessageState.SKIPPED, reason, None
    log.info("home-care sheet %s asked to be e-mailed (message %s)", sheet.pk, message.state)
    return SheetRequest(message=_write(message, now), new=True)


@transaction.atomic
def claim_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """The due messages, each held for LEASE so that no other pass hands it out again."""
    now = now or timezone.now()
    ids = list(Message.objects.due(now).order_by("send_at", "pk").values_list("pk", flat=True))
    ids = ids[:limit]
    Message.objects.filter(pk__in=ids).update(next_attempt_at=now + LEASE, updated_at=now)
    return ids


# --- sending one message --------------------------------------------------------------------


def deliver(*, message_id: int, now: datetime | None = None) -> Message:
    """Send one scheduled message and record the answer. Checks again, just before sending,
    that the message is still wanted (the appointment may have moved since it was planned)."""
    now = now or timezone.now()
    message, outgoing = _prepare(message_id, now)
    if outgoing is None:
        return message
    try:
        if message.channel == Channel.EMAIL:
            provider_id = send_email(
                to=outgoing["to"],
                subject=message.subject,
                text=message.text,
                attachments=_attachments(outgoing),
            )
        else:
            provider_id = sms_backend().send(to=outgoing["to"], text=message.text)
    except DeliveryError as error:
        return _record_failure(message, error, now)
    return _record_sent(message, provider_id, now)


def _attachments(outgoing: dict) -> list[tuple[str, str | bytes, str]]:
    sheet = outgoing.get("sheet")
    if sheet is None:
        return [("appointment.ics", outgoing["ics"], "text/calendar; charset=utf-8")]
    # The very renderer of the sheet's PDF view, from its snapshot, under the same limit.
    try:
        pdf = sheet_pdf(sheet)
    except TimeLimitExceeded:
        seconds = settings.PDF_TIME_LIMIT_SECONDS
        raise PermanentFailure(
            f"The sheet's PDF took longer than {seconds} s and was stopped"
        ) from None
    except ChildFailed:
        raise PermanentFailure("The sheet's PDF could not be drawn") from None
    return [(sheet_filename(sheet), pdf, "application/pdf")]


@transaction.atomic
def _prepare(message_id: int, now: datetime):
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.state != MessageState.SCHEDULED:
        return message, None
    if message.kind == MessageKind.HOME_CARE_SHEET:
        return _prepare_sheet(message, now)
    appointment = (
        Appointment.objects.with_people()
        .with_session_number()
        .select_related("course__complaint")
        .get(pk=message.appointment_id)
    )
    rules = ReminderRules.of_clinic()
    figures = PassFigures()
    if message.kind in REMINDING:
        if appointment.status == AppointmentStatus.CANCELLED:
            return _skip(message, CANCELLED, now, figures) or message, None
        if appointment.start != message.appointment_start:
            return _skip(message, MOVED, now, figures) or message, None
        if appointment.status != AppointmentStatus.BOOKED or appointment.start <= now:
            return _skip(message, NOT_AHEAD, now, figures) or message, None
    reason = why_not_contact(appointment.patient, message.channel)
    if reason:
        return _skip(message, reason, now, figures) or message, None
    if rules.is_quiet(now):
        later = rules.outside_quiet(now, not_before=now, before=appointment.start)
        if later is None or later <= now:
            return _skip(message, NO_QUIET_TIME, now, figures) or message, None
        message.send_at, message.next_attempt_at = later, None
        return _write(message, now), None
    clinic = ClinicProfile.objects.current()
    old_start = None
    if message.kind == MessageKind.CORRECTED:
        old_start = (
            Message.objects.filter(
                appointment=appointment, channel=message.channel, state__in=WENT_OUT
            )
            .exclude(appointment_start=appointment.start)
            .order_by("-sent_at")
            .values_list("appointment_start", flat=True)
            .first()
        )
    words = content.wording(
        kind=message.kind,
        channel=message.channel,
        appointment=appointment,
        session_number=appointment.session_number,
        clinic=clinic,
        old_start=old_start or message.appointment_start,
    )
    message.subject, message.text = words.subject[:200], words.text
    message.attempts += 1
    message.next_attempt_at = now + LEASE
    _write(message, now)
    patient = appointment.patient
    if message.channel == Channel.EMAIL:
        sequence = Message.objects.filter(appointment=appointment, state__in=WENT_OUT).count()
        ics = content.calendar_file(
            appointment=appointment,
            clinic=clinic,
            cancelled=message.kind == MessageKind.CANCELLATION,
            sequence=sequence,
            now=now,
        )
        return message, {"to": patient.email, "ics": ics}
    return message, {"to": str(patient.phone)}


def _prepare_sheet(message: Message, now: datetime):
    sheet = HomeCareSheet.objects.select_related("patient").get(pk=message.sheet_id)
    # The patient may have withdrawn consent, lost the address or been archived since.
    reason = why_not_contact(sheet.patient, Channel.EMAIL)
    if reason:
        return _skip(message, reason, now, PassFigures()) or message, None
    words = content.sheet_wording(sheet=sheet, clinic=ClinicProfile.objects.current())
    message.subject, message.text = words.subject[:200], words.text
    message.attempts += 1
    message.next_attempt_at = now + LEASE
    _write(message, now)
    return message, {"to": sheet.patient.email, "sheet": sheet}


@transaction.atomic
def _record_sent(message: Message, provider_id: str, now: datetime) -> Message:
    message.state, message.sent_at, message.reason = MessageState.SENT, now, ""
    message.provider_id, message.next_attempt_at = provider_id, None
    log.info("message %s sent (%s, attempt %s)", message.pk, message.channel, message.attempts)
    return _write(message, now)


@transaction.atomic
def _record_failure(message: Message, error: DeliveryError, now: datetime) -> Message:
    start = message.appointment_start  # a sheet's message has no appointment to be late for
    retry_at = now + BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
    in_time = start is None or retry_at < start
    if error.temporary and message.attempts < MAX_ATTEMPTS and in_time:
        message.reason, message.next_attempt_at = error.reason, retry_at
    else:
        message.state, message.next_attempt_at = MessageState.FAILED, None
        message.reason = error.reason
        if error.temporary:
            message.reason = f"{error.reason}; gave up after {message.attempts} attempts"[:200]
    log.warning(
        "message %s not accepted (%s, attempt %s, %s)",
        message.pk,
        message.channel,
        message.attempts,
        "will retry" if message.state == MessageState.SCHEDULED else "failed",
    )
    return _write(message, now)


# --- what the SMS provider reports afterwards -----------------------------------------------

PROVIDER_FAILED = "SMS provider reported it failed"
PROVIDER_UNDELIVERABLE = "SMS provider reported it undeliverable"


@transaction.atomic
def record_delivery_report(
    *, report: DeliveryReport, now: datetime | None = None
) -> tuple[ReportOutcome, Message | None]:
    """Record the provider's word on a text it accepted: sent becomes delivered, or failed
    with the provider's reason. A repeated report changes nothing, and the log never goes
    backwards: delivered stays delivered whatever arrives later, while a delivery reported
    after a failure wins (the provider got it through after all), so the end state does not
    depend on the order reports arrive in. A report about a message that has not gone out
    is refused."""
    now = now or timezone.now()
    found = list(
        Message.objects.select_for_update()
        .filter(channel=Channel.SMS, provider_id=report.provider_id)
        .order_by("pk")[:2]
    )
    if len(found) != 1:
        outcome = ReportOutcome.AMBIGUOUS if found else ReportOutcome.UNKNOWN
        log.warning("delivery report not recorded: %s message", outcome)
        return outcome, None
    message = found[0]
    if message.sent_at is None:  # scheduled, skipped, or refused before it was accepted
        log.warning("delivery report for message %s, still %s: ignored", message.pk, message.state)
        return ReportOutcome.NOT_SENT, message
    if message.is_delivered or (message.is_failed and not report.delivered):
        repeated = report.delivered == message.is_delivered
        outcome = ReportOutcome.REPEATED if repeated else ReportOutcome.SUPERSEDED
        log.info("delivery report for message %s: %s, stays %s", message.pk, outcome, message.state)
        return outcome, message
    # Not before it was sent, nor in the future: the provider's clock is not ours.
    message.reported_at = min(max(report.at or now, message.sent_at), now)
    message.next_attempt_at = None
    if report.delivered:
        message.state, message.reason = MessageState.DELIVERED, ""
    else:
        said = PROVIDER_UNDELIVERABLE if report.status == "undeliverable" else PROVIDER_FAILED
        message.state = MessageState.FAILED
        message.reason = f"{said}: {report.reason}"[:200] if report.reason else said
    log.info("message %s %s (the provider's report)", message.pk, message.state)
    return ReportOutcome.RECORDED, _write(message, now)
