"""A library item may carry a simple picture; an issued sheet keeps the one it was given."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from tests.factories import ComplaintFactory
from treatments.homecare import services as homecare
from treatments.models import HomeCareItem

pytestmark = pytest.mark.django_db

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
    b'<circle cx="20" cy="20" r="15"/></svg>'
)


def edit(client, item, **changes):
    data = {
        "title": item.title,
        "kind": item.kind,
        "instructions": item.instructions,
        "dose": item.dose,
        "without_heat": item.without_heat,
        "position": item.position,
        "is_active": "on",
        **changes,
    }
    return client.post(reverse("treatments:home-care-item-edit", args=[item.pk]), data)


def test_a_practitioner_adds_a_picture_to_an_item(paul_client):
    item = HomeCareItem.objects.get(title="Knees to chest")
    response = edit(paul_client, item, illustration=SimpleUploadedFile("knees.svg", SVG))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.illustration.startswith("data:image/svg+xml;base64,")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"hello", "SVG, PNG or JPEG"),
        ("fake.png", b"not a png", "not a picture"),
        ("big.svg", b"<svg>" + b" " * 400_000, "larger than 300 KB"),
    ],
)
def test_a_file_that_is_not_a_small_picture_is_refused_next_to_the_field(
    paul_client, name, content, message
):
    item = HomeCareItem.objects.get(title="Knees to chest")
    response = edit(paul_client, item, illustration=SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["illustration"])
    item.refresh_from_db()
    assert item.illustration == ""


def test_an_issued_sheet_keeps_its_picture_when_the_library_changes(paul, fiona_client):
    item = HomeCareItem.objects.get(title="Knees to chest")
    homecare.item_save(
        item=item,
        by=paul,
        illustration=f"data:image/svg+xml;base64,{__import__('base64').b64encode(SVG).decode()}",
    )
    complaint = ComplaintFactory()
    sheet = homecare.sheet_issue(
        patient=complaint.patient,
        kind="relief",
        entries=[(item, "")],
        complaint=complaint,
        by=paul,
    )
    homecare.item_save(item=item, by=paul, illustration="")
    page = fiona_client.get(reverse("treatments:sheet-detail", args=[sheet.pk])).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    pdf = fiona_client.get(reverse("treatments:sheet-pdf", args=[sheet.pk])).content
    assert pdf.startswith(b"%PDF")
    assert "Knees to chest" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
