"""The second factor: practitioners and managers (the production default, turned on here)
give a code from an authenticator app, or a backup code, after the password."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.models import SecurityEvent, SecurityEventKind
from clinic.roles import Role
from clinic.two_factor_views import SETUP_KEY
from tests.factories import PASSWORD, UserFactory, authenticator, code_now

pytestmark = pytest.mark.django_db

HOME = reverse("clinic:home")
VERIFY = reverse("two-factor-verify")
SETUP = reverse("two-factor-setup")


@pytest.fixture(autouse=True)
def second_factor_required(settings):
    settings.OTP_REQUIRED_ROLES = [Role.PRACTITIONER, Role.MANAGER]


def _password_login(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password was refused"
    return client


def _setup_code(client) -> str:
    device = TOTPDevice(key=client.session[SETUP_KEY])
    return f"{TOTP(device.bin_key).token():06d}"


def _events(kind) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=kind))


def test_a_practitioner_without_a_second_factor_is_sent_to_set_it_up_after_the_password(paul):
    client = _password_login("paul")
    response = client.get(HOME, follow=True)
    assert response.redirect_chain == [
        (f"{VERIFY}?next=/", 302),
        (f"{SETUP}?next=%2F", 302),
    ]
    assert "Set up your second factor" in response.text
    assert "Meridian holds health records" in response.text


def test_before_setting_it_up_no_page_of_the_app_opens(paul):
    client = _password_login("paul")
    for url in (reverse("patients:list"), reverse("treatments:my-day"), reverse("two-factor")):
        assert client.get(url)["Location"] == f"{VERIFY}?next={url}"
    assert client.get(HOME, headers={"HX-Request": "true"})["HX-Redirect"] == f"{VERIFY}?next=/"


def test_the_set_up_page_draws_the_qr_code_itself(paul):
    client = _password_login("paul")
    page = client.get(SETUP).text
    assert re.search(r'<div class="qr-code[^>]*role="img"[^>]*>\s*<svg ', page)
    assert "otpauth://" not in page  # only inside the drawing, never as a link or image address
    assert not re.search(r'src="https?:', page)


def test_setting_it_up_with_the_right_code_shows_ten_backup_codes_once_and_opens_the_app(paul):
    client = _password_login("paul")
    client.get(SETUP)
    response = client.post(SETUP, {"token": _setup_code(client), "next": "/"})
    codes = StaticToken.objects.filter(device__user=paul).values_list("token", flat=True)
    assert len(codes) == 10
    assert all(code in response.text for code in codes)
    assert "they are shown only now" in response.text
    assert client.get(HOME).status_code == 200
    assert TOTPDevice.objects.get(user=paul).confirmed
    (event,) = _events(SecurityEventKind.OTP_ENROLLED)
    assert event.user == paul
    assert SETUP_KEY not in client.session


def test_a_wrong_code_when_setting_it_up_is_refused_next_to_the_field_and_saves_nothing(paul):
    client = _password_login("paul")
    client.get(SETUP)
    response = client.post(SETUP, {"token": "12345x"})
    assert response.status_code == 200
    assert response.context["form"].errors["token"] == [
        "That code is not right. Type the six digits the app shows now."
    ]
    assert 'value="12345x"' in response.text
    assert not TOTPDevice.objects.exists()
    assert client.get(HOME).status_code == 302


def test_someone_with_a_second_factor_gives_the_code_after_the_password(paul):
    device = authenticator(paul)
    client = _password_login("paul")
    assert client.get(HOME)["Location"] == f"{VERIFY}?next=/"
    response = client.post(VERIFY, {"token": code_now(device), "next": "/"})
    assert response["Location"] == "/"
    assert client.get(HOME).status_code == 200


def test_the_set_up_page_cannot_add_a_second_device_with_the_password_alone(paul):
    authenticator(paul)
    client = _password_login("paul")
    response = client.post(SETUP, {"token": "123456"}, follow=True)
    assert response.redirect_chain[0][0].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=paul).count() == 1


def test_a_wrong_code_is_recorded_and_the_next_try_must_wait(paul):
    device = authenticator(paul)
    client = _password_login("paul")
    wrong = f"{(int(code_now(device)) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"token": wrong})
    assert "That code is not right" in response.text
    (event,) = _events(SecurityEventKind.OTP_FAILED)
    assert event.user == paul
    # django-otp's throttling: right away, even the right code waits.
    response = client.post(VERIFY, {"token": code_now(device)})
    assert "Too many wrong codes: wait 1 seconds, then try again." in response.text
    assert client.get(HOME).status_code == 302


def test_a_backup_code_works_once(paul):
    authenticator(paul)
    client = _password_login("paul")
    client.get(SETUP)  # already set up: nothing happens
    backup = StaticDevice.objects.create(user=paul, name="Backup codes")
    backup.token_set.create(token="abcd2345")
    assert client.post(VERIFY, {"token": "ABCD 2345"})["Location"] == HOME
    again = _password_login("paul")
    response = again.post(VERIFY, {"token": "abcd2345"})
    assert "That code is not right" in response.text


def test_new_backup_codes_replace_the_old_ones(paul):
    device = authenticator(paul)
    client = _password_login("paul")
    client.post(VERIFY, {"token": code_now(device)})
    first = set(StaticToken.objects.values_list("token", flat=True))
    response = client.post(reverse("two-factor-backup-codes"))
    second = set(StaticToken.objects.values_list("token", flat=True))
    assert len(second) == 10 and not first & second
    assert "These replace your earlier backup codes" in response.text
    assert "<strong>10 backup codes</strong> left" in client.get(reverse("two-factor")).text


def test_front_desk_needs_no_second_factor_by_default(fiona):
    assert _password_login("fiona").get(HOME).status_code == 200


def test_someone_who_set_it_up_of_their_own_accord_is_asked_for_it_too(fiona):
    device = authenticator(fiona)
    client = _password_login("fiona")
    assert client.get(HOME)["Location"] == f"{VERIFY}?next=/"
    client.post(VERIFY, {"token": code_now(device)})
    assert client.get(HOME).status_code == 200


def test_no_role_needs_it_when_the_setting_is_empty(paul, settings):
    settings.OTP_REQUIRED_ROLES = []
    assert _password_login("paul").get(HOME).status_code == 200


def test_the_django_admin_asks_for_the_code_too(db):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    client = _password_login("root")
    assert client.get("/admin/")["Location"] == f"{VERIFY}?next=/admin/"
    assert client.get("/admin/login/")["Location"].startswith(VERIFY)


def test_a_manager_resets_a_colleagues_second_factor(maria, paul):
    authenticator(paul)
    StaticDevice.objects.create(user=paul, name="Backup codes")
    manager = _password_login("maria")
    code = code_now(authenticator(maria))
    manager.post(VERIFY, {"token": code})
    staff = manager.get(reverse("clinic:staff-list")).text
    assert 'Reset<span class="visually-hidden"> Paul Needham’s second factor' in staff
    url = reverse("clinic:staff-two-factor-reset", args=[paul.pk])
    response = manager.post(url, follow=True)
    assert "second factor is reset" in response.text
    assert not TOTPDevice.objects.filter(user=paul).exists()
    assert not StaticDevice.objects.filter(user=paul).exists()
    (event,) = _events(SecurityEventKind.OTP_RESET)
    assert (event.user, event.by) == (paul, maria)
    # Paul sets it up again at his next login.
    assert _password_login("paul").get(HOME, follow=True).redirect_chain[-1][0].startswith(SETUP)


def test_only_a_manager_resets_a_second_factor_and_only_by_post(fiona_client, paul, maria):
    url = reverse("clinic:staff-two-factor-reset", args=[paul.pk])
    assert fiona_client.post(url).status_code == 403
    manager = _password_login("maria")
    manager.post(VERIFY, {"token": code_now(authenticator(maria))})
    assert manager.get(url).status_code == 405


def test_the_verify_page_sends_on_only_to_this_site(paul):
    device = authenticator(paul)
    client = _password_login("paul")
    response = client.post(VERIFY, {"token": code_now(device), "next": "https://evil.example/"})
    assert response["Location"] == HOME
