"""Printing and reprinting an issued home-care sheet: the print page, the PDF, the lists."""

import io

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.factories import ComplaintFactory, PatientFactory
from tests.treatments.homecare.sheets import issue, pdf_text, squeeze
from treatments.audit import seals
from treatments.audit.protection import protection_lifted
from treatments.homecare import services as homecare
from treatments.homecare.pdf import sheet_body
from treatments.models import HomeCareItem, HomeCareSheet, SheetKind, TreatmentCourse

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheet(paul):
    return issue(
        paul.practitioner,
        PatientFactory(given_name="Ada", family_name="Lovelace"),
        notes={0: "Ten minutes after work."},
    )


def detail_url(sheet):
    return reverse("treatments:sheet-detail", args=[sheet.pk])


def pdf_url(sheet):
    return reverse("treatments:sheet-pdf", args=[sheet.pk])


# --- who may print ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [detail_url, pdf_url])
def test_anonymous_visitors_are_sent_to_log_in(client, sheet, url):
    response = client.get(url(sheet))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", [detail_url, pdf_url])
def test_staff_without_a_role_may_not_print_a_sheet(nobody_client, sheet, url):
    assert nobody_client.get(url(sheet)).status_code == 403


@pytest.mark.parametrize("url", [detail_url, pdf_url])
def test_the_front_desk_practitioners_and_managers_can_print(
    fiona_client, paul_client, maria_client, sheet, url
):
    for client in (fiona_client, paul_client, maria_client):
        assert client.get(url(sheet)).status_code == 200


@pytest.mark.parametrize("url", [detail_url, pdf_url])
def test_printing_only_answers_get(fiona_client, sheet, url):
    assert fiona_client.post(url(sheet)).status_code == 405


def test_an_unknown_sheet_is_not_found(fiona_client):
    assert fiona_client.get(reverse("treatments:sheet-detail", args=[999999])).status_code == 404
    assert fiona_client.get(reverse("treatments:sheet-pdf", args=[999999])).status_code == 404


# --- the print page ---------------------------------------------------------------------------


def test_the_print_page_shows_the_whole_sheet_from_its_snapshot(fiona_client, sheet):
    response = fiona_client.get(detail_url(sheet))

    html = response.content.decode()
    snapshot = sheet.snapshot
    assert snapshot["clinic"]["name"] in html
    assert "Ada Lovelace" in html
    assert str(sheet.practitioner) in html
    assert snapshot["intro"] in html
    for item in snapshot["items"] + snapshot["cautions"] + snapshot["contact"]:
        assert item["title"] in html
        for step in item["steps"]:
            assert f"<li>{step}</li>" in html.replace("&#x27;", "'")
    assert "Ten minutes after work." in html
    assert "When to contact us" in html
    assert f"Sheet {sheet.version} for <bdi>Ada Lovelace</bdi>, issued" in html
    assert "Content verified" in html
    assert pdf_url(sheet) in html


def test_items_keep_their_order_and_the_contact_section_comes_last(fiona_client, sheet):
    html = fiona_client.get(detail_url(sheet)).content.decode()

    titles = [item["title"] for item in sheet.snapshot["items"]]
    positions = [html.index(title) for title in titles]
    assert positions == sorted(positions)
    assert html.index("Take care") < html.index("When to contact us")


def test_the_print_css_asks_for_a4_and_keeps_items_whole(fiona_client, sheet):
    html = fiona_client.get(detail_url(sheet)).content.decode()

    assert "size: A4" in html
    assert "break-inside: avoid" in html


def test_a_sheet_altered_behind_the_services_back_is_flagged(fiona_client, sheet):
    snapshot = dict(sheet.snapshot, patient="Someone Else")
    with protection_lifted(connection):  # past the triggers, as a superuser or the file's owner
        HomeCareSheet.objects.filter(pk=sheet.pk).update(snapshot=snapshot)

    html = fiona_client.get(detail_url(sheet)).content.decode()

    assert "Content verified" not in html
    assert "This sheet cannot be verified" in html


# --- the PDF ----------------------------------------------------------------------------------


