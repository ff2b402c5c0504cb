from django.contrib import admin

from clinic.admin_mixins import ReadOnlyAdminMixin
from patients.models import Complaint, Patient


class ComplaintInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Complaint
    fields = ["title", "side", "onset_date", "pain_at_intake", "status"]
    extra = 0
    show_change_link = True


@admin.register(Patient)
class PatientAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["family_name", "given_name", "date_of_birth", "phone", "email", "is_archived"]
    list_filter = ["is_archived", "sex", "created_at"]
    search_fields = ["family_name", "given_name", "preferred_name", "phone", "email"]
    date_hierarchy = "created_at"
    inlines = [ComplaintInline]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "patient", "side", "onset_date", "pain_at_intake", "status"]
    list_filter = ["status", "side", "onset_date"]
    search_fields = ["title", "patient__family_name", "patient__given_name"]
    list_select_related = ["patient"]
