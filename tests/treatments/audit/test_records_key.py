"""The records key has its own environment variable; `check --deploy` refuses a deployment
without a proper one (the tests of the settings themselves are in tests/clinic/test_env.py)."""

import pytest

from tests.treatments.audit.sealed import verify_records
from treatments.audit.keys import MIN_LENGTH, check_records_key

GOOD_KEY = "a-proper-records-key-of-the-clinic-0123456789abcdef"


def errors(settings, key) -> list[str]:
    settings.MERIDIAN_RECORDS_KEY = key
    return [error.id for error in check_records_key()]


def test_a_long_key_of_its_own_passes_the_deploy_check(settings):
    assert errors(settings, GOOD_KEY) == []


@pytest.mark.parametrize("key", [None, ""])
def test_a_missing_key_fails_the_deploy_check(settings, key):
    assert errors(settings, key) == ["meridian.E020"]


def test_a_short_key_fails_the_deploy_check(settings):
    assert errors(settings, "x" * (MIN_LENGTH - 1)) == ["meridian.E021"]


def test_the_development_key_fails_the_deploy_check(settings):
    assert errors(settings, settings.RECORDS_KEY_FOR_DEVELOPMENT) == ["meridian.E022"]


def test_the_secret_key_cannot_double_as_the_records_key(settings):
    assert errors(settings, settings.SECRET_KEY) == ["meridian.E022"]


@pytest.mark.django_db
def test_verify_records_without_a_key_says_so(settings):
    settings.MERIDIAN_RECORDS_KEY = None

    status, output = verify_records()

    assert status == 1
    assert "MERIDIAN_RECORDS_KEY is not set" in output
