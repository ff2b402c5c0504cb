from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Length, Lower
from django.db.models.lookups import Exact

from clinic.roles import Role


class User(AbstractUser):
    """A member of the clinic's staff who can log in. What they may do follows their role."""

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
