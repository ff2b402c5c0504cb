"""The people in the tests, named so that access rules read as sentences:

- Fiona works at the front desk;
- Paul and Priya are practitioners;
- Maria is the clinic manager;
- Nobody has an account but no role (a deactivated role, a half-created account);
- an anonymous visitor uses the plain `client`.
"""

import os
import time
from contextlib import contextmanager

import pytest
from django.db import connection
from django.utils import timezone

from clinic.roles import Role
from tests.factories import PractitionerFactory, UserFactory, mid_morning_zone


@pytest.fixture(scope="session")
def playwright():
    """pytest-playwright's fixture of the same name, plus what Django needs beside it.

    Playwright's sync API keeps an asyncio loop running in the tests' thread from its start
    to the end of the session. Django then takes every ORM call for async code (hence
    DJANGO_ALLOW_ASYNC_UNSAFE: there is no async code here) and keeps its database
    connections per context rather than per thread, so the connections made before
    Playwright started (the test database's, with its serialized contents) would no longer
    be the tests' ones. `_browser_before_database` therefore starts Playwright first.
    """
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as running:
            yield running
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="session", autouse=True)
def _browser_before_database(request):
    """When this run has browser tests to run (tests/e2e), start Playwright before anything
    touches the database (see `playwright`)."""
    if any(item.get_closest_marker("e2e") for item in request.session.items):
        request.getfixturevalue("playwright")


@pytest.fixture(scope="session", autouse=True)
def _flush_lifts_record_protection():
    """Transactional tests (the browser journeys, the concurrency tests) empty every table
    when they end: DELETE on SQLite, TRUNCATE on PostgreSQL, both refused on the clinical
    records by design (treatments/audit/protection.py). The flush, and nothing else, runs
    with the protection lifted; it is back before the next test starts."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from treatments.audit.protection import protection_lifted

    flush = BaseDatabaseOperations.execute_sql_flush

    def flush_past_the_triggers(self, sql_list):
        with protection_lifted(self.connection):
            flush(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = flush_past_the_triggers
    yield
    BaseDatabaseOperations.execute_sql_flush = flush


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        reason = "needs PostgreSQL: run with DATABASE_URL=postgres://… (.ci/run does)"
        if os.environ.get("MERIDIAN_REQUIRE_POSTGRES_TESTS"):
            pytest.fail(f"{reason}, but MERIDIAN_REQUIRE_POSTGRES_TESTS is set")
        pytest.skip(reason)


@pytest.fixture
def fiona(db):
    return UserFactory(
        username="fiona", first_name="Fiona", last_name="Desk", roles=[Role.FRONT_DESK]
    )


@pytest.fixture
def paul(db):
    return PractitionerFactory(
        user__username="paul", user__first_name="Paul", user__last_name="Needham"
    ).user


@pytest.fixture
def priya(db):
    return PractitionerFactory(
        user__username="priya", user__first_name="Priya", user__last_name="Shah"
    ).user


@pytest.fixture
def maria(db):
    return UserFactory(
        username="maria", first_name="Maria", last_name="Manager", roles=[Role.MANAGER]
    )


@pytest.fixture
def nobody(db):
    return UserFactory(username="nobody", first_name="No", last_name="Role")


def _client_for(client_class, user):
    client = client_class()
    client.force_login(user)
    return client


@pytest.fixture
def fiona_client(fiona, client_class):
    return _client_for(client_class, fiona)


@pytest.fixture
def paul_client(paul, client_class):
    return _client_for(client_class, paul)


@pytest.fixture
def priya_client(priya, client_class):
    return _client_for(client_class, priya)


@pytest.fixture
def maria_client(maria, client_class):
    return _client_for(client_class, maria)


@pytest.fixture
def nobody_client(nobody, client_class):
    return _client_for(client_class, nobody)


@pytest.fixture
def client_class():
    from django.test import Client

    return Client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher is slow by design; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def second_factor_not_required(settings):
    """Views are tested with `force_login`, which gives no second code: here no role needs one
    (tests/clinic/test_two_factor.py turns it on; the browser journeys keep the production
    default, practitioners and managers, and log in with a code: tests/e2e/steps.py)."""
    settings.OTP_REQUIRED_ROLES = []


@pytest.fixture
def mid_morning(settings) -> None:
    """The clinic's clock reads between 09:00 and 10:00 (see factories.mid_morning_zone)."""
    settings.TIME_ZONE = mid_morning_zone()
    assert 9 <= timezone.localtime().hour < 10


def _every_session_active_now():
    """Stamp every stored session as active this instant. Idle logoff (clinic/idle.py) saves a
    session whose last activity is older than a few seconds; a large set-up on a loaded machine
    would otherwise add that save to the request a query-count test measures."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.sessions.models import Session

    from clinic.idle import LAST_ACTIVE_AT

    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in Session.objects.values_list("session_key", flat=True):
        session = store(session_key=key)
        if LAST_ACTIVE_AT in session:
            session[LAST_ACTIVE_AT] = time.time()
            session.save()


def _measured_from_now(assert_queries):
    @contextmanager
    def measured(*args, **kwargs):
        _every_session_active_now()
        with assert_queries(*args, **kwargs) as context:
            yield context

    return measured


@pytest.fixture
def django_assert_num_queries(django_assert_num_queries):
    return _measured_from_now(django_assert_num_queries)


@pytest.fixture
def django_assert_max_num_queries(django_assert_max_num_queries):
    return _measured_from_now(django_assert_max_num_queries)
