"""Steps the journeys share, each done the way a person does it: through labels and buttons."""

import re

from playwright.sync_api import Page, expect

from clinic import two_factor
from clinic.models import User
from tests.factories import PASSWORD, authenticator, code_now


def log_in(page: Page, username: str) -> None:
    """Open the start page (the only URL a journey types) and log in: the password, then,
    where the person's role needs one (practitioners and managers, as in production), the
    code their authenticator app would show."""
    user = User.objects.get(username=username)
    device = authenticator(user) if two_factor.is_required_by_role(user) else None
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if device is not None:
        expect(page.get_by_role("heading", name="Second step: your code")).to_be_visible()
        page.get_by_label("Code").fill(code_now(device))
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Second step: your code")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def log_out(page: Page) -> None:
    page.locator("nav[aria-label=Main] #user-menu").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Username")).to_be_visible()


def go_to(page: Page, menu_item: str) -> None:
    """Follow a link of the main navigation (opening the Manage menu when the link is in it)."""
    nav = page.get_by_role("navigation", name="Main")
    link = nav.get_by_role("link", name=menu_item, exact=True)
    if not link.is_visible() and nav.get_by_role("button", name="Manage", exact=True).count():
        nav.get_by_role("button", name="Manage", exact=True).click()
    link.click()


def wait_for_scripts(page: Page) -> None:
    """Wait for the page's deferred scripts (htmx among them) to have run: a heading can be
    visible before they have, and typing then triggers nothing."""
    page.wait_for_load_state("load")


def field(scope, label: str):
    """The form control labelled exactly `label`, with or without crispy's required "*"."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\*?\s*$"))
