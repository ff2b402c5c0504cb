from django.conf import settings
from django.utils.functional import SimpleLazyObject, lazy

import clinic as meridian
from clinic import idle
from clinic.models import ClinicProfile
from clinic.source import source_url


def clinic_profile_for(request) -> ClinicProfile:
    """The clinic's profile, read at most once per request (the navigation shows it on every
    page, and a view may show it again)."""
    if not hasattr(request, "_clinic_profile"):
        request._clinic_profile = ClinicProfile.objects.current()
    return request._clinic_profile


def clinic(request):
    # Lazy: a fragment that never shows the clinic (an htmx swap) costs no query.
    context = {
        "clinic_profile": SimpleLazyObject(lambda: clinic_profile_for(request)),
        # The name alone, as templates written before the profile existed call it.
        "clinic_name": lazy(lambda: clinic_profile_for(request).name, str)(),
        # AGPL section 13: the footer offers every user the source, signed in or not. The
        # footer shows the version to managers only (base.html): they report problems and
        # check upgrades; a visitor who is not signed in must not learn what to attack.
        "source_url": source_url(),
        "meridian_version": meridian.__version__,
    }
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        # The page timer's start (this request counts as activity): see clinic/idle.py.
        context["idle_logoff"] = {
            "seconds_left": idle.seconds_left_after(request),
            "warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
        }
    return context
