"""Issue 15: a request body larger than REQUEST_BODY_MAX_BYTES is answered 413, in words,
before any of it is read (a 50 MB "picture" used to be read in full, then refused)."""

import io
import sys

import pytest
from django.test.client import ClientHandler
from django.urls import reverse

from treatments.models import HomeCareItem

pytestmark = pytest.mark.django_db

CREATE = reverse("treatments:home-care-item-create")
FIFTY_MB = 50 * 1024 * 1024


class CountingBody(io.RawIOBase):
    """A 50 MB body made on demand, counting how much of it the app reads."""

    def __init__(self, size: int):
        self.size, self.read_so_far = size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.size - self.read_so_far)
        buffer[:count] = b"x" * count
        self.read_so_far += count
        return count


def environ_for(body: CountingBody, session_cookie: str) -> dict:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": CREATE,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_COOKIE": session_cookie,
        "CONTENT_TYPE": "multipart/form-data; boundary=picture",
        "CONTENT_LENGTH": str(body.size),
        "wsgi.input": body,
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def test_a_50_mb_upload_is_refused_in_words_without_being_read(paul_client):
    body = CountingBody(FIFTY_MB)
    cookie = f"sessionid={paul_client.cookies['sessionid'].value}"
    # The test client's handler over a real WSGI environ: the body is the stream above.
    response = ClientHandler(enforce_csrf_checks=True)(environ_for(body, cookie))
    assert response.status_code == 413
    page = response.content.decode()
    assert "The file is too large" in page
    assert "larger than 2 MB, so it was not read" in page
    assert body.read_so_far == 0
    assert not HomeCareItem.objects.filter(title="Fifty megabytes").exists()


def test_a_body_over_the_cap_is_refused_through_the_test_client_too(paul_client, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1024 * 1024
    response = paul_client.post(
        CREATE,
        {"title": "Fifty megabytes", "illustration": io.BytesIO(b"x" * (1024 * 1024 + 1))},
    )
    assert response.status_code == 413
    assert "larger than 1 MB" in response.text
    assert not HomeCareItem.objects.filter(title="Fifty megabytes").exists()


def test_a_body_within_the_cap_reaches_the_form(paul_client):
    response = paul_client.post(CREATE, {"title": "Small", "illustration": io.BytesIO(b"x")})
    assert response.status_code == 200  # the form again, with its errors in words
    assert "Upload an SVG, PNG or JPEG picture." in response.text


def test_the_cap_leaves_django_its_own_caps_below_it(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= settings.REQUEST_BODY_MAX_BYTES
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE >= settings.REQUEST_BODY_MAX_BYTES
