"""Response headers for health records: a Content-Security-Policy with nonces, a
Permissions-Policy, and `Cache-Control: no-store, private` on every page, PDF and fragment."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.factories import AppointmentFactory, PatientFactory, write_note
from tests.treatments.homecare.sheets import issue

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}
FEATURES_OFF = ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()")


@pytest.fixture
def appointment(paul):
    return AppointmentFactory(
        practitioner=paul.practitioner, start=timezone.now() - timedelta(minutes=50)
    )


@pytest.fixture
def note(appointment):
    return write_note(appointment, subjective="Sore right hip after a long drive.")


@pytest.fixture
def sheet(paul):
    return issue(paul.practitioner, PatientFactory(given_name="Ada", family_name="Lovelace"))


def clinical_pages(note, sheet, appointment) -> dict[str, str]:
    day = timezone.localdate(appointment.start).isoformat()
    return {
        "home": reverse("clinic:home"),
        "note": reverse("treatments:note-detail", args=[note.pk]),
        "sheet print page": reverse("treatments:sheet-detail", args=[sheet.pk]),
        "sheet PDF": reverse("treatments:sheet-pdf", args=[sheet.pk]),
        "day sheet PDF": f"{reverse('treatments:day-sheet-pdf')}?day={day}",
        "patient": reverse("patients:detail", args=[appointment.patient.pk]),
        "calendar": reverse("treatments:schedule-day", args=[day]),
        "booking form": reverse("treatments:appointment-create"),
    }


# --- Cache-Control ----------------------------------------------------------------------------


def test_no_page_pdf_or_fragment_with_patient_data_may_be_stored(
    paul_client, note, sheet, appointment
):
    for name, url in clinical_pages(note, sheet, appointment).items():
        response = paul_client.get(url)

        assert response.status_code == 200, name
        assert response["Cache-Control"] == "no-store, private", name


def test_an_htmx_fragment_may_not_be_stored(fiona_client):
    PatientFactory(family_name="Lovelace")

    response = fiona_client.get(
        reverse("patients:list"), {"q": "Love"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert response["Cache-Control"] == "no-store, private"


def test_the_login_page_and_the_redirect_to_it_may_not_be_stored(client):
    assert client.get(reverse("login"))["Cache-Control"] == "no-store, private"
    assert client.get(reverse("clinic:home"))["Cache-Control"] == "no-store, private"


# --- Content-Security-Policy and Permissions-Policy -------------------------------------------


def test_a_note_page_is_served_with_an_enforced_policy_and_no_browser_features(paul_client, note):
    response = paul_client.get(reverse("treatments:note-detail", args=[note.pk]))

    assert set(response["Content-Security-Policy"].split("; ")) == POLICY
    assert "Content-Security-Policy-Report-Only" not in response
    for feature in FEATURES_OFF:
        assert feature in response["Permissions-Policy"].split(", ")
    assert response["X-Frame-Options"] == "DENY"


def test_no_script_may_run_inline_and_no_style_rule_loosens_scripts():
    script_src = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]

    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src


INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_carries_an_inline_event_handler_or_script():
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        html = template.read_text()

        assert not INLINE_HANDLER.search(html), template
        for attributes in re.findall(r"<script\b([^>]*)>", html):
            assert "src=" in attributes, (template, attributes)


def test_every_script_on_the_main_pages_is_a_file_or_data(paul_client, note, sheet, appointment):
    for name, url in clinical_pages(note, sheet, appointment).items():
        response = paul_client.get(url)
        if response["Content-Type"] != "text/html; charset=utf-8":
            continue
        html = response.content.decode()

        assert not INLINE_HANDLER.search(html), name
        for attributes in re.findall(r"<script\b([^>]*)>", html):
            assert "src=" in attributes or 'type="application/json"' in attributes, name


def test_an_inline_script_runs_only_with_the_nonce_the_header_names():
    request = RequestFactory().get("/")
    template = engines["django"].from_string(
        '<script nonce="{{ request.csp_nonce }}">go()</script>'
    )
    middleware = CSPMiddleware(lambda request: HttpResponse(template.render(request=request)))

    response = middleware(request)

    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert len(nonce) >= 16
    assert f"script-src 'self' 'nonce-{nonce}'" in response["Content-Security-Policy"].split("; ")
    # Another request, another nonce.
    assert nonce not in middleware(RequestFactory().get("/"))["Content-Security-Policy"]


def test_the_day_sheet_page_prints_without_an_inline_script(fiona_client, appointment):
    response = fiona_client.get(reverse("treatments:day-sheet"), {"day": date.today().isoformat()})

    assert b'id="day-sheet-print" data-print' in response.content
