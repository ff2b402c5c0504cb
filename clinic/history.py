"""Who changed a record, what and when, from django-simple-history's versions, in words for
the clinic manager (the only role shown histories).

`versions_of(obj)` reads one record's versions in one query; `history_lines` turns them into
lines ("Changed by Maria Manager on 3 Mar 2026 10:12: Status Active → Resolved"), resolving
foreign keys through the `labels` the caller loads in bulk, so a page's query count does not
grow with the number of versions. `start_history` gives rows that existed before their model
had a history a first version, so the first change after it still says what it changed from.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise

from django.utils import timezone

from clinic.models import User
from clinic.roles import Role

# The reason on the first version of rows that existed before their history was kept.
HISTORY_BEGAN = "State when the history began"
ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass
class HistoryLine:
    """One saved version: what happened, who did it, when, and what changed."""

    when: datetime
    who: object  # the user, or None (a change made outside the app's screens)
    action: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # label, from, to
    summary: str = ""  # a sentence standing for the changes ("Moved from … to …")

    @property
    def who_name(self) -> str:
        if self.who is None:
            return "the system"
        return self.who.get_full_name() or self.who.username


def shown_to(user, model) -> bool:
    """Histories are for the clinic manager: the role, and the permission to view the
    model's historical records (granted with it by the migrations)."""
    meta = model._meta
    return Role.MANAGER in user.roles and user.has_perm(
        f"{meta.app_label}.view_historical{meta.model_name}"
    )


def versions_of(obj) -> list:
    """`obj`'s versions, oldest first, with who made each: one query."""
    return list(obj.history.select_related("history_user").order_by("history_date", "history_id"))


def when(moment: datetime) -> str:
    """ "Tue 3 Mar 2026 10:00" in the clinic's time zone."""
    local = timezone.localtime(moment)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M}"


def shown(model, name: str, value, labels: dict) -> str:
    """A field's value in words: choices by their label, foreign keys through `labels`
    ({field name: {pk: label}}), dates and times in the clinic's zone."""
    if value is None or value == "" or value == []:
        return "—"
    model_field = model._meta.get_field(name)
    if name in labels and isinstance(value, list):
        return ", ".join(str(labels[name].get(v, v)) for v in value)
    if name in labels:
        return str(labels[name].get(value, f"#{value}"))
    if model_field.choices:
        choices = dict(model_field.flatchoices)
        if isinstance(value, list):
            return ", ".join(str(choices.get(v, v)) for v in value)
        return str(choices.get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, date):
        return f"{value.day} {value:%b %Y}"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def user_labels(versions: list, *names: str) -> dict:
    """{name: {user pk: full name}} for the user fields `names` where a version changed them
    (only changes show the value): one query, none when no version changed them."""
    ids = set()
    for previous, version in pairwise(versions):
        for name in names:
            old, new = getattr(previous, f"{name}_id"), getattr(version, f"{name}_id")
            if old != new:
                ids |= {old, new}
    ids.discard(None)
    users = {pk: str(user) for pk, user in User.objects.in_bulk(ids).items()} if ids else {}
    return dict.fromkeys(names, users)


def label_of(model, name: str) -> str:
    label = str(model._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def history_lines(versions: list, model, labels: dict | None = None, *, skip=()) -> list:
    """The versions of one record (oldest first) as lines, newest first. `skip`: fields not
    worth a line of their own (bookkeeping that changes with others)."""
    labels = labels or {}
    lines, previous = [], None
    for version in versions:
        action = ACTIONS.get(version.history_type, version.history_type)
        if version.history_change_reason == HISTORY_BEGAN:
            action = HISTORY_BEGAN
        line = HistoryLine(version.history_date, version.history_user, action)
        if previous is not None:
            line.changes = [
                (
                    label_of(model, change.field),
                    shown(model, change.field, change.old, labels),
                    shown(model, change.field, change.new, labels),
                )
                for change in version.diff_against(previous).changes
                if change.field not in skip
            ]
        lines.append(line)
        previous = version
    lines.reverse()
    return lines


def start_history(apps, app_label: str, model_name: str) -> None:
    """For a data migration: give every existing row of the model a first version (reason
    HISTORY_BEGAN), so that the first change recorded later has something to differ from."""
    model = apps.get_model(app_label, model_name)
    historical = apps.get_model(app_label, f"Historical{model_name}")
    names = {f.attname for f in historical._meta.concrete_fields}
    copied = [f.attname for f in model._meta.concrete_fields if f.attname in names]
    now = timezone.now()
    batch = []
    for row in model.objects.order_by("pk").iterator(chunk_size=1000):
        batch.append(
            historical(
                **{name: getattr(row, name) for name in copied},
                history_date=now,
                history_type="~",
                history_change_reason=HISTORY_BEGAN,
            )
        )
        if len(batch) == 1000:
            historical.objects.bulk_create(batch)
            batch = []
    historical.objects.bulk_create(batch)
