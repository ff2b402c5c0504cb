"""The only code that writes staff accounts and their passwords, lockouts being lifted,
practitioner profiles, rooms, opening hours, working hours, time off and the clinic's own
profile."""

import secrets
from datetime import datetime, time

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import two_factor
from clinic.models import (
    ClinicProfile,
    OpeningHours,
    Practitioner,
    Room,
    SecurityEventKind,
    TimeOff,
    User,
    Weekday,
    WorkingHours,
)
from clinic.roles import Role
from clinic.security import record_event

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
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    _set_roles(user, roles)
    _set_practitioner_profile(user, practitioner if Role.PRACTITIONER in roles else None)
    return user


@transaction.atomic
def first_manager_create(
    *, username: str, email: str, first_name: str, last_name: str, password: str | None
) -> tuple[User, bool, str | None]:
    """The installation's first clinic manager, who then creates everyone else on Staff.

    Returns the account, whether it was created, and, when no password was given, the one
    made up for it, which must be changed at the first login (a terminal has shown it). Does
    nothing when the clinic already has a manager: an install can be run again.
    """
    existing = User.objects.filter(groups__name=Role.MANAGER).order_by("pk").first()
    if existing:
        return existing, False, None
    made_up = None if password else secrets.token_urlsafe(15)
    user = staff_create(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        password=password or made_up,
        roles=[Role.MANAGER],
        by=None,
    )
    if made_up:
        user.must_change_password = True
        user.save(update_fields=["must_change_password"])
    return user, True, made_up


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


# --- sign-in: lockouts and passwords (issue 14) --------------------------------------------


@transaction.atomic
def lockout_lift(*, attempt, by: User, request: HttpRequest | None = None) -> None:
    """Lift the lockout of one username from one address (an axes `AccessAttempt`)."""
    from axes.models import AccessAttempt

    AccessAttempt.objects.filter(username=attempt.username, ip_address=attempt.ip_address).delete()
    record_event(
        SecurityEventKind.LOCKOUT_LIFTED,
        request=request,
        user=User.objects.filter(username=attempt.username).first(),
        username=attempt.username,
        by=by,
        detail=f"from {attempt.ip_address}"[:200],
    )


def staff_send_password_reset(*, user: User, by: User, request: HttpRequest) -> None:
    """E-mail `user` a link to choose a new password (Django's reset tokens: one use, and
    only until the password changes or PASSWORD_RESET_TIMEOUT passes)."""
    if not user.email:
        raise ValidationError(
            f"{user} has no e-mail address. Add one on their page, or set a one-time password."
        )
    if not user.is_active:
        raise ValidationError(f"{user} is deactivated: reactivate them first.")
    link = request.build_absolute_uri(
        reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    )
    clinic_name = ClinicProfile.objects.current().name
    context = {"user": user, "link": link, "by": by, "clinic_name": clinic_name}
    send_mail(
        render_to_string("registration/password_reset_subject.txt", context).strip(),
        render_to_string("registration/password_reset_email.txt", context),
        None,
        [user.email],
    )
    record_event(
        SecurityEventKind.PASSWORD_RESET,
        request=request,
        user=user,
        by=by,
        detail="reset link e-mailed",
    )


@transaction.atomic
def staff_set_one_time_password(
    *, user: User, password: str, by: User, request: HttpRequest | None = None
) -> User:
    """Give `user` a password they must change at their next login."""
    if user == by:
        raise ValidationError("Change your own password from the menu under your name.")
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    record_event(
        SecurityEventKind.PASSWORD_RESET,
        request=request,
        user=user,
        by=by,
        detail="one-time password set",
    )
    return user


