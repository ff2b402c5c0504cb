from collections import defaultdict
from copy import copy
from dataclasses import dataclass
from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from clinic import services, two_factor
from clinic.access import staff_required
from clinic.context_processors import clinic_profile_for
from clinic.forms import (
    ClinicProfileForm,
    RoomForm,
    StaffCreateForm,
    StaffEditForm,
    WorkingHoursForm,
)
from clinic.formtools import add_service_errors
from clinic.models import (
    ClinicProfile,
    OpeningHours,
    Practitioner,
    Room,
    User,
    Weekday,
    WorkingHours,
)
from clinic.roles import Role


@staff_required("clinic.change_clinicprofile", role=Role.MANAGER)
@require_http_methods(["GET", "POST"])
def clinic_profile(request):
    profile = clinic_profile_for(request)
    # A copy for the form: the navigation must not show values that were typed, not saved.
    form = ClinicProfileForm(request.POST or None, request.FILES or None, instance=copy(profile))
    if request.method == "POST" and form.is_valid():
        try:
            services.clinic_profile_save(by=request.user, **form.profile_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "The clinic’s details are saved. Sheets issued from now on print them; sheets "
                "already issued keep the details they were printed with.",
            )
            return redirect("clinic:profile")
    return render(
        request,
        "clinic/profile.html",
        {"form": form, "profile": profile, "changes": profile_changes(HISTORY_SHOWN)},
    )


HISTORY_SHOWN = 10


@dataclass
class ProfileChange:
    when: datetime
    by: User | None
    fields: list[str]  # the labels of the fields changed; empty for the first version
    reason: str  # why, when recorded (the first version: "From the environment at first run")


def profile_changes(count: int) -> list[ProfileChange]:
    """The profile's latest `count` versions, newest first, each with what it changed."""
    history = ClinicProfile.history.select_related("history_user")
    versions = list(history.order_by("-history_date", "-history_id")[: count + 1])
    changes = []
    for version, previous in zip(versions, [*versions[1:], None], strict=True):
        changed = set(version.diff_against(previous).changed_fields) if previous else set()
        labels = [
            str(field.verbose_name).lower()
            for field in ClinicProfile._meta.concrete_fields
            if field.name in changed
        ]
        changes.append(
            ProfileChange(
                version.history_date,
                version.history_user,
                labels,
                version.history_change_reason or "",
            )
        )
    return changes[:count]


@staff_required("clinic.view_user", role=Role.MANAGER)
@require_http_methods(["GET"])
def staff_list(request):
    staff = (
        User.objects.select_related("practitioner")
        .prefetch_related("groups")
        .annotate(has_second_factor=two_factor.has_device_subquery())
    )
    return render(request, "clinic/staff_list.html", {"staff": staff})


