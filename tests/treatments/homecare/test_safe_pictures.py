"""Issue 15, safe pictures: what a practitioner uploads as a home-care picture is rebuilt or
saved again so that it is cheap and harmless to draw, or refused next to the field in words,
with everything else they typed kept."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests import pictures
from tests.treatments.homecare.sheets import issue, pdf_text
from treatments.homecare.pdf import sheet_pdf
from treatments.models import HomeCareItem

pytestmark = pytest.mark.django_db

CREATE = reverse("treatments:home-care-item-create")
TITLE = "Knees up, drawn"


def item_data(name: str, content: bytes, **overrides) -> dict:
    return {
        "title": TITLE,
        "kind": "stretch",
        "instructions": "Lie on your back.\nPull both knees to the chest.",
        "dose": "Hold 30 s, 3 times",
        "regions": ["lower_back"],
        "position": "35",
        "is_active": "on",
        "illustration": SimpleUploadedFile(name, content),
        **overrides,
    }


def refused(client, name: str, content: bytes) -> str:
    """The message next to the picture field, after checking nothing was saved and what
    was typed is still in the form."""
    response = client.post(CREATE, item_data(name, content))
    assert response.status_code == 200
    assert not HomeCareItem.objects.filter(title=TITLE).exists()
    assert f'value="{TITLE}"' in response.text
    assert "Pull both knees to the chest." in response.text
    assert "is-invalid" in response.text
    return " ".join(response.context["form"].errors["illustration"])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("nested.svg", pictures.nested_use_svg(), "copies of other parts (<use>)"),
        ("script.svg", pictures.SCRIPT_SVG, "it contains a script"),
        ("onload.svg", pictures.ONLOAD_SVG, "it contains a script (onload)"),
        ("tracker.svg", pictures.EXTERNAL_HREF_SVG, "embedded or linked image"),
        ("fill.svg", pictures.EXTERNAL_FILL_SVG, "a link to another file or part"),
        ("xxe.svg", pictures.XXE_SVG, "a document type declaration or entities"),
        ("laughs.svg", pictures.LAUGHS_SVG, "a document type declaration or entities"),
        ("broken.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect', "not a well-formed"),
    ],
)
def test_a_hostile_or_broken_svg_is_refused_in_words(paul_client, name, content, message):
    assert message in refused(paul_client, name, content)


@pytest.mark.parametrize(
    ("svg", "message"),
    [
        ("<g>" * 30 + "</g>" * 30, "nested more than 24 deep"),
        ("<circle r='1'/>" * 3001, "more than 3,000 parts"),
        (f"<path d='M0 0{' L1 1' * 40_000}'/>", "more than 150,000 characters of path data"),
        ("<rect width='1e9' height='1'/>", "a number larger than 100,000"),
        ("<filter id='f'><feGaussianBlur stdDeviation='99'/></filter>", "filter effects"),
        ("<foreignObject><p>hello</p></foreignObject>", "embedded web content"),
    ],
)
def test_an_svg_past_the_caps_is_refused_in_words(paul_client, svg, message):
    content = f'<svg xmlns="http://www.w3.org/2000/svg">{svg}</svg>'.encode()
    assert message in refused(paul_client, "big.svg", content)


def test_an_svg_of_an_enormous_size_is_refused(paul_client):
    content = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 90000 90000"/>'
    assert "a viewBox larger than 5,000 units" in refused(paul_client, "wide.svg", content)


def test_a_12000_by_12000_png_is_refused_from_its_header(paul_client):
    message = refused(paul_client, "huge.png", pictures.huge_png())
    assert "12,000 × 12,000 pixels" in message
    assert "the largest accepted is 4 megapixels" in message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cut.png", pictures.png()[:300]),
        ("noise.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 50),
        ("cut.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 40),
    ],
)
def test_a_truncated_or_garbage_picture_is_refused(paul_client, name, content):
    assert "damaged or incomplete" in refused(paul_client, name, content)


def test_a_png_named_as_a_jpeg_is_refused(paul_client):
    assert "not a picture of its kind" in refused(paul_client, "photo.jpg", pictures.png())


def test_a_picture_over_a_megabyte_is_refused_without_being_decoded(paul_client):
    content = pictures.png() + b"\x00" * (1024 * 1024)
    assert "The picture is larger than 1 MB." in refused(paul_client, "padded.png", content)


def test_a_good_svg_is_kept_rebuilt_without_what_draws_nothing_and_prints(paul_client, paul):
    response = paul_client.post(CREATE, item_data("knees.svg", pictures.GOOD_SVG))
    assert response.status_code == 302
    item = HomeCareItem.objects.get(title=TITLE)
    assert item.illustration.startswith("data:image/svg+xml;base64,")
    kept = pictures.decoded(item.illustration).decode()
    assert '<circle cx="20" cy="12" r="6" fill="url(#skin)" />' in kept
    assert 'stroke="#333" stroke-width="1.5"' in kept  # the style="…" as attributes
    assert 'Knees <tspan font-weight="bold">up</tspan>' in kept
    assert "inkscape" not in kept and "metadata" not in kept
    sheet = issue(paul.practitioner, items=[item])
    assert TITLE in pdf_text(sheet_pdf(sheet))


def test_a_good_png_is_kept_smaller_and_without_its_metadata(paul_client, paul):
    photo = io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "Paul's kitchen, 12 Mill Lane"  # ImageDescription
    Image.new("RGB", (1600, 1200), "teal").save(photo, "JPEG", exif=exif)
    response = paul_client.post(CREATE, item_data("photo.jpeg", photo.getvalue()))
    assert response.status_code == 302
    item = HomeCareItem.objects.get(title=TITLE)
    with Image.open(io.BytesIO(pictures.decoded(item.illustration))) as kept:
        assert kept.size == (800, 600)
        assert not kept.getexif()
    sheet = issue(paul.practitioner, items=[item])
    assert TITLE in pdf_text(sheet_pdf(sheet))


def test_a_transparent_png_stays_a_png(paul_client):
    response = paul_client.post(CREATE, item_data("clear.png", pictures.png(200, 100, mode="RGBA")))
    assert response.status_code == 302
    item = HomeCareItem.objects.get(title=TITLE)
    assert item.illustration.startswith("data:image/png;base64,")


def test_a_truncated_picture_is_refused_even_after_a_pdf_was_drawn(paul_client, paul):
    """WeasyPrint, once imported, tells Pillow to accept truncated files."""
    sheet_pdf(issue(paul.practitioner))
    assert "damaged or incomplete" in refused(paul_client, "cut.png", pictures.png()[:300])
