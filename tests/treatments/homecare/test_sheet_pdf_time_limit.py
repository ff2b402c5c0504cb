"""Issue 15: a sheet's PDF is drawn in a child process stopped after PDF_TIME_LIMIT_SECONDS;
and a hostile picture kept in an issued sheet's snapshot before the checks existed (the
snapshot is never rewritten) is left out of its page and PDF rather than drawn."""

import logging
import time

import pytest
from django.urls import reverse

from clinic.time_limit import ChildFailed, TimeLimitExceeded, run_with_time_limit
from tests import pictures
from tests.treatments.homecare.sheets import issue, pdf_text
from treatments.audit import seals
from treatments.homecare import pdf as rendering
from treatments.homecare import services as homecare
from treatments.models import HomeCareItem, HomeCareSheet

pytestmark = pytest.mark.django_db


class Collected(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def view_log():
    handler = Collected()
    logger = logging.getLogger("treatments.homecare.views")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def hostile_sheet(paul) -> HomeCareSheet:
    """A sheet issued with a nested-<use> SVG in its snapshot, as an old row would have it:
    written straight into the database, past the upload's checks."""
    item = HomeCareItem.objects.get(title="Knees to chest")
    HomeCareItem.objects.filter(pk=item.pk).update(
        illustration=pictures.data_uri("image/svg+xml", pictures.nested_use_svg())
    )
    item.refresh_from_db()
    return issue(paul.practitioner, items=[item])


def test_a_pdf_past_its_time_limit_gets_a_page_in_words_with_the_print_link(
    paul, fiona_client, settings, view_log
):
    sheet = issue(paul.practitioner)
    settings.PDF_TIME_LIMIT_SECONDS = 0.001  # no PDF is drawn that fast
    response = fiona_client.get(reverse("treatments:sheet-pdf", args=[sheet.pk]))
    assert response.status_code == 503
    assert "This sheet could not be made into a PDF in time" in response.text
    assert f'href="{reverse("treatments:sheet-detail", args=[sheet.pk])}"' in response.text
    assert view_log == [
        f"The PDF of home-care sheet {sheet.pk} took longer than 0.001 s and was stopped."
    ]
    assert sheet.patient.family_name not in view_log[0]


def test_a_pdf_within_its_time_limit_is_the_sheet(paul, fiona_client):
    sheet = issue(paul.practitioner)
    response = fiona_client.get(reverse("treatments:sheet-pdf", args=[sheet.pk]))
    assert response.status_code == 200
    assert "Knees to chest" in pdf_text(response.content)


def test_a_hostile_picture_in_an_old_snapshot_is_left_out_of_page_and_pdf(paul, fiona_client):
    sheet = hostile_sheet(paul)
    assert seals.sheet_verifies(sheet)  # the snapshot itself is as issued
    page = fiona_client.get(reverse("treatments:sheet-detail", args=[sheet.pk])).text
    assert "Knees to chest" in page
    assert "data:image/svg+xml" not in page
    response = fiona_client.get(reverse("treatments:sheet-pdf", args=[sheet.pk]))
    assert response.status_code == 200
    assert "Knees to chest" in pdf_text(response.content)


def test_a_huge_png_in_an_old_snapshot_is_left_out_too(paul, fiona_client):
    item = HomeCareItem.objects.get(title="Knees to chest")
    HomeCareItem.objects.filter(pk=item.pk).update(
        illustration=pictures.data_uri("image/png", pictures.huge_png())
    )
    item.refresh_from_db()
    sheet = issue(paul.practitioner, items=[item])
    page = fiona_client.get(reverse("treatments:sheet-detail", args=[sheet.pk])).text
    assert "data:image/png" not in page


def test_a_safe_picture_in_a_snapshot_is_shown(paul, fiona_client):
    item = HomeCareItem.objects.get(title="Knees to chest")
    homecare.item_save(
        item=item, by=paul, illustration=pictures.data_uri("image/png", pictures.png())
    )
    sheet = issue(paul.practitioner, items=[item])
    page = fiona_client.get(reverse("treatments:sheet-detail", args=[sheet.pk])).text
    assert f'src="{item.illustration}"' in page


def test_the_renderer_drawing_a_hostile_document_is_stopped_at_its_limit(paul):
    """What the time limit is for: the nested-<use> SVG drawn, as the upload and the page
    no longer let it be, by WeasyPrint itself."""
    uri = pictures.data_uri("image/svg+xml", pictures.nested_use_svg())
    document = f'<!doctype html><html><body><img src="{uri}" alt=""></body></html>'
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded):
        run_with_time_limit(rendering.pdf_from_html, document, document, seconds=1)
    assert time.monotonic() - started < 10  # stopped, not drawn for over a minute


def test_work_that_fails_in_the_child_is_reported_by_name_only():
    with pytest.raises(ChildFailed, match=r"^ZeroDivisionError$"):
        run_with_time_limit(divmod, 1, 0, seconds=5)


def test_work_that_answers_in_time_gives_its_answer():
    assert run_with_time_limit(divmod, 7, 2, seconds=5) == (3, 1)
