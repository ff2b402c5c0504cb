from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from clinic.admin_mixins import ReadOnlyAdminMixin
from clinic.models import (
    ClinicProfile,
    OpeningHours,
    Practitioner,
    Room,
    TimeOff,
    User,
    WorkingHours,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "role", "is_active"]
    list_filter = ["groups", "is_active", "is_superuser"]


@admin.register(Practitioner)
class PractitionerAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["display_name", "credentials", "user", "colour", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["display_name", "credentials", "user__username", "user__last_name"]
    list_select_related = ["user"]


@admin.register(Room)
class RoomAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["weekday", "opens", "closes"]


@admin.register(WorkingHours)
class WorkingHoursAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["practitioner", "weekday", "start", "end"]
    list_filter = ["weekday", "practitioner"]
    search_fields = ["practitioner__display_name"]
    list_select_related = ["practitioner"]


@admin.register(TimeOff)
class TimeOffAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["practitioner", "start", "end", "reason"]
    list_filter = ["practitioner"]
    search_fields = ["practitioner__display_name", "reason"]
    date_hierarchy = "start"
    list_select_related = ["practitioner"]


@admin.register(ClinicProfile)
class ClinicProfileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "phone", "email"]
    exclude = ["logo"]  # a data: URI, thousands of characters
