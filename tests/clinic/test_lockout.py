"""Lockout: five wrong passwords for one username from one address lock that pair for 15
minutes, on the staff login and the admin's; a manager sees it and can lift it."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from clinic.models import SecurityEvent, SecurityEventKind
from clinic.roles import Role
from clinic.security import client_address
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URLS = ["/accounts/login/", "/admin/login/"]
HOME = "192.0.2.10"
ELSEWHERE = "198.51.100.20"


@pytest.fixture
def admin_fiona(db):
    """Fiona with a staff flag as well, so the admin's login would let her in."""
    return UserFactory(username="fiona", roles=[Role.FRONT_DESK], is_staff=True, is_superuser=True)


def attempt(client, url, password, address=HOME, username="fiona"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def lock(client, url="/accounts/login/", times=5):
    return [attempt(client, url, "wrong-password").status_code for _ in range(times)]


@pytest.mark.parametrize("url", LOGIN_URLS)
def test_fifty_wrong_passwords_then_the_right_one_does_not_log_in(client, admin_fiona, url):
    statuses = [attempt(client, url, f"wrong-{n}").status_code for n in range(50)]

    response = attempt(client, url, PASSWORD)

    assert statuses.index(429) == 4  # the fifth failure locks
    assert set(statuses[:4]) == {200} and set(statuses[4:]) == {429}
    assert response.status_code == 429
    assert not logged_in(client)


def test_four_wrong_passwords_then_the_right_one_logs_in(client, fiona):
    assert lock(client, times=4) == [200, 200, 200, 200]

    response = attempt(client, "/accounts/login/", PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_a_successful_login_starts_the_count_again(client, fiona):
    lock(client, times=4)
    attempt(client, "/accounts/login/", PASSWORD)
    client.logout()

    assert lock(client, times=4) == [200, 200, 200, 200]


def test_the_same_username_from_another_address_is_not_locked(client, fiona):
    lock(client)

    response = attempt(client, "/accounts/login/", PASSWORD, address=ELSEWHERE)

    assert response.status_code == 302
    assert logged_in(client)


def test_another_username_from_the_same_address_is_not_locked(client, fiona, paul):
    lock(client)

    response = attempt(client, "/accounts/login/", PASSWORD, username="paul")

    assert response.status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, fiona, settings):
    lock(client)
    assert attempt(client, "/accounts/login/", PASSWORD).status_code == 429

    # Fifteen minutes pass (the failures are moved back in time rather than waited for).
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))

    response = attempt(client, "/accounts/login/", PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_retrying_while_locked_out_does_not_extend_the_lockout(client, fiona):
    lock(client)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    lock(client, times=3)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))

    assert attempt(client, "/accounts/login/", PASSWORD).status_code == 302


def test_the_lockout_page_is_in_the_apps_look_and_says_what_to_do(client, fiona, settings):
    response = lock(client, times=5) and attempt(client, "/accounts/login/", PASSWORD)

    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "base.html" in [t.name for t in response.templates]
    assert f"· {settings.CLINIC_NAME}</title>" in response.text
    assert "locked for 15 minutes" in response.text
    assert "ask the clinic manager to lift the lockout" in response.text
    assert "bootstrap.min.css" in response.text


def test_the_sign_in_trail_records_failures_one_lockout_a_login_and_a_logout(client, fiona):
    lock(client, times=7)
    attempt(client, "/accounts/login/", PASSWORD, address=ELSEWHERE)
    client.post(reverse("logout"), REMOTE_ADDR=ELSEWHERE)

    kinds = list(SecurityEvent.objects.order_by("id").values_list("kind", "detail"))
    assert kinds == [
        *[(SecurityEventKind.LOGIN_FAILED, "")] * 4,
        # axes locks while it counts the fifth failure, before the trail records that failure
        (SecurityEventKind.LOCKED_OUT, "after 5 failed logins"),
        (SecurityEventKind.LOGIN_FAILED, ""),
        *[(SecurityEventKind.LOGIN_FAILED, "while locked out")] * 2,
        (SecurityEventKind.LOGIN, ""),
        (SecurityEventKind.LOGOUT, ""),
    ]
    addresses = list(SecurityEvent.objects.order_by("id").values_list("ip_address", flat=True))
    assert addresses == [HOME] * 8 + [ELSEWHERE] * 2
    assert set(SecurityEvent.objects.values_list("username", flat=True)) == {"fiona"}


# --- the manager's screen -------------------------------------------------------------


