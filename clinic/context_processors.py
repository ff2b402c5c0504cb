from django.utils.functional import SimpleLazyObject, lazy

from clinic.models import ClinicProfile


def clinic_profile_for(request) -> ClinicProfile:
    """The clinic's profile, read at most once per request (the navigation shows it on every
    page, and a view may show it again)."""
    if not hasattr(request, "_clinic_profile"):
        request._clinic_profile = ClinicProfile.objects.current()
    return request._clinic_profile


def clinic(request):
    # Lazy: a fragment that never shows the clinic (an htmx swap) costs no query.
    return {
        "clinic_profile": SimpleLazyObject(lambda: clinic_profile_for(request)),
        # The name alone, as templates written before the profile existed call it.
        "clinic_name": lazy(lambda: clinic_profile_for(request).name, str)(),
    }
