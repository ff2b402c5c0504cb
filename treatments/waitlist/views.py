"""The front desk's waitlist: the list, adding, changing and removing entries, and filling a
freed slot from it in one click (booked through the scheduling service)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import staff_required
from clinic.formtools import add_service_errors
from clinic.pagination import BoundedPaginator
from patients.models import Patient
from treatments.audit.services import record_listing, record_read
from treatments.models import Appointment, WaitlistEntry
from treatments.scheduling.checks import SchedulingError
from treatments.scheduling.forms import slot_query
from treatments.waitlist import services as waitlist
from treatments.waitlist.forms import EntryForm, ListFilterForm, RemoveForm, SlotForm
from treatments.waitlist.matching import FreedSlot, fitting_entries, slot_taken

PAGE_SIZE = 50
# The best fits for a freed slot: the desk calls them in order, and rarely needs more.
MATCHES_SHOWN = 25


def get_entry(pk: int) -> WaitlistEntry:
    return get_object_or_404(WaitlistEntry.objects.with_people(), pk=pk)


@staff_required("treatments.view_waitlistentry")
@require_GET
def waitlist_list(request):
    """On the list (most urgent, then oldest, first), or past entries (newest first)."""
    filters = ListFilterForm(request.GET)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    past = chosen.get("show") == "past"
    entries = WaitlistEntry.objects.with_people()
    entries = entries.past().order_by("-created_at", "-pk") if past else entries.current()
    if not past:
        entries = entries.most_urgent_first()
    if chosen.get("practitioner"):
        entries = entries.filter(practitioner=chosen["practitioner"])
    if chosen.get("urgency") is not None:
        entries = entries.filter(urgency=chosen["urgency"])
    page = BoundedPaginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    if past:
        otherwise = set(
            WaitlistEntry.objects.booked_otherwise()
            .filter(pk__in=[e.pk for e in page])
            .values_list("pk", flat=True)
        )
        for entry in page:
            entry.booked_otherwise = entry.pk in otherwise
    record_listing(request, patients=[entry.patient for entry in page], what="waitlist")
    return render(
        request,
        "treatments/waitlist/list.html",
        {"filters": filters, "page": page, "past": past, "today": timezone.localdate()},
    )


def _entry_form(request, patient: Patient, entry: WaitlistEntry | None = None):
    form = EntryForm(request.POST or None, patient=patient, entry=entry)
    if request.method == "POST" and form.is_valid():
        try:
            waitlist.entry_save(entry=entry, patient=patient, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            verb = "changed" if entry else "on the waitlist"
            messages.success(request, f"{patient.display_name} is {verb}.")
            return redirect("treatments:waitlist")
    record_read(request, patient=patient, what="waitlist entry form", object_id=patient.pk)
    return render(
        request,
        "treatments/waitlist/entry_form.html",
        {"form": form, "patient": patient, "entry": entry},
    )


@staff_required("treatments.add_waitlistentry")
@require_http_methods(["GET", "POST"])
def entry_create(request, patient_pk):
    return _entry_form(request, get_object_or_404(Patient.objects.current(), pk=patient_pk))


@staff_required("treatments.change_waitlistentry")
@require_http_methods(["GET", "POST"])
def entry_edit(request, pk):
    entry = get_entry(pk)
    if not entry.is_waiting:
        messages.error(request, f"The entry is {entry.get_status_display().lower()}.")
        return redirect("treatments:waitlist")
    return _entry_form(request, entry.patient, entry)


@staff_required("treatments.change_waitlistentry")
@require_http_methods(["GET", "POST"])
def entry_remove(request, pk):
    entry = get_entry(pk)
    form = RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            waitlist.entry_remove(entry=entry, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"{entry.patient.display_name} is off the waitlist.")
            return redirect("treatments:waitlist")
    return render(request, "treatments/waitlist/remove.html", {"form": form, "entry": entry})


@staff_required("treatments.view_waitlistentry")
@require_GET
def freed_slot(request, pk):
    """The slot a cancelled or no-show appointment left, as the fill page's address."""
    appointment = get_object_or_404(Appointment, pk=pk)
    query = slot_query(
        start=appointment.start,
        end=appointment.end,
        practitioner_id=appointment.practitioner_id,
        room_id=appointment.room_id,
    )
    return redirect(f"{reverse('treatments:waitlist-fill')}?{query}")


@staff_required("treatments.view_waitlistentry")
@require_GET
def fill_slot(request):
    """The entries that fit a freed slot, most urgent first, each with a one-click "Book"."""
    form = SlotForm(request.GET)
    context = {"form": form, "slot": None}
    if form.is_valid():
        data = form.cleaned_data
        slot = FreedSlot(data["start"], data["end"], data["practitioner"], data["room"])
        passed = slot.end <= timezone.now()
        taken = None if passed else slot_taken(slot)
        fitting = [] if passed or taken else fitting_entries(slot)
        entries = fitting[:MATCHES_SHOWN]
        record_listing(request, patients=[entry.patient for entry in entries], what="waitlist")
        context.update(
            slot=slot, passed=passed, taken=taken, entries=entries, more=len(fitting) - len(entries)
        )
    status = 200 if form.is_valid() else 400
    return render(request, "treatments/waitlist/fill.html", context, status=status)


@staff_required("treatments.change_waitlistentry", "treatments.add_appointment")
@require_POST
def entry_book(request, pk):
    entry = get_entry(pk)
    form = SlotForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That slot cannot be read; open the freed slot again.")
        return redirect("treatments:waitlist")
    data = form.cleaned_data
    try:
        appointment = waitlist.entry_book(
            entry=entry,
            practitioner=data["practitioner"],
            room=data["room"],
            start=data["start"],
            by=request.user,
        )
    except SchedulingError as error:
        messages.error(request, "Not booked: " + " ".join(error.messages))
        query = slot_query(
            start=data["start"],
            end=data["end"],
            practitioner_id=data["practitioner"].pk,
            room_id=data["room"].pk,
        )
        return redirect(f"{reverse('treatments:waitlist-fill')}?{query}")
    start = timezone.localtime(appointment.start)
    messages.success(
        request,
        f"Booked from the waitlist: {entry.patient.display_name} {start:%a %d %b %H:%M} "
        f"with {appointment.practitioner.display_name}.",
    )
    return redirect("treatments:schedule-day", start.date().isoformat())
