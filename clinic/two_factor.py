"""The second factor (django-otp): an authenticator app (TOTP) and one-time backup codes.

Who must use it: staff holding a role in `OTP_REQUIRED_ROLES` (and, while that is not empty,
anyone who may use the Django admin), and anyone who has set it up. Such a user logs in with
the password, then gives a code; until then every page but the two-factor ones sends them on
(`TwoFactorMiddleware`). The writes are in clinic/services.py.
"""

from base64 import b32encode
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.models import User

HAS_DEVICE = "clinic.otp_has_device"  # noted at login, so the check costs no query
BACKUP_CODE_COUNT = 10


def exempt(view):
    """Mark a view an unverified user may open (log in and out, the two-factor pages)."""
    view.two_factor_exempt = True
    return view


def is_required_by_role(user: User) -> bool:
    required = set(settings.OTP_REQUIRED_ROLES)
    return bool(required) and (bool(required & user.roles) or user.is_staff)


def authenticator(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=confirmed).first()


def has_device(user: User) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def has_device_subquery() -> Exists:
    """For annotating a list of users: whether each has set up an authenticator app."""
    return Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))


def backup_codes_left(user: User) -> int:
    device = StaticDevice.objects.devices_for_user(user, confirmed=True).first()
    return device.token_set.count() if device else 0


def note_device_at_login(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: whether this user has a second factor to give."""
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE] = has_device(user)


def needs_verifying(request) -> bool:
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    return request.session.get(HAS_DEVICE, False) or is_required_by_role(user)


def qr_code_svg(config_url: str) -> str:
    """The authenticator app's set-up link as an inline SVG (drawn here: no outside service)."""
    image = qrcode.make(config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    return svg[svg.index("<svg") :]


def new_authenticator(user: User, key: str) -> TOTPDevice:
    """An unsaved authenticator for `key` (the one being set up)."""
    return TOTPDevice(user=user, key=key, name="Authenticator app", confirmed=True)


def readable_key(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed: base32, in groups of four."""
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def next_url(request, default: str = "clinic:home") -> str:
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse(default)


class TwoFactorMiddleware:
    """Sends a user who must give a second code and has not yet to do so, whatever page they
    ask for (the admin included). Goes after OTPMiddleware and the idle logoff."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "two_factor_exempt", False) or not needs_verifying(request):
            return None
        target = f"{reverse('two-factor-verify')}?{REDIRECT_FIELD_NAME}={quote(request.path)}"
        if request.headers.get("HX-Request"):
            return HttpResponse(headers={"HX-Redirect": target})
        return redirect(target)
