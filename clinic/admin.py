from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from clinic.admin_mixins import ReadOnlyAdminMixin
from clinic.models import Practitioner, Room, User


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