def test_the_pdf_is_a_download_named_after_the_patient_date_and_version(fiona_client, sheet):
    response = fiona_client.get(pdf_url(sheet))

    assert response["Content-Type"] == "application/pdf"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="home-care-lovelace-{today}-v1.pdf"'
    )
    assert response.content.startswith(b"%PDF")


def test_the_pdf_holds_the_patients_name_and_every_instruction(fiona_client, sheet):
    text = squeeze(pdf_text(fiona_client.get(pdf_url(sheet)).content))

    assert "Ada Lovelace" in text
    for item in sheet.snapshot["items"] + sheet.snapshot["cautions"] + sheet.snapshot["contact"]:
        assert squeeze(item["title"]) in text
        for step in item["steps"]:
            assert squeeze(step) in text
    assert "Ten minutes after work." in text


def test_a_long_sheet_with_an_accented_name_spans_pages_and_keeps_the_accents(fiona_client, paul):
    patient = PatientFactory(given_name="Zoë", family_name="Ødegård-Núñez")
    items = list(HomeCareItem.objects.all())
    while len(items) < 12:
        items += items
    long_note = "Keep a diary of how it feels in the morning and in the evening. " * 4
    sheet = homecare.sheet_issue(
        patient=patient,
        kind=SheetKind.PREVENTION,
        entries=[(item, f"{n}. {long_note}") for n, item in enumerate(items[:12], start=1)],
        by=paul,
    )

    response = fiona_client.get(pdf_url(sheet))

    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) > 1
    assert "Zoë Ødegård-Núñez" in pdf_text(response.content)
    assert 'filename="home-care-odegard-nunez-' in response["Content-Disposition"]


# --- reprints ----------------------------------------------------------------------------------


def test_a_reprint_after_the_library_changed_is_identical(fiona_client, sheet, maria):
    body_before = sheet_body(sheet)
    pdf_before = pdf_text(fiona_client.get(pdf_url(sheet)).content)
    first, second = HomeCareItem.objects.all()[:2]
    homecare.item_save(item=first, by=maria, title="Renamed", instructions="Something else")
    homecare.item_save(item=second, by=maria, is_active=False)

    sheet = HomeCareSheet.objects.get(pk=sheet.pk)

    assert sheet_body(sheet) == body_before
    assert body_before in fiona_client.get(detail_url(sheet)).content.decode()
    assert pdf_text(fiona_client.get(pdf_url(sheet)).content) == pdf_before
    assert "Renamed" not in pdf_before


def test_the_database_refuses_a_raw_update_of_an_issued_sheet(sheet):
    with pytest.raises(IntegrityError), transaction.atomic():
        HomeCareSheet.objects.filter(pk=sheet.pk).update(version=7)

    sheet.refresh_from_db()
    assert sheet.version == 1
    assert seals.sheet_verifies(sheet)


# --- where issued sheets are listed ------------------------------------------------------------


def test_the_patient_page_lists_issued_sheets_for_the_front_desk(fiona_client, sheet, paul):
    second = issue(paul.practitioner, sheet.patient)

    response = fiona_client.get(reverse("patients:detail", args=[sheet.patient.pk]))

    html = response.content.decode()
    assert "Home-care sheets" in html
    for issued in (sheet, second):
        assert detail_url(issued) in html
        assert pdf_url(issued) in html
    assert paul.practitioner.display_name in html


def test_the_patient_page_says_when_no_sheet_was_issued(fiona_client):
    patient = PatientFactory()

    response = fiona_client.get(reverse("patients:detail", args=[patient.pk]))

    assert "No home-care sheets issued." in response.content.decode()


def test_the_course_page_lists_the_courses_sheets(fiona_client, paul):
    complaint = ComplaintFactory()
    course = TreatmentCourse.objects.create(
        complaint=complaint,
        practitioner=paul.practitioner,
        planned_sessions=4,
        interval_days=7,
        start_date=timezone.localdate(),
        created_by=paul,
    )
    on_course = issue(paul.practitioner, complaint.patient, course=course)
    elsewhere = issue(paul.practitioner, complaint.patient)

    html = fiona_client.get(reverse("treatments:course-detail", args=[course.pk])).content.decode()

    assert pdf_url(on_course) in html
    assert pdf_url(elsewhere) not in html
