from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Length, Lower
from django.db.models.lookups import Exact
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.pictures import shown_picture
from clinic.roles import Role


class User(AbstractUser):
    """A member of the clinic's staff who can log in. What they may do follows their role."""

    # Set when a manager gives a one-time password: the next login leads to changing it.
    must_change_password = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        if self.is_superuser:
            return frozenset(Role.values)
        # .all() rather than values_list(): it uses groups prefetched by a list view.
        return frozenset(group.name for group in self.groups.all())

    @property
    def role(self) -> str:
        """The role to show next to the name (the first held, in Role order)."""
        return next((label for value, label in Role.choices if value in self.roles), "No role")

    @property
    def is_clinic_staff(self) -> bool:
        return self.is_active and bool(self.roles)

    @property
    def is_front_desk(self) -> bool:
        return Role.FRONT_DESK in self.roles

    @property
    def is_practitioner(self) -> bool:
        return Role.PRACTITIONER in self.roles

    @property
    def is_manager(self) -> bool:
        return Role.MANAGER in self.roles


colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", "Enter a colour as # followed by six hex digits, e.g. #2a9d8f."
)


class PractitionerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, user__is_active=True)


class Practitioner(models.Model):
    """The treating side of a staff member: how they appear on calendars and sheets."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="practitioner")
    display_name = models.CharField(max_length=100)
    credentials = models.CharField(
        max_length=60, blank=True, help_text="Shown after the name, e.g. L.Ac., MBAcC."
    )
    colour = models.CharField(
        max_length=7,
        default="#2a9d8f",
        validators=[colour_validator],
        help_text="Calendar colour.",
    )
    is_active = models.BooleanField(
        default=True, help_text="Inactive practitioners cannot be booked."
    )

    objects = PractitionerQuerySet.as_manager()

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(colour__startswith="#") & Exact(Length("colour"), 7),
                name="practitioner_colour_is_hex",
            ),
        ]

    def __str__(self):
        return f"{self.display_name}, {self.credentials}" if self.credentials else self.display_name

    @property
    def takes_bookings(self) -> bool:
        """Active, and their staff account too (someone who has left cannot be booked)."""
        return self.is_active and self.user.is_active


class RoomQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Room(models.Model):
    """A treatment room. Rooms are deactivated, never deleted, so past bookings keep them."""

    name = models.CharField(max_length=60)
    is_active = models.BooleanField(default=True, help_text="Inactive rooms cannot be booked.")

    objects = RoomQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="room_name_unique_ci",
                violation_error_message="A room with this name already exists.",
            ),
        ]

    def __str__(self):
        return self.name


class Weekday(models.IntegerChoices):
    """Monday = 0, as Python's date.weekday()."""

    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


def local_datetime(day: date, at: time) -> datetime:
    """The aware datetime of a wall-clock time on a day in the clinic's time zone."""
    return timezone.make_aware(datetime.combine(day, at))


def wall_clock_problem(day: date, at: time) -> str | None:
    """Why `at` on `day` names no single moment in the clinic's time zone, or None.

    When the clocks go forward an hour of wall-clock times is skipped; when they go back an
    hour comes twice. Read without a warning, a skipped 01:30 becomes 02:30 and an
    appointment from it "ends before it starts"; a repeated one is a guess.
    """
    zone = timezone.get_current_timezone()
    naive = datetime.combine(day, at)
    earlier, later = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return None
    when = f"{at:%H:%M} on {day:%a} {day.day} {day:%b %Y}"
    if earlier.utcoffset() < later.utcoffset():
        return (
            f"{when} does not exist: the clocks go forward that night and skip it. "
            f"Choose another time."
        )
    return (
        f"{when} happens twice: the clocks go back that night and repeat that hour. "
        f"Choose a time outside it."
    )


