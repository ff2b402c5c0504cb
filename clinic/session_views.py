"""The page timer's two requests (see clinic/idle.py)."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clinic import idle, two_factor
from clinic.access import staff_required


@login_not_required  # answers 0 once the session has ended, so the page can go to the login
@two_factor.exempt  # the timer runs on the page asking for the code too
@never_cache
@require_GET
@idle.passive
def session_status(request):
    left = idle.seconds_left(request.session) if request.user.is_authenticated else 0
    return JsonResponse({"seconds_left": round(left, 1)})


@staff_required()
@never_cache
@require_POST
def session_keep_alive(request):
    idle.touch(request)
    return JsonResponse({"seconds_left": round(idle.seconds_left(request.session), 1)})
