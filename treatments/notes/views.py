"""The practitioner's day, session notes (write, sign, amend) and point sets."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import staff_required
from clinic.params import parse_day, query_id
from clinic.roles import Role
from patients.models import Complaint
from treatments.audit import seals
from treatments.audit.services import record_listing, record_read
from treatments.models import (
    AddendumKind,
    Appointment,
    AppointmentStatus,
    NotePoint,
    PointSet,
    PointSetItem,
    SessionNote,
    Technique,
)
from treatments.notes import services as notes
from treatments.notes.access import get_note_for_user
from treatments.notes.forms import AddendumForm, NoteForm, PointSetForm, point_rows


def _practitioner(request):
    """The signed-in practitioner's profile; staff without one cannot write notes."""
    profile = getattr(request.user, "practitioner", None)
    if profile is None:
        raise PermissionDenied("You have no practitioner profile.")
    return profile


def _parse_day(value: str | None) -> date:
    if not value:
        return timezone.localdate()
    day = parse_day(value)
    if day is None:
        raise Http404("No such day.")
    return day


def _day_appointments(practitioner, day: date) -> list[Appointment]:
    """The practitioner's appointments of `day`, each with `.note`, `.session_number` and
    `.red_flags` (course complaint, else any active complaint): 2 queries in all."""
    active = Complaint.objects.active()
    appointments = list(
        Appointment.objects.on_day(day)
        .with_people()
        .with_session_number()
        .select_related("course__complaint", "note")
        .prefetch_related(Prefetch("patient__complaints", queryset=active, to_attr="active"))
        .filter(practitioner=practitioner)
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("start")
    )
    for a in appointments:
        if a.course_id:
            a.red_flags = a.course.complaint.has_red_flags
        else:
            a.red_flags = any(c.has_red_flags for c in a.patient.active)
        a.session_note = getattr(a, "note", None)
    return appointments


@staff_required("treatments.view_sessionnote", role=Role.PRACTITIONER)
@require_GET
def my_day(request):
    """The practitioner's appointments of a day with one-click notes, and unsigned notes."""
    day = _parse_day(request.GET.get("day"))
    practitioner = _practitioner(request)
    context = {
        "day": day,
        "today": timezone.localdate(),
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "appointments": _day_appointments(practitioner, day),
        **_to_do(request.user, practitioner),
    }
    record_listing(request, patients=_listed_patients(context), what="my day")
    return render(request, "treatments/my_day.html", context)


def _to_do(user, practitioner) -> dict:
    """The practitioner's notes still to deal with, whatever the day (one query each)."""
    mine = SessionNote.objects.filter(author=user).select_related("appointment__patient")
    return {
        "unsigned": mine.unsigned().order_by("appointment__start"),
        # Completed without any note: they belong on the same to-do list.
        "completed_without_note": Appointment.objects.filter(
            practitioner=practitioner, status=AppointmentStatus.COMPLETED, note__isnull=True
        )
        .select_related("patient")
        .order_by("start"),
        # Signed, then the session was cancelled or a no-show: each needs an addendum.
        "needs_error_addendum": mine.awaiting_error_addendum().order_by("appointment__start"),
    }


def _listed_patients(context: dict):
    """Every patient my day names: the day's appointments and the to-do lists (querysets,
    evaluated here once and shown from their cache)."""
    yield from (appointment.patient for appointment in context["appointments"])
    yield from (appointment.patient for appointment in context["completed_without_note"])
    for note in (*context["unsigned"], *context["needs_error_addendum"]):
        yield note.appointment.patient


@staff_required("treatments.add_sessionnote", role=Role.PRACTITIONER)
@require_POST
def note_start(request, pk):
    appointment = get_object_or_404(Appointment, pk=pk)
    if _practitioner(request).pk != appointment.practitioner_id:
        raise PermissionDenied("Only the treating practitioner writes the session note.")
    try:
        note = notes.note_start(appointment=appointment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("treatments:appointment-detail", pk)
    if note.is_signed or note.author_id != request.user.pk:
        # Signed, or a colleague's draft (the session was moved to this practitioner after
        # it was started): the note page says what there is to see.
        return redirect("treatments:note-detail", note.pk)
    return redirect("treatments:note-edit", note.pk)


def _sign(request, note: SessionNote):
    """Sign the saved draft: to the note when done, back to the form with the problems."""
    try:
        notes.note_sign(note=note, by=request.user)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, f"Not signed: {problem}")
        return redirect("treatments:note-edit", note.pk)
    messages.success(request, "Signed. The note is now locked; corrections are addenda.")
    return redirect("treatments:note-detail", note.pk)


def _apply_set(request, note: SessionNote) -> None:
    """Add the chosen point set's points to the (just saved) draft."""
    point_set = PointSet.objects.filter(
        practitioner__user=request.user, pk=query_id(request.POST, "point_set")
    ).first()
    if point_set is None:
        messages.error(request, "Choose one of your point sets to apply.")
        return
    current = [(p.point, p.side) for p in note.points.select_related("point")]
    items = PointSetItem.objects.filter(point_set=point_set).select_related("point")
    # A point already on the note keeps its side (the service records each point once).
    points = current + [(i.point, i.side) for i in items]
    notes.note_save_draft(note=note, by=request.user, points=points)
    messages.success(request, f"Added the points of “{point_set.name}”.")