class OpeningHours(models.Model):
    """When the clinic is open on a weekday: the outer bound of every booking.

    A weekday without a row is a closed day.
    """

    weekday = models.PositiveSmallIntegerField(choices=Weekday, unique=True)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="opening_hours_close_after_open",
                violation_error_message="The clinic must close after it opens.",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6), name="opening_hours_weekday"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class WorkingHours(models.Model):
    """One block of a practitioner's regular week, e.g. Monday 09:00–12:30.

    A day may have several blocks (a lunch break between them).
    """

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["practitioner", "weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="working_hours_end_after_start",
                violation_error_message="A block must end after it starts.",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6), name="working_hours_weekday"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        super().clean()
        if self.start and self.end and self.practitioner_id is not None:
            overlapping = WorkingHours.objects.filter(
                practitioner_id=self.practitioner_id,
                weekday=self.weekday,
                start__lt=self.end,
                end__gt=self.start,
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(
                    f"This overlaps {overlapping.first()}; change that block instead."
                )


class TimeOffQuerySet(models.QuerySet):
    def overlapping(self, start: datetime, end: datetime):
        return self.filter(start__lt=end, end__gt=start)


class TimeOff(models.Model):
    """A stretch when a practitioner cannot be booked (holiday, course, illness)."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="time_off"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200)

    objects = TimeOffQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="time_off_end_after_start",
                violation_error_message="Time off must end after it starts.",
            ),
        ]
        indexes = [models.Index(fields=["practitioner", "start"], name="time_off_start_idx")]

    def __str__(self):
        return f"{self.practitioner}: {self.reason}"

    @property
    def label(self) -> str:
        """E.g. "Thu 3 Apr – Fri 4 Apr 2025 (whole days)", with times when part of a day."""
        start, end = timezone.localtime(self.start), timezone.localtime(self.end)

        def day(moment, year=True):
            return f"{moment:%a} {moment.day} {moment:%b}" + (f" {moment:%Y}" if year else "")

        if start.time() == end.time() == time(0):
            last = end - timedelta(days=1)
            if last.date() == start.date():
                return f"{day(start)} (whole day)"
            return f"{day(start, start.year != last.year)} – {day(last)} (whole days)"
        return f"{day(start)} {start:%H:%M} – {day(end)} {end:%H:%M}"

    def clean(self):
        super().clean()
        if self.start and self.end and self.practitioner_id is not None:
            other = (
                TimeOff.objects.filter(practitioner_id=self.practitioner_id)
                .overlapping(self.start, self.end)
                .exclude(pk=self.pk)
                .first()
            )
            if other is not None:
                raise ValidationError(
                    f"This overlaps time off already recorded: {other.label}, {other.reason}. "
                    f"Remove that one first if this one replaces it."
                )


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", "Logged in"
    LOGOUT = "logout", "Logged out"
    LOGIN_FAILED = "login_failed", "Login failed"
    LOCKED_OUT = "locked_out", "Locked out"
    LOCKOUT_LIFTED = "lockout_lifted", "Lockout lifted"
    IDLE_LOGOFF = "idle_logoff", "Logged off when idle"
    OTP_ENROLLED = "otp_enrolled", "Second factor set up"
    OTP_RESET = "otp_reset", "Second factor reset"
    OTP_FAILED = "otp_failed", "Second factor refused"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET = "password_reset", "Password reset"


class SecurityEvent(models.Model):
    """The trail of staff sign-in events: logins, failures, lockouts, second factors and
    passwords. Append-only, written only by `clinic.security.record_event`; no patient data.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=20, choices=SecurityEventKind)
    username = models.CharField(max_length=150, blank=True)  # as typed, for failures
    user = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, related_name="security_events"
    )
    by = models.ForeignKey(  # a manager acting on someone else's account
        "User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.username} at {self.at:%Y-%m-%d %H:%M}"


phone_validator = RegexValidator(
    r"^\+?[0-9 ()./-]*[0-9][0-9 ()./-]*$",
    "Enter the phone number in digits (spaces, +, brackets and dashes allowed).",
)


class ClinicProfileQuerySet(models.QuerySet):
    def current(self) -> "ClinicProfile":
        """The clinic's profile; before anyone has saved one (a database emptied after the
        migrations ran), an unsaved one from the settings' first-run defaults. Reading never
        writes."""
        return self.filter(pk=ClinicProfile.ONLY_ID).first() or ClinicProfile.from_settings()


class ClinicProfile(models.Model):
    """The clinic as its patients see it: the name, contact details, footer and logo printed
    on home-care sheets and shown in the navigation. One row, kept with its history.

    The migration creates the row from the settings (CLINIC_NAME, CLINIC_PHONE,
    CLINIC_ADDRESS); after that a manager changes it on the Clinic screen.
    """

    ONLY_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=ONLY_ID, editable=False)
    name = models.CharField(max_length=100)
    address = models.TextField(
        max_length=300, blank=True, help_text="As printed on sheets, one line per line."
    )
    phone = models.CharField(
        max_length=30,
        blank=True,
        validators=[phone_validator],
        help_text="How patients reach the clinic, e.g. 020 7946 0000.",
    )
    email = models.EmailField("E-mail", max_length=254, blank=True)
    sheet_footer = models.CharField(
        "Sheet footer",
        max_length=200,
        blank=True,
        help_text="One short line printed at the bottom of every home-care sheet, e.g. opening "
        "times or a website.",
    )
    # A small picture as a data: URI (SVG, PNG or JPEG), like a home-care illustration: a
    # sheet's snapshot carries it, so the PDF needs no file or URL.
    logo = models.TextField(blank=True)
    # When a patient whose complaint was resolved comes onto the recall list (a check-in
    # before the problem returns); the front desk's worklist reads it.
    recall_after_months = models.PositiveSmallIntegerField(
        "Recall after (months)",
        default=6,
        db_default=6,  # for rows written by code that predates it (an older migration)
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text="Months after a complaint is resolved before the patient is on the recall "
        "list (1 to 36).",
    )
    # Appointment reminders (issue 16; treatments/reminders/rules.py reads these). Defaults in
    # the database too, so rows written by older code (data migrations) get them.
    reminder_email_hours = models.PositiveSmallIntegerField(
        "E-mail reminder (hours before)",
        default=48,
        db_default=48,
        validators=[MaxValueValidator(14 * 24)],
        help_text="0 sends no e-mail reminders.",
    )
    reminder_sms_hours = models.PositiveSmallIntegerField(
        "SMS reminder (hours before)",
        default=24,
        db_default=24,
        validators=[MaxValueValidator(14 * 24)],
        help_text="0 sends no text-message reminders.",
    )
    quiet_hours_start = models.TimeField(
        "Quiet hours from",
        default=time(21),
        db_default=time(21),
        help_text="Nothing is sent from this time…",
    )
    quiet_hours_end = models.TimeField(
        "Quiet hours until",
        default=time(8),
        db_default=time(8),
        help_text="…until this time, clinic time.",
    )
    reminder_grace_minutes = models.PositiveSmallIntegerField(
        "Grace after booking (minutes)",
        default=3,
        db_default=3,
        validators=[MaxValueValidator(120)],
        help_text="Nothing goes out for a booking until it has stood this long (a booking "
        "undone at once sends nothing).",
    )

    objects = ClinicProfileQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "clinic profile"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="clinic_profile_one_row"),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def from_settings(cls) -> "ClinicProfile":
        """An unsaved profile with the first-run defaults from the environment."""
        return cls(
            name=settings.CLINIC_NAME, phone=settings.CLINIC_PHONE, address=settings.CLINIC_ADDRESS
        )

    @property
    def shown_logo(self) -> str:
        """The logo as a page may show it (clinic.pictures.shown_picture, issue 15)."""
        return shown_picture(self.logo)

    def as_printed(self) -> dict:
        """What a home-care sheet's snapshot keeps of the clinic."""
        return {
            "name": self.name,
            "phone": self.phone,
            "address": self.address,
            "email": self.email,
            "footer": self.sheet_footer,
            "logo": self.logo,
        }


class WorkerHeartbeat(models.Model):
    """When a background worker last ran its heartbeat task (clinic/tasks.py): `/healthz`
    fails when the newest beat is too old. One row per name; only `clinic.tasks` writes it."""

    name = models.CharField(max_length=40, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
