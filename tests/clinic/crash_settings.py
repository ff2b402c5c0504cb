"""The app's own settings with one more page, /crash/, that fails like a bug would, for the
Sentry test's server process (tests/clinic/test_sentry.py)."""

from clinic.settings import *  # noqa: F403

ROOT_URLCONF = "tests.clinic.crash_urls"