@staff_required("treatments.change_sessionnote")
@require_http_methods(["GET", "POST"])
def note_edit(request, pk):
    note = get_note_for_user(request, pk)
    if note.author_id != request.user.pk:
        raise PermissionDenied("Only the author edits a draft note.")
    if note.is_signed:
        if request.htmx:
            return render(request, "treatments/note_edit.html#autosave", {"signed": True})
        messages.info(request, "This note is signed: add an addendum to correct it.")
        return redirect("treatments:note-detail", note.pk)
    saved_rows = [(p.point_id, p.side) for p in note.points.all()]
    form = NoteForm(request.POST or None, instance=note)
    rows = point_rows(request.POST or None, rows=saved_rows)
    action = request.POST.get("action", "save")
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        note = notes.note_save_draft(
            note=note, by=request.user, points=rows.points(), **form.cleaned_data
        )
        if request.htmx:
            context = {"saved_at": timezone.localtime()}
            return render(request, "treatments/note_edit.html#autosave", context)
        if action == "sign":
            return _sign(request, note)
        if action == "apply_set":
            _apply_set(request, note)
        else:
            messages.success(request, "Saved.")
        return redirect("treatments:note-edit", note.pk)
    if request.htmx:
        return render(request, "treatments/note_edit.html#autosave", {"invalid": True})
    record_read(request, patient=note.appointment.patient, what="note form", object_id=note.pk)
    return render(request, "treatments/note_edit.html", _edit_context(note, form, rows))


def _edit_context(note: SessionNote, form: NoteForm, rows) -> dict:
    appointment = note.appointment
    data = form.data if form.is_bound else {}
    inserted = data.get("needles_inserted", note.needles_inserted)
    removed = data.get("needles_removed", note.needles_removed)
    return {
        "note": note,
        "appointment": appointment,
        "complaint": appointment.course.complaint if appointment.course_id else None,
        "red_flags": notes.complaint_has_red_flags(appointment),
        "form": form,
        "rows": rows,
        "mismatch": str(inserted or 0) != str(removed or 0),
        "inserted": inserted or 0,
        "removed": removed or 0,
        "point_sets": PointSet.objects.filter(practitioner__user=note.author),
    }


@staff_required("treatments.change_sessionnote")
@require_POST
def note_sign(request, pk):
    note = get_note_for_user(request, pk)
    if note.author_id != request.user.pk:
        raise PermissionDenied("Only the author signs a note.")
    if note.is_signed:
        messages.info(request, "This note is already signed.")
        return redirect("treatments:note-detail", note.pk)
    return _sign(request, note)


@staff_required("treatments.view_sessionnote")
@require_GET
def note_detail(request, pk):
    note = get_note_for_user(request, pk, content=False)
    record_read(request, patient=note.appointment.patient, what="session note", object_id=note.pk)
    if not note.readable_by(request.user):
        # Someone else's draft: that it exists, by whom and when; not a word of it.
        context = {"note": note, "appointment": note.appointment, "content_hidden": True}
        return render(request, "treatments/note_detail.html", context)
    needs_error_addendum = note.needs_error_addendum
    addenda = list(note.addenda.select_related("author"))
    context = {
        "can_amend": note.is_signed and note.amendable_by(request.user),
        "note": note,
        "appointment": note.appointment,
        "points": NotePoint.objects.filter(note=note).select_related("point"),
        "addenda": addenda,
        "techniques": [Technique(t).label for t in note.techniques if t in Technique.values],
        "verification": seals.check_note(note, addenda) if note.is_signed else None,
        "problems": [] if note.is_signed else notes.signing_problems(note),
        "needs_error_addendum": needs_error_addendum,
        "addendum_kinds": AddendumKind.choices,
        "addendum_kind": AddendumKind.ENTERED_IN_ERROR
        if needs_error_addendum
        else AddendumKind.CORRECTION,
    }
    return render(request, "treatments/note_detail.html", context)


@staff_required("treatments.add_noteaddendum")
@require_POST
def addendum_create(request, pk):
    note = get_note_for_user(request, pk)
    if not note.amendable_by(request.user):
        raise PermissionDenied(notes.ADDENDA_BY_AUTHOR_OR_MANAGER)
    form = AddendumForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"Addendum not saved: {field}: {' '.join(errors)}")
        return redirect("treatments:note-detail", note.pk)
    try:
        notes.addendum_add(note=note, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, f"Addendum not saved: {' '.join(error.messages)}")
    else:
        messages.success(request, "Addendum signed and added.")
    return redirect("treatments:note-detail", note.pk)


@staff_required("treatments.view_pointset", role=Role.PRACTITIONER)
@require_GET
def point_set_list(request):
    point_sets = PointSet.objects.filter(practitioner=_practitioner(request)).prefetch_related(
        Prefetch("items", queryset=PointSetItem.objects.select_related("point"))
    )
    return render(request, "treatments/point_set_list.html", {"point_sets": point_sets})


@staff_required("treatments.add_pointset", role=Role.PRACTITIONER)
@require_http_methods(["GET", "POST"])
def point_set_create(request):
    practitioner = _practitioner(request)
    form = PointSetForm(request.POST or None, practitioner=practitioner)
    rows = point_rows(request.POST or None)
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        try:
            notes.point_set_save(
                practitioner=practitioner, name=form.cleaned_data["name"], points=rows.points()
            )
        except ValidationError as error:
            form.add_error("name", error.messages)
        else:
            messages.success(request, f"Point set “{form.cleaned_data['name']}” saved.")
            return redirect("treatments:point-sets")
    return render(request, "treatments/point_set_form.html", {"form": form, "rows": rows})


@staff_required("treatments.delete_pointset", role=Role.PRACTITIONER)
@require_POST
def point_set_delete(request, pk):
    point_set = get_object_or_404(PointSet, pk=pk, practitioner=_practitioner(request))
    notes.point_set_delete(point_set=point_set)
    messages.success(request, f"Point set “{point_set.name}” deleted.")
    return redirect("treatments:point-sets")