@transaction.atomic
def password_changed(*, user: User, request: HttpRequest | None = None) -> None:
    """Record that `user` chose a new password themselves (already saved by Django's form)."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    record_event(SecurityEventKind.PASSWORD_CHANGED, request=request, user=user)


# --- Second factor (issue 14; clinic/two_factor.py) -----------------------------------


def _new_backup_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "Backup codes", "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(two_factor.BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def otp_enrol(*, user: User, key: str, token: str, request) -> tuple[TOTPDevice, list[str]]:
    """Save the authenticator being set up once it gives a right code, with new backup codes
    (returned: they are shown once). Raises ValidationError on a wrong code."""
    if two_factor.has_device(user):
        raise ValidationError(
            "A second factor is already set up: ask the clinic manager to reset it."
        )
    device = two_factor.new_authenticator(user, key)
    device.full_clean()
    # Checked before the device exists: a wrong code must leave nothing behind.
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    token = "".join(token.split())
    if not (token.isdigit() and totp.verify(int(token), tolerance=device.tolerance)):
        raise ValidationError(
            {"token": "That code is not right. Type the six digits the app shows now."}
        )
    device.last_t, device.drift = totp.t(), totp.drift
    device.save()
    codes = _new_backup_codes(user)
    record_event(SecurityEventKind.OTP_ENROLLED, request=request, user=user)
    return device, codes


@transaction.atomic
def otp_verify(*, user: User, token: str, request) -> tuple[Device | None, str]:
    """(the device that accepts `token`, "") or (None, why not), recorded. Six digits are for
    the app, anything else a backup code (used up). Wrong codes make the next try wait
    (django-otp's throttling: 1, 2, 4 … seconds)."""
    token = "".join(token.split()).lower()
    model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    device = model.objects.devices_for_user(user, confirmed=True).select_for_update().first()
    if device is not None:
        allowed, throttled = device.verify_is_allowed()
        if not allowed:
            wait = max(1, round((throttled["locked_until"] - timezone.now()).total_seconds()))
            return None, f"Too many wrong codes: wait {wait} seconds, then try again."
        if device.verify_token(token):
            return device, ""
    record_event(SecurityEventKind.OTP_FAILED, request=request, user=user)
    return None, "That code is not right. Check the app (or your backup codes) and try again."


@transaction.atomic
def otp_new_backup_codes(*, user: User, request) -> list[str]:
    """Replace the user's backup codes (returned: they are shown once)."""
    codes = _new_backup_codes(user)
    record_event(SecurityEventKind.OTP_ENROLLED, request=request, user=user, detail="backup codes")
    return codes


@transaction.atomic
def otp_reset(*, user: User, by: User, request) -> None:
    """Remove a colleague's second factor (a lost phone): they set it up again at next login."""
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).delete()
    record_event(SecurityEventKind.OTP_RESET, request=request, user=user, by=by)


# --- the clinic's profile ------------------------------------------------------------------


# The clinic's reminder settings (issue 16), on the same screen as its details.
REMINDER_FIELDS = (
    "reminder_email_hours",
    "reminder_sms_hours",
    "quiet_hours_start",
    "quiet_hours_end",
    "reminder_grace_minutes",
)


def _profile_values(profile: ClinicProfile) -> dict:
    settings = {name: getattr(profile, name) for name in ("recall_after_months", *REMINDER_FIELDS)}
    return {**profile.as_printed(), **settings}


@transaction.atomic
def clinic_profile_save(
    *,
    name: str,
    address: str,
    phone: str,
    email: str,
    sheet_footer: str,
    logo: str | None = None,
    recall_after_months: int | None = None,
    reminders: dict | None = None,
    by: User,
) -> ClinicProfile:
    """Change the clinic's name, contact details, sheet footer and logo (a data: URI; None
    keeps the logo, "" removes it), when resolved complaints come onto the recall list (None
    keeps it) and the reminder settings (`reminders`: field name → value, REMINDER_FIELDS;
    None keeps them). Sheets already issued keep the details they were printed with. A save
    that changes nothing adds no version to the history."""
    profile = ClinicProfile.objects.select_for_update().filter(
        pk=ClinicProfile.ONLY_ID
    ).first() or ClinicProfile(id=ClinicProfile.ONLY_ID)
    before = None if profile._state.adding else _profile_values(profile)
    profile.name = " ".join(name.split())
    profile.address = "\n".join(line.strip() for line in address.strip().splitlines())
    profile.phone = " ".join(phone.split())
    profile.email = email.strip()
    profile.sheet_footer = " ".join(sheet_footer.split())
    if logo is not None:
        profile.logo = logo
    if recall_after_months is not None:
        profile.recall_after_months = recall_after_months
    for name, value in (reminders or {}).items():
        if name not in REMINDER_FIELDS:
            raise TypeError(f"{name} is not a reminder setting")
        setattr(profile, name, value)
    profile.full_clean()
    if _profile_values(profile) != before:
        profile._history_user = by  # who made this version (outside a request too)
        profile.save()
    return profile
