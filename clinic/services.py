"""The only code that writes staff accounts, practitioner profiles, rooms, opening hours,
working hours, time off and the clinic's own profile."""

from datetime import datetime, time

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from clinic.models import (
    ClinicProfile,
    OpeningHours,
    Practitioner,
    Room,
    TimeOff,
    User,
    Weekday,
    WorkingHours,
)
from clinic.roles import Role

PRACTITIONER_PROFILE_FIELDS = ("display_name", "credentials", "colour")


def _set_roles(user: User, roles: list[str]) -> None:
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError({"roles": f"Unknown roles: {', '.join(sorted(unknown))}."})
    user.groups.set(Group.objects.filter(name__in=roles))
    user.__dict__.pop("roles", None)  # the cached_property


def _set_practitioner_profile(user: User, details: dict | None) -> None:
    profile = Practitioner.objects.filter(user=user).first()
    if details is None:
        if profile and profile.is_active:
            profile.is_active = False
            profile.save(update_fields=["is_active"])
        return
    profile = profile or Practitioner(user=user)
    for name in PRACTITIONER_PROFILE_FIELDS:
        setattr(profile, name, details[name])
    profile.is_active = True
    profile.full_clean()
    profile.save()


@transaction.atomic
def staff_create(
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    roles: list[str],
    practitioner: dict | None = None,
    by: User | None,
) -> User:
    """Create a staff account; `practitioner` holds the profile fields when they treat."""
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    user.set_password(password)
    user.full_clean()
    user.save()
    _set_roles(user, roles)
    _set_practitioner_profile(user, practitioner if Role.PRACTITIONER in roles else None)
    return user


@transaction.atomic
def staff_update(
    *,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    roles: list[str],
    practitioner: dict | None = None,
    by: User,
) -> User:
    if user == by and Role.MANAGER in by.roles and Role.MANAGER not in roles:
        raise ValidationError({"roles": "You cannot remove your own clinic manager role."})
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.full_clean()
    user.save()
    _set_roles(user, roles)
    _set_practitioner_profile(user, practitioner if Role.PRACTITIONER in roles else None)
    return user


@transaction.atomic
def staff_set_active(*, user: User, active: bool, by: User) -> User:
    if user == by and not active:
        raise ValidationError("You cannot deactivate your own account.")
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def room_save(*, room: Room | None = None, name: str, by: User) -> Room:
    room = room or Room()
    room.name = " ".join(name.split())
    room.full_clean()
    room.save()
    return room


@transaction.atomic
def room_set_active(*, room: Room, active: bool, by: User) -> Room:
    room.is_active = active
    room.save(update_fields=["is_active"])
    return room


# --- opening hours, working hours, time off ------------------------------------------------


@transaction.atomic
def opening_hours_set(*, weekday: int, opens: time, closes: time, by: User) -> OpeningHours:
    """Open the clinic on `weekday` from `opens` to `closes` (replacing that day's hours)."""
    row = OpeningHours.objects.filter(weekday=weekday).first() or OpeningHours(weekday=weekday)
    row.opens, row.closes = opens, closes
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def opening_hours_close_day(*, weekday: int, by: User) -> None:
    """Close the clinic on `weekday`: a weekday without opening hours is a closed day."""
    if weekday not in Weekday.values:
        raise ValidationError({"weekday": f"Unknown weekday {weekday}."})
    OpeningHours.objects.filter(weekday=weekday).delete()


@transaction.atomic
def opening_hours_set_week(
    *, week: dict[int, tuple[time, time] | None], by: User
) -> list[OpeningHours]:
    """Set several days at once, all or none: `week` maps a weekday to (opens, closes), or to
    None to close that day."""
    rows = []
    for weekday, hours in sorted(week.items()):
        if hours is None:
            opening_hours_close_day(weekday=weekday, by=by)
        else:
            rows.append(opening_hours_set(weekday=weekday, opens=hours[0], closes=hours[1], by=by))
    return rows


@transaction.atomic
def working_hours_add(
    *, practitioner: Practitioner, weekday: int, start: time, end: time, by: User
) -> WorkingHours:
    """Add a block to the practitioner's week; a block overlapping another one is refused."""
    block = WorkingHours(practitioner=practitioner, weekday=weekday, start=start, end=end)
    block.full_clean()
    block.save()
    return block


@transaction.atomic
def working_hours_remove(*, block: WorkingHours, by: User) -> None:
    """Remove a block. Appointments already booked in it stay booked."""
    block.delete()


@transaction.atomic
def time_off_add(
    *, practitioner: Practitioner, start: datetime, end: datetime, reason: str, by: User
) -> TimeOff:
    """Record time off. Appointments already booked in it stay booked: the desk moves them."""
    stretch = TimeOff(practitioner=practitioner, start=start, end=end, reason=reason.strip())
    stretch.full_clean()
    stretch.save()
    return stretch


@transaction.atomic
def time_off_remove(*, time_off: TimeOff, by: User) -> None:
    time_off.delete()


# --- the clinic's profile ------------------------------------------------------------------


@transaction.atomic
def clinic_profile_save(
    *,
    name: str,
    address: str,
    phone: str,
    email: str,
    sheet_footer: str,
    logo: str | None = None,
    by: User,
) -> ClinicProfile:
    """Change the clinic's name, contact details, sheet footer and logo (a data: URI; None
    keeps the logo, "" removes it). Sheets already issued keep the details they were printed
    with. A save that changes nothing adds no version to the history."""
    profile = ClinicProfile.objects.select_for_update().filter(
        pk=ClinicProfile.ONLY_ID
    ).first() or ClinicProfile(id=ClinicProfile.ONLY_ID)
    before = None if profile._state.adding else profile.as_printed()
    profile.name = " ".join(name.split())
    profile.address = "\n".join(line.strip() for line in address.strip().splitlines())
    profile.phone = " ".join(phone.split())
    profile.email = email.strip()
    profile.sheet_footer = " ".join(sheet_footer.split())
    if logo is not None:
        profile.logo = logo
    profile.full_clean()
    if profile.as_printed() != before:
        profile._history_user = by  # who made this version (outside a request too)
        profile.save()
    return profile
