"""A manager resets a colleague's password: a link by e-mail, or a one-time password that
must be changed at the next login. Passwords need 12 characters and must not be common."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.models import SecurityEvent, SecurityEventKind
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "a-brand-new-long-passphrase"
ONE_TIME = "temporary-pass-4821"


def logs_in(client, username, password) -> bool:
    client.post(reverse("login"), {"username": username, "password": password})
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("password", ["Summer2024", "short-pass1", "123456789012345"])
def test_weak_passwords_are_refused(fiona, password):
    with pytest.raises(ValidationError):
        validate_password(password, fiona)


def test_the_test_and_demo_passwords_pass_the_validators(fiona):
    validate_password(PASSWORD, fiona)
    validate_password("meridian-demo", fiona)


def test_a_manager_e_mails_a_reset_link_and_following_it_sets_a_new_password(
    client, fiona, maria, maria_client
):
    response = maria_client.post(reverse("clinic:staff-password-link", args=[fiona.pk]))

    assert response.url == reverse("clinic:staff-list")
    (email,) = mail.outbox
    assert email.to == [fiona.email]
    assert "fiona" in email.body and "Maria Manager" in email.body
    link = re.search(r"https?://\S+", email.body).group(0)

    form = client.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.url == reverse("password_reset_complete")

    assert logs_in(client_for_login := type(client)(), "fiona", NEW)
    assert not logs_in(type(client)(), "fiona", PASSWORD)
    assert client_for_login.get(reverse("clinic:home")).status_code == 200
    events = SecurityEvent.objects.filter(kind__startswith="password").order_by("id")
    assert [(e.kind, e.user, e.by) for e in events] == [
        (SecurityEventKind.PASSWORD_RESET, fiona, maria),
        (SecurityEventKind.PASSWORD_CHANGED, fiona, None),
    ]


def test_a_reset_link_works_only_once(client, fiona, maria_client):
    maria_client.post(reverse("clinic:staff-password-link", args=[fiona.pk]))
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    again = type(client)().get(link, follow=True)

    assert not again.context["validlink"]
    assert "Ask the clinic manager to send a new one" in again.text


def test_staff_without_an_e_mail_address_get_a_clear_message(fiona, maria_client):
    fiona.email = ""
    fiona.save()

    response = maria_client.post(
        reverse("clinic:staff-password-link", args=[fiona.pk]), follow=True
    )

    assert "has no e-mail address" in response.text
    assert mail.outbox == []
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_RESET).exists()


def test_a_one_time_password_must_be_changed_at_the_next_login(client, fiona, maria, maria_client):
    response = maria_client.post(
        reverse("clinic:staff-password", args=[fiona.pk]),
        {"new_password1": ONE_TIME, "new_password2": ONE_TIME},
    )
    assert response.url == reverse("clinic:staff-list")
    fiona.refresh_from_db()
    assert fiona.must_change_password

    assert logs_in(client, "fiona", ONE_TIME)
    for page in (reverse("clinic:home"), reverse("patients:list")):
        assert client.get(page).url == reverse("password_change")
    change = client.get(reverse("password_change"))
    assert "gave you a one-time password" in change.text

    client.post(
        reverse("password_change"),
        {"old_password": ONE_TIME, "new_password1": NEW, "new_password2": NEW},
    )

    fiona.refresh_from_db()
    assert not fiona.must_change_password
    assert client.get(reverse("clinic:home")).status_code == 200
    events = SecurityEvent.objects.filter(kind__startswith="password").order_by("id")
    assert [(e.kind, e.user, e.by, e.detail) for e in events] == [
        (SecurityEventKind.PASSWORD_RESET, fiona, maria, "one-time password set"),
        (SecurityEventKind.PASSWORD_CHANGED, fiona, None, ""),
    ]


def test_a_common_one_time_password_is_refused_next_to_the_field(fiona, maria_client):
    response = maria_client.post(
        reverse("clinic:staff-password", args=[fiona.pk]),
        {"new_password1": "Summer2024", "new_password2": "Summer2024"},
    )

    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    assert "at least 12 characters" in response.text
    fiona.refresh_from_db()
    assert fiona.check_password(PASSWORD) and not fiona.must_change_password


def test_a_common_password_is_refused_for_a_new_colleague(maria_client):
    data = {
        "first_name": "Ana",
        "last_name": "Reyes",
        "username": "ana",
        "email": "ana@clinic.test",
        "password1": "Summer2024",
        "password2": "Summer2024",
        "roles": ["Front desk"],
        "colour": "#2a9d8f",
    }
    response = maria_client.post(reverse("clinic:staff-create"), data)
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors


def test_a_manager_sets_their_own_password_from_their_menu_not_here(maria, maria_client):
    response = maria_client.post(
        reverse("clinic:staff-password", args=[maria.pk]),
        {"new_password1": ONE_TIME, "new_password2": ONE_TIME},
    )
    assert "Change your own password from the menu" in response.text
    maria.refresh_from_db()
    assert not maria.must_change_password


@pytest.mark.parametrize(
    ("method", "name"), [("get", "clinic:staff-password"), ("post", "clinic:staff-password-link")]
)
def test_only_the_manager_resets_passwords(client, fiona, fiona_client, paul_client, method, name):
    url = reverse(name, args=[fiona.pk])
    assert getattr(client, method)(url).status_code == 302
    assert getattr(fiona_client, method)(url).status_code == 403
    assert getattr(paul_client, method)(url).status_code == 403
    assert mail.outbox == []


def test_the_reset_link_page_refuses_a_get(fiona, maria_client):
    url = reverse("clinic:staff-password-link", args=[fiona.pk])
    assert maria_client.get(url).status_code == 405


def test_the_staff_list_offers_each_colleagues_password(fiona, maria_client):
    page = maria_client.get(reverse("clinic:staff-list"))
    assert reverse("clinic:staff-password", args=[fiona.pk]) in page.text
