"""Browser journeys: the real app, served by pytest-django's `live_server`, driven in Debian's
headless Chromium by Playwright (pytest-playwright's `page` fixture), as staff use it.

- Chromium is the system's (`/usr/bin/chromium`); no browser is ever downloaded. Without it
  the journeys are left out with one line in the summary, unless MERIDIAN_REQUIRE_E2E is set
  (`make e2e`, `.ci/run`), which makes that an error.
- A failed journey leaves a screenshot and the page's HTML in `var/e2e/` (MERIDIAN_VAR_DIR).
- The clinic's day is made to be mid-morning whatever the hour the suite runs (`clinic_morning`),
  so "book for later today, then mark arrived" never meets midnight.
"""

import os
import re
import shutil
from datetime import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from clinic.models import OpeningHours
from tests.e2e.axe import AXE_JS
from tests.factories import mid_morning_zone

CHROMIUM = os.environ.get("MERIDIAN_CHROMIUM", "/usr/bin/chromium")
E2E_DIR = Path(__file__).parent

# Every journey writes through the live server, so it needs real transactions; the data
# migrations' rows (roles, appointment types, point catalogue, home-care library) are
# restored after each journey by serialized rollback.
journey = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _missing() -> str | None:
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()):
        return f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)"
    return None


_NOT_RUN = pytest.StashKey[str]()


def pytest_collection_modifyitems(config, items):
    here = [item for item in items if E2E_DIR in Path(item.path).parents]
    for item in here:
        item.add_marker(pytest.mark.e2e)
    reason = _missing()
    if reason is None or not here:
        return
    if os.environ.get("MERIDIAN_REQUIRE_E2E"):
        raise pytest.UsageError(f"browser tests required (MERIDIAN_REQUIRE_E2E) but {reason}")
    # Not run: deselected, with one line in the summary saying why.
    config.stash[_NOT_RUN] = f"{len(here)} browser tests not run: {reason}"
    config.hook.pytest_deselected(items=here)
    items[:] = [item for item in items if item not in here]


def pytest_terminal_summary(terminalreporter, config):
    if _NOT_RUN in config.stash:
        terminalreporter.write_line(config.stash[_NOT_RUN], yellow=True, bold=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--lang=en-GB",  # dates typed as dd/mm/yyyy, times on the 24-hour clock
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args, live_server, clinic_morning):
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "locale": "en-GB",
        "timezone_id": clinic_morning,
        "accept_downloads": True,
        "viewport": {"width": 1366, "height": 900},
    }


@pytest.fixture
def clinic_morning(settings) -> str:
    """Run the clinic in a fixed-offset zone where it is now between 09:00 and 10:00, and open
    08:00–20:00 every day of the week. Returns the zone's name for the browser."""
    zone = mid_morning_zone()
    settings.TIME_ZONE = zone
    for weekday in range(7):
        OpeningHours.objects.update_or_create(
            weekday=weekday, defaults={"opens": time(8), "closes": time(20)}
        )
    assert 9 <= timezone.localtime().hour < 10, (zone, timezone.localtime())
    return zone


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture(autouse=True)
def _keep_the_page_on_failure(request, page):
    """After a failed journey, save what the browser showed: var/e2e/<test>.png and .html."""
    # A step that has not happened in 10 s will not happen: fail with the page as it is.
    page.set_default_timeout(10_000)
    yield
    if not request.node.stash.get(_FAILED, False):
        return
    out = Path(settings.VAR_DIR) / "e2e"
    out.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
    try:
        page.screenshot(path=str(out / f"{name}.png"), full_page=True)
        (out / f"{name}.html").write_text(page.content(), encoding="utf-8")
    except Exception as error:  # the browser may be the thing that failed
        print(f"could not save the failed page: {error}")
    else:
        print(f"failed page saved: {out / name}.png and .html (at {page.url})")


@pytest.fixture(autouse=True)
def _no_content_security_policy_violations(page):
    """Every journey fails on anything the page's Content-Security-Policy refused (an inline
    script or handler, a foreign source): Chromium reports each refusal on the console."""
    refused = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            refused.append(f"{message.page.url if message.page else '?'}: {message.text}")

    # On the context, so that pages a journey opens besides `page` are watched too.
    page.context.on("console", on_console)
    yield
    assert not refused, "Content-Security-Policy violations:\n" + "\n".join(refused)


@pytest.fixture
def axe_js() -> Path:
    if not AXE_JS.is_file():
        reason = f"axe-core not installed at {AXE_JS}: run `make axe` (needs npm)"
        if os.environ.get("MERIDIAN_REQUIRE_E2E"):
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE_JS


@pytest.fixture
def clinic(clinic_morning, paul, priya):
    """The clinic of the journeys: two rooms, and Paul and Priya working 08:00–20:00 every day."""
    from tests.factories import RoomFactory, works

    rooms = [RoomFactory(name="Room 1"), RoomFactory(name="Room 2")]
    everyday = range(7)
    works(paul.practitioner, ("08:00", "20:00"), weekdays=everyday)
    works(priya.practitioner, ("08:00", "20:00"), weekdays=everyday)
    return rooms
