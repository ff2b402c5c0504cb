"""The sign-in screens: the lockout page, the managers' view of failed logins and lockouts,
a colleague's password, and the password pages that record what they change."""

from axes.models import AccessAttempt
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clinic import services
from clinic.access import staff_required
from clinic.models import SecurityEvent, SecurityEventKind, User
from clinic.roles import Role
from clinic.security import current_lockouts, lockout_minutes

RECENT_FAILURES = 50


def locked_out(request, original_response=None, credentials=None):
    """Axes' lockout response (AXES_LOCKOUT_CALLABLE): the app's page, status 429."""
    context = {"minutes": lockout_minutes()}
    return render(request, "registration/locked_out.html", context, status=429)


@staff_required("clinic.change_user", role=Role.MANAGER)
@require_http_methods(["GET"])
def sign_ins(request):
    failures = SecurityEvent.objects.filter(
        kind__in=[SecurityEventKind.LOGIN_FAILED, SecurityEventKind.LOCKED_OUT]
    )[:RECENT_FAILURES]
    context = {
        "lockouts": current_lockouts(),
        "failures": failures,
        "limit": RECENT_FAILURES,
        "minutes": lockout_minutes(),
    }
    return render(request, "clinic/sign_ins.html", context)


@staff_required("clinic.change_user", role=Role.MANAGER)
@require_http_methods(["GET", "POST"])
def lockout_lift(request, pk):
    attempt = get_object_or_404(AccessAttempt, pk=pk)
    if request.method == "POST":
        services.lockout_lift(attempt=attempt, by=request.user, request=request)
        messages.success(request, f"{attempt.username} can log in again from that address.")
        return redirect("clinic:sign-ins")
    return render(request, "clinic/lockout_lift.html", {"attempt": attempt})


@staff_required("clinic.change_user", role=Role.MANAGER)
@require_http_methods(["GET", "POST"])
def staff_password(request, pk):
    """A colleague's password: send a reset link, or set a one-time password."""
    member = get_object_or_404(User, pk=pk)
    form = SetPasswordForm(member, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_set_one_time_password(
                user=member,
                password=form.cleaned_data["new_password1"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{member}'s one-time password is set: they choose their own at their next login.",
            )
            return redirect("clinic:staff-list")
    return render(request, "clinic/staff_password.html", {"form": form, "member": member})


@staff_required("clinic.change_user", role=Role.MANAGER)
@require_POST
def staff_password_link(request, pk):
    member = get_object_or_404(User, pk=pk)
    try:
        services.staff_send_password_reset(user=member, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("clinic:staff-password", pk=member.pk)
    messages.success(request, f"A link to choose a new password was e-mailed to {member}.")
    return redirect("clinic:staff-list")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page, recording the change and clearing a one-time password's flag."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=form.user, request=self.request)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's page behind an e-mailed link, recording the change."""

    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=form.user, request=self.request)
        return response