@staff_required("clinic.add_user", role=Role.MANAGER)
@require_http_methods(["GET", "POST"])
def staff_create(request):
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_create(
                username=form.cleaned_data["username"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                roles=form.cleaned_data["roles"],
                practitioner=form.practitioner_details(),
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{user} can now log in as {user.username}.")
            return redirect("clinic:staff-list")
    return render(request, "clinic/staff_form.html", {"form": form})


@staff_required("clinic.change_user", role=Role.MANAGER)
@require_http_methods(["GET", "POST"])
def staff_edit(request, pk):
    member = get_object_or_404(User, pk=pk)
    form = StaffEditForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(
                user=member,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                practitioner=form.practitioner_details(),
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{member} saved.")
            return redirect("clinic:staff-list")
    return render(request, "clinic/staff_form.html", {"form": form, "member": member})


@staff_required("clinic.change_user", role=Role.MANAGER)
@require_POST
def staff_set_active(request, pk):
    member = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "true"
    try:
        services.staff_set_active(user=member, active=active, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        state = "reactivated" if active else "deactivated: they can no longer log in"
        messages.success(request, f"{member} {state}.")
    return redirect("clinic:staff-list")


@staff_required("clinic.change_user", role=Role.MANAGER)
@require_POST
def staff_two_factor_reset(request, pk):
    member = get_object_or_404(User, pk=pk)
    services.otp_reset(user=member, by=request.user, request=request)
    messages.success(
        request, f"{member}’s second factor is reset: they set it up again when they next log in."
    )
    return redirect("clinic:staff-list")


@staff_required("clinic.view_room", role=Role.MANAGER)
@require_http_methods(["GET"])
def room_list(request):
    return render(request, "clinic/room_list.html", {"rooms": Room.objects.all()})


@staff_required("clinic.add_room", role=Role.MANAGER)
@require_http_methods(["GET", "POST"])
def room_create(request):
    return _room_form(request, None)


@staff_required("clinic.change_room", role=Role.MANAGER)
@require_http_methods(["GET", "POST"])
def room_edit(request, pk):
    return _room_form(request, get_object_or_404(Room, pk=pk))


def _room_form(request, room):
    form = RoomForm(request.POST or None, instance=room)
    if request.method == "POST" and form.is_valid():
        room = services.room_save(room=room, name=form.cleaned_data["name"], by=request.user)
        messages.success(request, f"Room “{room}” saved.")
        return redirect("clinic:room-list")
    return render(request, "clinic/room_form.html", {"form": form, "room": room})


@staff_required("clinic.change_room", role=Role.MANAGER)
@require_POST
def room_set_active(request, pk):
    room = get_object_or_404(Room, pk=pk)
    active = request.POST.get("active") == "true"
    services.room_set_active(room=room, active=active, by=request.user)
    messages.success(request, f"Room “{room}” {'reactivated' if active else 'deactivated'}.")
    return redirect("clinic:room-list")


# --- opening hours, working hours and time off (clinic manager) ----------------------------


@dataclass
class WeekDay:
    """One weekday column: the clinic's hours that day and a practitioner's blocks in it."""

    weekday: int
    label: str
    opening: OpeningHours | None
    blocks: list[WorkingHours]

    @property
    def entries(self) -> list[tuple[WorkingHours, bool]]:
        """Each block with whether it reaches outside the clinic's opening hours."""
        return [(block, _outside(block, self.opening)) for block in self.blocks]


@dataclass
class PractitionerWeek:
    practitioner: Practitioner
    days: list[WeekDay]

    @property
    def hours(self) -> float:
        """Working hours per week (the blocks as entered, before opening hours cut them)."""
        return sum(_minutes(b.end) - _minutes(b.start) for d in self.days for b in d.blocks) / 60


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def _outside(block: WorkingHours, opening: OpeningHours | None) -> bool:
    return opening is None or block.start < opening.opens or block.end > opening.closes


def _week(practitioner: Practitioner, opening: dict[int, OpeningHours]) -> PractitionerWeek:
    blocks = defaultdict(list)
    for block in practitioner.working_hours.all():  # prefetched, ordered by weekday and start
        blocks[block.weekday].append(block)
    days = [WeekDay(d.value, d.label, opening.get(d.value), blocks[d.value]) for d in Weekday]
    return PractitionerWeek(practitioner, days)


def _opening() -> dict[int, OpeningHours]:
    return {row.weekday: row for row in OpeningHours.objects.all()}


def _hours_practitioner(pk: int) -> Practitioner:
    return get_object_or_404(Practitioner.objects.prefetch_related("working_hours"), pk=pk)


@staff_required("clinic.view_workinghours", role=Role.MANAGER)
@require_http_methods(["GET"])
def hours_overview(request):
    """Every active practitioner's week at a glance, against the clinic's opening hours."""
    practitioners = (
        Practitioner.objects.active()
        .prefetch_related("working_hours")
        .annotate(upcoming_time_off=Count("time_off", filter=Q(time_off__end__gt=timezone.now())))
    )
    opening = _opening()
    context = {
        "weeks": [_week(p, opening) for p in practitioners],
        "days": [(d.label, opening.get(d.value)) for d in Weekday],
    }
    return render(request, "clinic/hours_overview.html", context)


@staff_required("clinic.change_workinghours", role=Role.MANAGER)
@require_http_methods(["GET", "POST"])
def hours_practitioner(request, practitioner_pk):
    """One practitioner's week: add a block, remove one."""
    practitioner = _hours_practitioner(practitioner_pk)
    form = WorkingHoursForm(request.POST or None)
    opening = _opening()
    if request.method == "POST" and form.is_valid():
        try:
            block = services.working_hours_add(
                practitioner=practitioner, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Added {block} to {practitioner.display_name}’s week.")
            if _outside(block, opening.get(block.weekday)):
                messages.warning(request, _outside_message(block, opening.get(block.weekday)))
            return redirect("clinic:hours-practitioner", practitioner.pk)
    context = {
        "practitioner": practitioner,
        "week": _week(practitioner, opening),
        "form": form,
        "today": timezone.localdate(),
    }
    return render(request, "clinic/hours_practitioner.html", context)


def _outside_message(block: WorkingHours, opening: OpeningHours | None) -> str:
    day = block.get_weekday_display()
    if opening is None:
        return f"The clinic is closed on {day}s: nobody can be booked in this block."
    return (
        f"{block} is partly outside the clinic’s opening hours on {day}s "
        f"({opening.opens:%H:%M}–{opening.closes:%H:%M}); only the part inside them can be "
        f"booked."
    )
