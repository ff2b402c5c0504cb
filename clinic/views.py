from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from clinic import services
from clinic.access import staff_required
from clinic.forms import RoomForm, StaffCreateForm, StaffEditForm
from clinic.models import Room, User
from clinic.roles import Role

HOME_LIST_LENGTH = 10


@staff_required()
@require_http_methods(["GET"])
def home(request):
    """One page per role; someone holding several roles sees each part."""
    # Imported here: `clinic` sits below the apps, only its home page and URLs look up.
    from patients.forms import PatientSearchForm
    from patients.models import Complaint, Patient

    user = request.user
    context = {}
    if user.is_front_desk:
        context["search_form"] = PatientSearchForm()
        context["recent_patients"] = Patient.objects.current().order_by("-created_at")[
            :HOME_LIST_LENGTH
        ]
    if user.is_practitioner:
        # Until courses link practitioners to patients, "theirs" are the complaints they took.
        active = (
            Complaint.objects.active()
            .filter(patient__is_archived=False)
            .select_related("patient")
            .order_by("-created_at")
        )
        context["my_complaints"] = active.filter(created_by=user)[:HOME_LIST_LENGTH]
        context["other_complaints"] = active.exclude(created_by=user)[:HOME_LIST_LENGTH]
    if user.is_manager:
        context["staff"] = User.objects.filter(is_active=True).prefetch_related("groups")
        context["rooms"] = Room.objects.all()
    return render(request, "clinic/home.html", context)


@staff_required("clinic.view_user", role=Role.MANAGER)
@require_http_methods(["GET"])
def staff_list(request):
    staff = User.objects.select_related("practitioner").prefetch_related("groups")
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
