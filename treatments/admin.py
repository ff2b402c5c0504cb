from django.contrib import admin

from clinic.admin_mixins import ReadOnlyAdminMixin
from treatments.models import (
    Appointment,
    AppointmentStatusChange,
    AppointmentType,
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
class AppointmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["start", "end", "patient", "practitioner", "room", "status"]
    list_filter = ["status", "practitioner", "room", "appointment_type", "late_cancellation"]
    search_fields = ["patient__family_name", "patient__given_name"]
    date_hierarchy = "start"
    list_select_related = ["patient", "practitioner", "room"]
    inlines = [StatusChangeInline]


@admin.register(TreatmentCourse)
class TreatmentCourseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["complaint", "practitioner", "planned_sessions", "status", "start_date"]
    list_filter = ["status", "practitioner"]
    search_fields = ["complaint__title", "complaint__patient__family_name"]
    list_select_related = ["complaint", "practitioner"]


@admin.register(AppointmentStatusChange)
class AppointmentStatusChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["appointment", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status"]
    date_hierarchy = "changed_at"
    list_select_related = ["appointment__patient", "changed_by"]
