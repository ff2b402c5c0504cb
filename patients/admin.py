from django.contrib import admin

from clinic.admin_mixins import ClinicalReadAdminMixin, ReadOnlyAdminMixin
from patients.models import Complaint, Patient


class ComplaintInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Complaint
    fields = ["title", "side", "onset_date", "pain_at_intake", "status"]
    extra = 0
    show_change_link = True


@admin.register(Patient)
class PatientAdmin(ClinicalReadAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    read_what = "admin patient"  # with the patient's complaints
    listing_what = "admin patient list"
    list_display = ["family_name", "given_name", "date_of_birth", "phone", "email", "is_archived"]
    list_filter = ["is_archived", "sex", "created_at"]
    search_fields = ["family_name", "given_name", "preferred_name", "phone", "email"]
    date_hierarchy = "created_at"
    inlines = [ComplaintInline]

    def patient_of(self, obj):
        return obj


@admin.register(Complaint)
class ComplaintAdmin(ClinicalReadAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    read_what = "admin complaint"
    listing_what = "admin complaint list"
    list_display = ["title", "patient", "side", "onset_date", "pain_at_intake", "status"]
    list_filter = ["status", "side", "onset_date"]
    search_fields = ["title", "patient__family_name", "patient__given_name"]
    list_select_related = ["patient"]

    def patient_of(self, obj):
        return obj.patient
