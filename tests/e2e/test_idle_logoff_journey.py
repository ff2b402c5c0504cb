"""Journey: Fiona leaves her screen. A moment before the session ends the page asks whether
she is still there; "Stay logged in" keeps her in; the next time she does not answer, and the
page goes to the login page, which says why. (Idle 6 s, warned 3 s before: the settings are
seconds so that the journey does not wait 15 minutes.)"""

import re

from playwright.sync_api import Page, expect

from clinic.models import SecurityEvent, SecurityEventKind
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import journey
from tests.e2e.steps import log_in


@journey
def test_an_idle_screen_warns_then_logs_off(page: Page, fiona, settings):
    settings.SESSION_IDLE_SECONDS = 6
    settings.SESSION_IDLE_WARNING_SECONDS = 3
    log_in(page, "fiona")

    warning = page.get_by_role("alertdialog", name="Are you still there?")
    expect(warning).to_be_visible(timeout=6_000)
    expect(warning).to_contain_text("you will be logged out in")
    expect(warning.get_by_role("button", name="Stay logged in")).to_be_focused()
    assert_accessible(page)
    warning.get_by_role("button", name="Stay logged in").click()
    expect(warning).to_be_hidden()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    # This time nobody answers.
    expect(warning).to_be_visible(timeout=6_000)
    expect(page.get_by_label("Username")).to_be_visible(timeout=8_000)
    expect(page.get_by_role("status")).to_contain_text(
        "You were logged out after 6 seconds without activity."
    )
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.IDLE_LOGOFF).count() == 1
