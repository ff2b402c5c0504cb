from django.conf import settings

from clinic import idle


def clinic(request):
    context = {"clinic_name": settings.CLINIC_NAME}
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        # The page timer's start (this request counts as activity): see clinic/idle.py.
        context["idle_logoff"] = {
            "seconds_left": idle.seconds_left_after(request),
            "warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
        }
    return context
