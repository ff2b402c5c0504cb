"""The only code that writes recall contacts and dismissals (views and the demo call these)."""

from django.db import transaction

from clinic.models import User
from treatments.models import RecallContact, RecallDismissal
from treatments.recalls.worklist import RecallItem


@transaction.atomic
def recall_contact_record(
    *, item: RecallItem, channel: str, outcome: str, by: User
) -> RecallContact:
    """Record that `by` got in touch (or tried) about `item`; it stays on the list, with the
    contact shown, until it is booked or dismissed."""
    contact = RecallContact(
        kind=item.kind,
        complaint=item.complaint,
        course=item.course,
        channel=channel,
        outcome=" ".join(outcome.split()),
        contacted_by=by,
    )
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def recall_dismiss(*, item: RecallItem, reason: str, by: User) -> RecallDismissal:
    """Take `item` off the list until something about it changes (see the worklist)."""
    dismissal = RecallDismissal(
        kind=item.kind,
        complaint=item.complaint,
        course=item.course,
        reason=" ".join(reason.split()),
        dismissed_by=by,
    )
    dismissal.full_clean()
    dismissal.save()
    return dismissal
