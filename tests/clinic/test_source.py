"""AGPL section 13: every user, signed in or not, is offered the running version's source;
only managers see which version runs."""

import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

import clinic

pytestmark = pytest.mark.django_db


def _archive(client) -> zipfile.ZipFile:
    response = client.get(reverse("source-download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"meridian-{clinic.__version__}-source.zip" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_the_login_page_links_to_the_source(client):
    response = client.get(reverse("login"))
    assert f'href="{reverse("source")}"' in response.text


def test_every_staff_page_links_to_the_source(fiona_client):
    response = fiona_client.get(reverse("clinic:home"))
    assert f'href="{reverse("source")}"' in response.text


def test_an_anonymous_visitor_can_read_the_source_page_and_download_the_archive(client):
    page = client.get(reverse("source"))
    assert page.status_code == 200
    assert "GNU Affero General Public License" in page.text
    names = _archive(client).namelist()
    assert f"meridian-{clinic.__version__}/LICENSE" in names


def test_the_archive_holds_the_running_code_templates_and_licence(fiona_client):
    archive = _archive(fiona_client)
    folder = f"meridian-{clinic.__version__}"
    names = set(archive.namelist())
    for name in [
        "clinic/source.py",
        "clinic/settings.py",
        "patients/models.py",
        "treatments/models.py",
        "templates/base.html",
        "LICENSE",
    ]:
        assert f"{folder}/{name}" in names
    assert not [name for name in names if name.endswith(".pyc") or "__pycache__" in name]
    running = Path(clinic.__file__).parent / "source.py"
    assert archive.read(f"{folder}/clinic/source.py") == running.read_bytes()
    assert b"GNU AFFERO GENERAL PUBLIC LICENSE" in archive.read(f"{folder}/LICENSE")


def test_the_source_pages_answer_only_get(client):
    assert client.post(reverse("source")).status_code == 405
    assert client.post(reverse("source-download")).status_code == 405


def test_a_clinic_that_publishes_its_copy_is_linked_from_the_footer_instead(client, settings):
    settings.SOURCE_URL = "https://code.example.org/our-clinic/meridian"
    assert (
        'href="https://code.example.org/our-clinic/meridian"' in client.get(reverse("login")).text
    )
    assert "https://code.example.org/our-clinic/meridian" in client.get(reverse("source")).text


def test_a_manager_sees_the_running_version(maria_client):
    response = maria_client.get(reverse("clinic:home"))
    assert f"version {clinic.__version__}" in response.text


def test_the_front_desk_does_not_see_the_version(fiona_client):
    response = fiona_client.get(reverse("clinic:home"))
    assert clinic.__version__ not in response.text


def test_a_practitioner_does_not_see_the_version(paul_client):
    response = paul_client.get(reverse("clinic:home"))
    assert clinic.__version__ not in response.text


def test_an_anonymous_visitor_does_not_see_the_version(client):
    for page in [reverse("login"), reverse("source")]:
        assert clinic.__version__ not in client.get(page).text


def test_a_head_request_for_the_archive_is_answered_like_a_get(client):
    response = client.head(reverse("source-download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
