"""Access rules shared by every view: logged in, holding a clinic role, with permissions."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def staff_required(*permissions: str, role: str | None = None):
    """Require a logged-in, active member of staff with a role and all `permissions`
    (and, when given, that particular `role`).

    Anonymous visitors are sent to the login page; staff without the role or permission
    get 403.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_clinic_staff or not user.has_perms(permissions):
                raise PermissionDenied
            if role is not None and role not in user.roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
