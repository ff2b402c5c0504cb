"""The main screens fit a phone 390 px wide: nothing needs scrolling sideways (a calendar
scrolls inside its own region, the page does not)."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page

from tests.e2e.conftest import journey
from tests.e2e.givens import course_starting_today
from tests.e2e.steps import log_in
from tests.factories import ComplaintFactory, CourseFactory, PatientFactory, on_waitlist
from treatments.scheduling.forms import slot_query

PHONE = {"width": 390, "height": 844}


def page_width(page: Page, path: str) -> int:
    response = page.goto(path)
    assert response is not None and response.ok, path
    return page.evaluate("document.documentElement.scrollWidth")


@journey
def test_the_front_desks_and_practitioners_screens_fit_a_phone(
    page: Page, clinic, paul, fiona, maria
):
    margaret = PatientFactory(given_name="Margaret", family_name="Okafor")
    first = course_starting_today(
        margaret, practitioner=paul.practitioner, room=clinic[0], hh_mm="11:00", by=fiona
    )
    # On the recall list: a course planned and not booked, with a long complaint title.
    unbooked = CourseFactory(
        complaint=ComplaintFactory(
            patient=PatientFactory(given_name="Bartholomew", family_name="Featherstonehaugh"),
            title="Left hip, buttock and leg pain after a long coach journey home",
        ),
        practitioner=paul.practitioner,
    )
    today = timezone.localdate().isoformat()
    on_waitlist(margaret, by=fiona, complaint=first.course.complaint, desk_notes="Mobile")
    freed = slot_query(
        start=first.start + timedelta(hours=2),
        end=first.start + timedelta(hours=2, minutes=45),
        practitioner_id=paul.practitioner.pk,
        room_id=clinic[1].pk,
    )
    page.set_viewport_size(PHONE)
    screens = {
        "fiona": [
            "/",
            "/today/",
            "/schedule/",
            f"/schedule/week/{paul.practitioner.pk}/{today}/",
            f"/schedule/team/{today}/",
            "/patients/",
            f"/patients/{margaret.pk}/",
            "/appointments/new/",
            f"/appointments/{first.pk}/",
            f"/courses/{first.course_id}/",
            "/day-sheet/",
            "/waitlist/",
            f"/waitlist/new/{margaret.pk}/",
            f"/waitlist/fill/?{freed}",
            "/recalls/",
            f"/recalls/unbooked/{unbooked.pk}/contact/",
        ],
        "paul": ["/", "/my-day/", "/home-care/"],
        "maria": [
            "/",
            "/staff/",
            "/rooms/",
            "/hours/",
            "/hours/opening/",
            f"/hours/{paul.practitioner.pk}/",
            "/access-log/",
            "/source/",
        ],
    }
    too_wide = {}
    for who, paths in screens.items():
        log_in(page, who)
        for path in paths:
            width = page_width(page, path)
            if width > PHONE["width"]:
                too_wide[f"{who} {path}"] = width
        page.context.clear_cookies()
    assert too_wide == {}