def test_the_manager_sees_the_lockout_and_the_failed_logins(client, fiona, maria_client):
    lock(client)
    attempt(client, "/accounts/login/", "typo", username="no-such-person", address=ELSEWHERE)

    page = maria_client.get(reverse("clinic:sign-ins"))

    assert page.status_code == 200
    assert [a.username for a in page.context["lockouts"]] == ["fiona"]
    assert HOME in page.text
    assert "no-such-person" in page.text
    assert page.context["failures"][0].username == "no-such-person"


def test_the_manager_lifts_a_lockout_after_confirming_and_the_login_works(
    client, fiona, maria, maria_client
):
    lock(client)
    (locked,) = AccessAttempt.objects.all()
    lift = reverse("clinic:lockout-lift", args=[locked.pk])

    confirm = maria_client.get(lift)
    assert confirm.status_code == 200
    assert "Lift the lockout of fiona?" in confirm.text
    assert AccessAttempt.objects.exists()  # a GET changes nothing

    response = maria_client.post(lift)

    assert response.url == reverse("clinic:sign-ins")
    assert not AccessAttempt.objects.exists()
    event = SecurityEvent.objects.get(kind=SecurityEventKind.LOCKOUT_LIFTED)
    assert (event.user, event.username, event.by) == (fiona, "fiona", maria)
    assert attempt(client, "/accounts/login/", PASSWORD).status_code == 302


def test_lifting_a_lockout_that_is_gone_is_not_found(maria_client):
    assert maria_client.post(reverse("clinic:lockout-lift", args=[999])).status_code == 404


@pytest.mark.parametrize("name", ["clinic:sign-ins", "clinic:lockout-lift"])
def test_only_the_manager_opens_the_sign_in_screens(client, fiona_client, paul_client, name):
    AccessAttempt.objects.create(username="x", ip_address=HOME, failures_since_start=5)
    args = [AccessAttempt.objects.get().pk] if name == "clinic:lockout-lift" else []
    url = reverse(name, args=args)
    assert client.get(url).status_code == 302
    assert fiona_client.get(url).status_code == 403
    assert paul_client.get(url).status_code == 403
    assert AccessAttempt.objects.exists()


def test_the_sign_ins_screen_refuses_a_post(maria_client):
    assert maria_client.post(reverse("clinic:sign-ins")).status_code == 405


@pytest.mark.parametrize("rows", [10, 200])
def test_the_sign_ins_screen_query_count_does_not_grow(
    maria_client, django_assert_max_num_queries, rows
):
    now = timezone.now()
    AccessAttempt.objects.bulk_create(
        AccessAttempt(
            username=f"user{n}",
            ip_address=HOME,
            failures_since_start=5,
            attempt_time=now,
            user_agent="test",
        )
        for n in range(rows)
    )
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=SecurityEventKind.LOGIN_FAILED, username=f"user{n}") for n in range(rows)
    )
    # 1 session, 2 the manager, 3 the manager's roles, 4-5 own and group permissions,
    # 6 the current lockouts, 7 the latest failed logins, 8 the clinic's profile (navigation).
    with django_assert_max_num_queries(8):
        page = maria_client.get(reverse("clinic:sign-ins"))
    assert len(page.context["lockouts"]) == rows
    assert len(page.context["failures"]) == min(rows, 50)


def test_the_managers_navigation_leads_to_the_sign_ins(maria_client, fiona_client):
    url = reverse("clinic:sign-ins")
    assert f'href="{url}"' in maria_client.get(reverse("clinic:home")).text
    assert f'href="{url}"' not in fiona_client.get(reverse("clinic:home")).text


# --- one address for axes, the sign-in trail and the access log ----------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, "10.0.0.1"),
        (0, "203.0.113.5", "10.0.0.1"),  # no proxy: the header is anyone's to write
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the client's own entry is ignored
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (1, None, "10.0.0.1"),  # not through the proxy
        (1, "not-an-address", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": "10.0.0.1"}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(RequestFactory().get("/", **meta)) == expected


def test_behind_a_proxy_the_lockout_and_the_trail_use_the_forwarded_address(
    client, fiona, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        client.post(
            "/accounts/login/",
            {"username": "fiona", "password": "wrong-password"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=HOME,
        )
    other_client = client.post(
        "/accounts/login/",
        {"username": "fiona", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=ELSEWHERE,
    )

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HOME}
    assert other_client.status_code == 302  # same proxy, another client: not locked
    assert set(SecurityEvent.objects.values_list("ip_address", flat=True)) == {HOME, ELSEWHERE}


def test_the_access_log_records_the_same_address(settings, paul):
    from tests.factories import PatientFactory
    from treatments.audit.services import record_read
    from treatments.models import AccessLog

    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=HOME)
    request.user = paul
    patient = PatientFactory()
    record_read(request, patient=patient, what="patient", object_id=patient.pk)

    assert AccessLog.objects.get().ip_address == HOME == client_address(request)
