"""Configuration is read strictly: a mistyped variable stops start-up with a message naming it."""

import os
import secrets
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from clinic.env import (
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    env_time_zone,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
# The suite's own defaults (pytest-env, in pyproject.toml) relax settings for the test client
# (e.g. SECURE_SSL_REDIRECT=false); a process started here must not inherit them.
with (REPO_ROOT / "pyproject.toml").open("rb") as pyproject:
    TEST_RUN_VARIABLES = set(tomllib.load(pyproject)["tool"]["pytest_env"])


# --- the readers, given their environment ------------------------------------------------


@pytest.mark.parametrize("value", ["maybe", "ture", "2", "y", "enabled"])
def test_a_boolean_that_is_not_one_of_the_known_spellings_is_rejected(value):
    with pytest.raises(ImproperlyConfigured, match=r"^DEBUG=.*is not a boolean"):
        env_bool("DEBUG", False, environ={"DEBUG": value})


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("YES", True), (" on ", True), ("1", True), ("False", False), ("0", False)],
)
def test_a_boolean_accepts_the_usual_spellings_in_any_case(value, expected):
    assert env_bool("DEBUG", None, environ={"DEBUG": value}) is expected


@pytest.mark.parametrize("value", ["ten", "3.5", "1e3", "20s"])
def test_a_number_that_is_not_whole_is_rejected(value):
    with pytest.raises(ImproperlyConfigured, match=r"^SESSION_COOKIE_AGE=.*not a whole number"):
        env_int("SESSION_COOKIE_AGE", 36000, environ={"SESSION_COOKIE_AGE": value})


def test_a_number_below_its_minimum_is_rejected():
    with pytest.raises(ImproperlyConfigured, match=r"^SESSION_COOKIE_AGE=59 must be at least 60"):
        env_int("SESSION_COOKIE_AGE", 36000, minimum=60, environ={"SESSION_COOKIE_AGE": "59"})


def test_a_number_at_its_minimum_is_accepted():
    assert env_int("SESSION_COOKIE_AGE", 1, minimum=60, environ={"SESSION_COOKIE_AGE": "60"}) == 60


@pytest.mark.parametrize("value", ["clinic.example.org,", "a,,b", ",clinic.example.org", "a, ,b"])
def test_a_list_with_an_empty_item_is_rejected(value):
    with pytest.raises(ImproperlyConfigured, match=r"^ALLOWED_HOSTS=.*has an empty item"):
        env_list("ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": value})


def test_a_list_is_split_on_commas_and_trimmed():
    environ = {"ALLOWED_HOSTS": "clinic.example.org, localhost"}
    assert env_list("ALLOWED_HOSTS", [], environ=environ) == ["clinic.example.org", "localhost"]


@pytest.mark.parametrize("value", ["Europe/Londn", "Mars/Olympus", "utc", "Europe", "../etc/x"])
def test_an_unknown_time_zone_is_rejected(value):
    with pytest.raises(ImproperlyConfigured, match=r"^TIME_ZONE=.*not a known time zone"):
        env_time_zone("TIME_ZONE", "Europe/London", environ={"TIME_ZONE": value})


def test_a_known_time_zone_is_accepted():
    environ = {"TIME_ZONE": "Europe/Dublin"}
    assert env_time_zone("TIME_ZONE", "Europe/London", environ=environ) == "Europe/Dublin"


@pytest.mark.parametrize("environ", [{}, {"SECRET_KEY": ""}, {"SECRET_KEY": "   "}])
def test_a_required_variable_that_is_missing_or_blank_is_rejected(environ):
    with pytest.raises(ImproperlyConfigured, match=r"^The environment variable SECRET_KEY is req"):
        env_str("SECRET_KEY", environ=environ)


def test_a_blank_optional_variable_falls_back_to_its_default():
    assert env_int("EMAIL_PORT", 25, environ={"EMAIL_PORT": " "}) == 25


@pytest.mark.parametrize(
    "url", ["mysql://db.example.org/meridian", "sqlite:///var/meridian.sqlite3", "meridian"]
)
def test_a_database_url_that_is_not_postgres_is_rejected(url):
    with pytest.raises(ImproperlyConfigured, match=r"^DATABASE_URL must be a postgres://"):
        database_from_url(url)


