"""A cap on the size of every request body, enforced before any of it is read (issue 15).

Django parses a form's body when a view (or the CSRF check) first asks for request.POST, and
it has no cap of its own on uploaded files: a 50 MB upload was read in full, into a
temporary file, before the picture's own 300 KB check refused it. The body's declared size
(Content-Length) is known before a byte of it is read, so a request that declares more than
settings.REQUEST_BODY_MAX_BYTES is answered 413 with a page in words and never read. A body
without a Content-Length (chunked) is not read by Django at all.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string


def declared_size(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads such a body as empty


class RequestBodyLimitMiddleware:
    """413 with a page in words for a body larger than settings.REQUEST_BODY_MAX_BYTES."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        limit = settings.REQUEST_BODY_MAX_BYTES
        if declared_size(request) <= limit:
            return self.get_response(request)
        # gunicorn's sync workers close the connection after the answer, unread body and all.
        page = render_to_string("413.html", {"limit_mb": limit / (1024 * 1024)})
        return HttpResponse(page, status=413)
