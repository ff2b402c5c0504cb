"""Who may open what: anonymous visitors log in first, accounts without a role see nothing."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clinic.models import User
from tests.factories import PASSWORD, UserFactory

NAMESPACES = ("clinic", "patients", "treatments")
NEW_PASSWORD = "a-different-long-passphrase-42"


def _urls_in(resolver, namespace):
    """(url name, path) of every pattern under `resolver`, <int:…> arguments set to 1."""
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if pattern.namespace else namespace
            yield from _urls_in(pattern, inner)
        elif isinstance(pattern, URLPattern):
            arguments = (
                getattr(pattern.pattern, "converters", {}) or pattern.pattern.regex.groupindex
            )
            name = f"{namespace}:{pattern.name}"
            yield name, reverse(name, kwargs=dict.fromkeys(arguments, 1))


# Addresses for machines, not people: no login, their own credential instead.
MACHINE_ENDPOINTS = {
    "treatments:sms-status",  # the SMS provider's delivery reports, signed with a shared secret
}


def _all_urls():
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace in NAMESPACES:
            yield from _urls_in(pattern, pattern.namespace)


PROTECTED_URLS = sorted((name, path) for name, path in _all_urls() if name not in MACHINE_ENDPOINTS)
MACHINE_URLS = sorted((name, path) for name, path in _all_urls() if name in MACHINE_ENDPOINTS)


def _assert_sent_to_login(response, path):
    assert response.status_code == 302
    location = urlsplit(response.url)
    assert location.path == reverse("login")
    assert parse_qs(location.query) == {"next": [path]}


def test_the_url_walk_finds_the_clinic_and_patient_pages():
    names = {name for name, _ in PROTECTED_URLS}
    assert {
        "clinic:home",
        "clinic:staff-set-active",
        "patients:complaint-edit",
        "treatments:schedule-day",
        "treatments:appointment-undo",
        "treatments:course-book",
    } <= names


@pytest.mark.parametrize(("name", "path"), PROTECTED_URLS, ids=[n for n, _ in PROTECTED_URLS])
def test_an_account_without_a_role_is_refused_every_page(nobody_client, name, path):
    assert nobody_client.get(path).status_code == 403
    assert nobody_client.post(path).status_code == 403


@pytest.mark.parametrize(("name", "path"), PROTECTED_URLS, ids=[n for n, _ in PROTECTED_URLS])
def test_anonymous_visitor_is_sent_to_log_in_from_every_page(client, db, name, path):
    _assert_sent_to_login(client.get(path), path)


def test_every_machine_endpoint_exists():
    assert {name for name, _ in MACHINE_URLS} == MACHINE_ENDPOINTS


@pytest.mark.parametrize(("name", "path"), MACHINE_URLS, ids=[n for n, _ in MACHINE_URLS])
@pytest.mark.parametrize("who", ["client", "nobody_client", "maria_client"])
def test_a_machine_endpoint_refuses_anyone_without_its_credential(request, db, who, name, path):
    visitor = request.getfixturevalue(who)
    assert visitor.get(path).status_code == 405
    assert visitor.post(path).status_code == 403


@pytest.mark.parametrize("name", ["password_change", "password_change_done"])
def test_anonymous_visitor_is_sent_to_log_in_from_the_password_pages(client, db, name):
    path = reverse(name)
    _assert_sent_to_login(client.get(path), path)


@pytest.mark.parametrize("name", ["clinic:home", "patients:list"])
def test_account_without_a_role_is_refused(nobody_client, name):
    response = nobody_client.get(reverse(name))

    assert response.status_code == 403
    assert "This page is not part of your role" in response.text


def test_login_page_is_shown_to_anonymous_visitors(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert 'type="password"' in response.text
    assert 'name="username"' in response.text


def test_logging_in_with_username_and_password_leads_home(client, fiona):
    response = client.post(reverse("login"), {"username": "fiona", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("clinic:home")
    assert client.get(reverse("clinic:home")).status_code == 200


def test_logging_in_returns_to_the_page_asked_for(client, fiona):
    data = {"username": "fiona", "password": PASSWORD, "next": reverse("patients:list")}

    response = client.post(reverse("login"), data)

    assert response.status_code == 302
    assert response.url == reverse("patients:list")


def test_logging_in_with_a_wrong_password_shows_the_form_again(client, fiona):
    response = client.post(reverse("login"), {"username": "fiona", "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert 'value="fiona"' in response.text
    assert "_auth_user_id" not in client.session


def test_login_page_sends_a_logged_in_member_of_staff_home(fiona_client):
    response = fiona_client.get(reverse("login"))

    assert response.status_code == 302
    assert response.url == reverse("clinic:home")


def test_inactive_account_cannot_log_in(client, db):
    UserFactory(username="gone", is_active=False)

    response = client.post(reverse("login"), {"username": "gone", "password": PASSWORD})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert "_auth_user_id" not in client.session


def test_logging_out_by_get_is_not_allowed(fiona_client):
    response = fiona_client.get(reverse("logout"))

    assert response.status_code == 405
    assert fiona_client.get(reverse("clinic:home")).status_code == 200


def test_logging_out_by_post_ends_the_session(fiona_client):
    response = fiona_client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    home = reverse("clinic:home")
    _assert_sent_to_login(fiona_client.get(home), home)


@pytest.mark.parametrize("member", ["fiona", "paul", "maria"])
def test_every_member_of_staff_can_change_their_password(request, member):
    client = request.getfixturevalue(f"{member}_client")
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert page.text.count('type="password"') == 3

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    assert client.get(response.url).status_code == 200
    assert User.objects.get(username=member).check_password(NEW_PASSWORD)


def test_changing_password_with_a_wrong_old_password_shows_the_form_again(fiona_client, fiona):
    response = fiona_client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    fiona.refresh_from_db()
    assert fiona.check_password(PASSWORD)
