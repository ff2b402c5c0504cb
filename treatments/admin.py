from django.contrib import admin

from clinic.admin_mixins import ClinicalReadAdminMixin, ReadOnlyAdminMixin
from treatments.models import (
    AccessLog,
    AcupuncturePoint,
    Appointment,
    AppointmentStatusChange,
    AppointmentType,
    NoteAddendum,
    NotePoint,
    PointSet,
    PointSetItem,
    SessionNote,
    TreatmentCourse,
)


@admin.register(AppointmentType)
class AppointmentTypeAdmin(admin.ModelAdmin):
    """Plain configuration (a name, a length, a colour): edited here by a superuser."""

    list_display = ["name", "default_duration", "colour", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: past appointments keep their type


class StatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AppointmentStatusChange
    fk_name = "appointment"
    fields = ["changed_at", "from_status", "to_status", "changed_by", "note"]
    extra = 0


@admin.register(Appointment)
class AppointmentAdmin(ClinicalReadAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # The change page shows the course (its complaint's title); the list only what the
    # calendar shows (who, when, where), so it is not logged, like the calendar.
    read_what = "admin appointment"
    list_display = ["start", "end", "patient", "practitioner", "room", "status"]
    list_filter = ["status", "practitioner", "room", "appointment_type", "late_cancellation"]
    search_fields = ["patient__family_name", "patient__given_name"]
    date_hierarchy = "start"
    list_select_related = ["patient", "practitioner", "room"]
    inlines = [StatusChangeInline]

    def patient_of(self, obj):
        return obj.patient


@admin.register(TreatmentCourse)
class TreatmentCourseAdmin(ClinicalReadAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    read_what = "admin course"
    listing_what = "admin course list"
    list_display = ["complaint", "practitioner", "planned_sessions", "status", "start_date"]
    list_filter = ["status", "practitioner"]
    search_fields = ["complaint__title", "complaint__patient__family_name"]
    list_select_related = ["complaint__patient", "practitioner"]

    def patient_of(self, obj):
        return obj.complaint.patient


@admin.register(AppointmentStatusChange)
class AppointmentStatusChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["appointment", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status"]
    date_hierarchy = "changed_at"
    list_select_related = ["appointment__patient", "changed_by"]


# --- session notes and the access log --------------------------------------------------------
# Clinical records: read-only here. Notes are written through treatments.notes.services only, and
# simple-history's SimpleHistoryAdmin is not used: its "revert" view (history/<id>/) saves a
# POSTed form whatever the change permission, which would be a path around the lock. Managers
# read a note's history on the app's own note history page.


class NotePointInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = NotePoint
    fields = ["point", "side"]
    extra = 0


class NoteAddendumInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = NoteAddendum
    fields = ["signed_at", "author", "reason", "text", "content_hash"]
    extra = 0


@admin.register(SessionNote)
class SessionNoteAdmin(ClinicalReadAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    read_what = "admin session note"  # with its points and addenda
    listing_what = "admin session note list"
    list_display = ["appointment", "author", "signed_at", "signed_by"]
    list_filter = [("signed_at", admin.EmptyFieldListFilter)]
    search_fields = ["appointment__patient__family_name", "appointment__patient__given_name"]
    list_select_related = ["appointment__patient", "author", "signed_by"]
    inlines = [NotePointInline, NoteAddendumInline]
    # Someone else's draft shows only that it exists (SessionNote.readable_by).
    DRAFT_FIELDS = ["appointment", "author", "created_at", "updated_at", "content"]

    def _withheld(self, request, obj) -> bool:
        return obj is not None and not obj.readable_by(request.user)

    def get_fields(self, request, obj=None):
        if self._withheld(request, obj):
            return self.DRAFT_FIELDS
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if self._withheld(request, obj):
            return self.DRAFT_FIELDS
        return super().get_readonly_fields(request, obj)

    def get_inlines(self, request, obj):
        return [] if self._withheld(request, obj) else super().get_inlines(request, obj)

    @admin.display(description="Content")
    def content(self, obj):
        return "A draft is readable only by its author until it is signed."

    def patient_of(self, obj):
        return obj.appointment.patient


@admin.register(NoteAddendum)
class NoteAddendumAdmin(ClinicalReadAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    read_what = "admin addendum"
    listing_what = "admin addendum list"
    list_display = ["note", "author", "reason", "signed_at"]
    date_hierarchy = "signed_at"
    list_select_related = ["note__appointment__patient", "author"]

    def patient_of(self, obj):
        return obj.note.appointment.patient


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["accessed_at", "user", "patient", "what", "object_id", "ip_address"]
    list_filter = ["what"]
    search_fields = ["patient__family_name", "user__username"]
    date_hierarchy = "accessed_at"
    list_select_related = ["user", "patient"]


class PointSetItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PointSetItem
    fields = ["point", "side"]
    extra = 0


@admin.register(PointSet)
class PointSetAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "practitioner"]
    list_filter = ["practitioner"]
    list_select_related = ["practitioner"]
    inlines = [PointSetItemInline]


@admin.register(AcupuncturePoint)
class AcupuncturePointAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "meridian"]
    list_filter = ["meridian"]
    search_fields = ["code", "name"]
