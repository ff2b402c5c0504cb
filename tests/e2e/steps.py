"""Steps the journeys share, each done the way a person does it: through labels and buttons."""

import re

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD


def log_in(page: Page, username: str) -> None:
    """Open the start page (the only URL a journey types) and log in."""
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def log_out(page: Page) -> None:
    page.locator("nav[aria-label=Main] .dropdown-toggle").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Username")).to_be_visible()


def go_to(page: Page, menu_item: str) -> None:
    """Follow a link of the main navigation."""
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=menu_item, exact=True
    ).click()


def field(scope, label: str):
    """The form control labelled exactly `label`, with or without crispy's required "*"."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\*?\s*$"))
