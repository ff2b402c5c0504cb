"""The second factor's screens: the code after the password, setting up an authenticator
app, backup codes (see clinic/two_factor.py)."""

import django_otp
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.util import random_hex

from clinic import services, two_factor
from clinic.access import staff_required
from clinic.forms import AuthenticatorSetupForm, SecondFactorCodeForm

SETUP_KEY = "clinic.otp_setup_key"  # the secret being set up, until the app proves it has it


def _with_next(name: str, target: str) -> str:
    return f"{reverse(name)}?{urlencode({REDIRECT_FIELD_NAME: target})}"


def _verified(request, device) -> None:
    django_otp.login(request, device)
    request.session.cycle_key()  # a new session id for the stronger login
    request.session[two_factor.HAS_DEVICE] = True


@two_factor.exempt
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    target = two_factor.next_url(request)
    if request.user.is_verified():
        return redirect(target)
    if not two_factor.has_device(request.user):
        if two_factor.is_required_by_role(request.user):
            return redirect(_with_next("two-factor-setup", target))
        request.session[two_factor.HAS_DEVICE] = False  # reset by a manager, not required
        return redirect(target)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, error = services.otp_verify(
            user=request.user, token=form.cleaned_data["token"], request=request
        )
        if device is not None:
            _verified(request, device)
            return redirect(target)
        form.add_error("token", error)
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": target})


@two_factor.exempt
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def setup(request):
    target = two_factor.next_url(request)
    if two_factor.has_device(request.user):
        messages.info(request, "Your second factor is already set up.")
        return redirect(_with_next("two-factor-verify", target))
    key = request.session.setdefault(SETUP_KEY, random_hex(20))
    form = AuthenticatorSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.otp_enrol(
                user=request.user, key=key, token=form.cleaned_data["token"], request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            del request.session[SETUP_KEY]
            _verified(request, device)
            return render(
                request, "registration/two_factor_codes.html", {"codes": codes, "next": target}
            )
    device = two_factor.new_authenticator(request.user, key)
    context = {
        "form": form,
        "next": target,
        "qr_code": two_factor.qr_code_svg(device.config_url),
        "readable_key": two_factor.readable_key(device),
        "required": two_factor.is_required_by_role(request.user),
    }
    return render(request, "registration/two_factor_setup.html", context)


@staff_required()
@never_cache
@require_http_methods(["GET"])
def overview(request):
    context = {
        "has_device": two_factor.has_device(request.user),
        "backup_codes_left": two_factor.backup_codes_left(request.user),
    }
    return render(request, "registration/two_factor.html", context)


@staff_required()
@never_cache
@require_POST
def backup_codes(request):
    if not two_factor.has_device(request.user):
        return redirect("two-factor-setup")
    codes = services.otp_new_backup_codes(user=request.user, request=request)
    return render(
        request,
        "registration/two_factor_codes.html",
        {"codes": codes, "next": reverse("two-factor"), "replaced": True},
    )