@pytest.mark.parametrize("url", ["postgres://db.example.org", "postgresql://u@db.example.org/"])
def test_a_database_url_without_a_database_name_is_rejected(url):
    with pytest.raises(ImproperlyConfigured, match=r"^DATABASE_URL must name a database"):
        database_from_url(url)


def test_a_database_url_that_cannot_be_parsed_is_rejected():
    with pytest.raises(ImproperlyConfigured, match=r"^DATABASE_URL could not be parsed"):
        database_from_url("postgres://u@db.example.org:port/meridian")


def test_a_postgres_database_url_becomes_a_databases_entry():
    config = database_from_url("postgresql://meridian:pw@db.example.org:5433/meridian")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example.org", 5433, "meridian")


# --- settings at start-up, in a fresh interpreter -----------------------------------------
# Settings are read once per process, so these start one. There are four such tests: keep
# it that way, they are the slow part of this file.

LOAD_SETTINGS = "import django; from django.conf import settings; print(settings.DEBUG)"


def _environment(tmp_path, **variables):
    """The test run's environment without SECRET_KEY, DEBUG, DATABASE_URL and the suite's
    other defaults; MERIDIAN_VAR_DIR points at tmp_path so a process that gets as far as
    creating its SQLite directory touches nothing in the repository."""
    # DJANGO_ALLOW_ASYNC_UNSAFE: set for the whole run when browser tests run (tests/conftest.py).
    left_out = {
        "SECRET_KEY",
        "DEBUG",
        "DATABASE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        *TEST_RUN_VARIABLES,
    }
    environ = {name: value for name, value in os.environ.items() if name not in left_out}
    environ.update(
        DJANGO_SETTINGS_MODULE="clinic.settings", MERIDIAN_VAR_DIR=str(tmp_path), **variables
    )
    return environ


def _run(args, environ):
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_settings_refuse_to_load_without_secret_key_when_debug_is_left_off(tmp_path):
    result = _run(["-c", LOAD_SETTINGS], _environment(tmp_path))

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is required when DEBUG is off" in result.stderr


def test_settings_refuse_to_load_when_debug_is_not_a_boolean(tmp_path):
    result = _run(["-c", LOAD_SETTINGS], _environment(tmp_path, DEBUG="maybe"))

    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG='maybe' is not a boolean" in result.stderr


def test_settings_load_without_secret_key_in_debug_mode(tmp_path):
    result = _run(["-c", LOAD_SETTINGS], _environment(tmp_path, DEBUG="true"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_deploy_check_passes_with_production_settings(tmp_path):
    secret_key = secrets.token_urlsafe(45)
    assert len(secret_key) == 60
    environ = _environment(
        tmp_path,
        DEBUG="false",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="clinic.example.org",
        MERIDIAN_RECORDS_KEY=secrets.token_urlsafe(48),
    )

    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], environ)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_fails_without_a_records_key(tmp_path):
    environ = _environment(
        tmp_path,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(45),
        ALLOWED_HOSTS="clinic.example.org",
    )

    result = _run(["manage.py", "check", "--deploy"], environ)

    assert result.returncode != 0
    assert "meridian.E020" in result.stderr + result.stdout


TEMPLATE_LOADERS = (
    "import django; django.setup(); from django.template import engines;"
    " print(repr(engines['django'].engine.loaders))"
)


@pytest.mark.parametrize("debug", ["false", "true"])
def test_templates_are_compiled_once_per_process(tmp_path, debug):
    """The cached template loader: Django's default when TEMPLATES sets no `loaders`, with
    DEBUG on too (the development server's reloader empties it when a template changes).
    Setting `loaders` without it would parse every template on every request."""
    environ = _environment(
        tmp_path,
        DEBUG=debug,
        SECRET_KEY=secrets.token_urlsafe(45),
        ALLOWED_HOSTS="clinic.example.org",
        MERIDIAN_RECORDS_KEY=secrets.token_urlsafe(48),
    )

    result = _run(["-c", TEMPLATE_LOADERS], environ)

    assert result.returncode == 0, result.stderr
    assert "django.template.loaders.cached.Loader" in result.stdout
