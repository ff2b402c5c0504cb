from clinic.audit import record_listing, record_read


class ReadOnlyAdminMixin:
    """Browse, search and filter in the admin; change through the app's own screens.

    The app's services are the only code that writes these rows (they validate, record who
    did what and keep related rows consistent), so the admin must not be a second path.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ClinicalReadAdminMixin:
    """Admin pages that show a clinical record write to the access log, as the app's do.

    A change page (and the object's history page, whose title is the record) records one
    read of `read_what` for the patient `patient_of(obj)` gives; a list page, when
    `listing_what` is set, records every patient on the page shown.
    """

    read_what = ""
    listing_what = ""

    def patient_of(self, obj):
        raise NotImplementedError(f"{type(self).__name__} says whose record an object is.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        self._record(request, _shown(response, "original"))
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        self._record(request, _shown(response, "object"))
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = _shown(response, "cl")
        if self.listing_what and changelist is not None:
            patients = [self.patient_of(obj) for obj in changelist.result_list]
            record_listing(request, patients=patients, what=self.listing_what)
        return response

    def _record(self, request, obj) -> None:
        if obj is not None:
            record_read(
                request, patient=self.patient_of(obj), what=self.read_what, object_id=obj.pk
            )


def _shown(response, name: str):
    """What a rendered admin page shows under `name` (nothing for a redirect or a refusal)."""
    return (getattr(response, "context_data", None) or {}).get(name)
