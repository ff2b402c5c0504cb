"""Response headers for health records: nothing the app serves may be kept by a browser or proxy.

The Content-Security-Policy (django-csp) and the Permissions-Policy (django-permissions-policy)
are set by their libraries' middleware from the settings; see the README, "Response headers".
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

NO_STORE = "no-store, private"


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response the app makes.

    Pages, PDFs, downloads and htmx fragments carry patient data, so no browser cache, back
    button or shared proxy may keep them; the login page and the redirects to it carry none,
    but marking them too leaves no page to forget. Static files are answered by WhiteNoise,
    which sits before this middleware and keeps its own long-lived caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # Replaces what a view set (never_cache's "max-age=0, no-cache, no-store, …").
        response["Cache-Control"] = NO_STORE
        return response
