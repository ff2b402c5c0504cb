"""Error reports (the e-mails to ADMIN_EMAILS, the debug page) that carry no patient data.

Django's own reporter prints everything a request sent: a crash while saving a note would mail
its SOAP text. Here every value a user can type is hidden unless its name is known to carry
nothing about a patient: POST and GET parameters outside short allow-lists, uploaded files'
names, all cookies, the request headers that repeat the query string (the search box's `q`
carries a patient's name), and the values of local variables in the traceback. What stays is
what a developer needs: the traceback's lines, the address's path, the button pressed, the user.

Like Django's filter, it is active only while DEBUG is off (production); on a developer's
machine the debug page shows everything.
"""

import re

from django.http import HttpRequest, QueryDict
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# POST fields that name what was done, never what was written: the button pressed, and the
# management counts of formsets (`points-TOTAL_FORMS`). The CSRF token is hidden all the same.
SAFE_POST_PARAMETERS = frozenset({"action"})
SAFE_FORMSET_SUFFIXES = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")

# GET parameters that carry only ids, dates, times, page numbers and switches. Everything else
# is hidden: `q` and `patient_search` (names typed into a search box), `next` (an address that
# may hold a search), and any parameter added later until it is listed here.
SAFE_GET_PARAMETERS = frozenset(
    {
        "after",
        "appointment_type",
        "archived",
        "complaint",
        "course",
        "day",
        "first_date",
        "first_day",
        "first_time",
        "interval_days",
        "kind",
        "page",
        "patient",
        "practitioner",
        "propose",
        "room",
        "shown",
        "start",
        "view",
    }
)

# Request headers (request.META) that repeat the address with its query string, or the cookies.
HIDDEN_META = frozenset(
    {
        "QUERY_STRING",
        "REQUEST_URI",
        "RAW_URI",
        "HTTP_REFERER",
        "HTTP_HX_CURRENT_URL",
        "HTTP_COOKIE",
    }
)


class ClinicalReporterFilter(SafeExceptionReporterFilter):
    """Hides patient data from error reports (settings.DEFAULT_EXCEPTION_REPORTER_FILTER)."""

    # Django's list, plus DATABASE_URL: its value holds the database password.
    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE_URL", flags=re.I
    )

    def get_post_parameters(self, request: HttpRequest | None):
        if request is None:
            return {}
        if not self.is_active(request):
            return super().get_post_parameters(request)
        return self._cleansed(request.POST, self._safe_post_name)

    def get_get_parameters(self, request: HttpRequest) -> QueryDict:
        if not self.is_active(request):
            return request.GET
        return self._cleansed(request.GET, SAFE_GET_PARAMETERS.__contains__)

    def get_safe_request_meta(self, request: HttpRequest) -> dict:
        meta = super().get_safe_request_meta(request)
        if self.is_active(request):
            for name in HIDDEN_META & meta.keys():
                meta[name] = self.cleansed_substitute
        return meta

    def get_safe_cookies(self, request: HttpRequest) -> dict:
        if not self.is_active(request):
            return super().get_safe_cookies(request)
        return dict.fromkeys(getattr(request, "COOKIES", {}), self.cleansed_substitute)

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame):
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        # A service's arguments are the note's text: show which variables there were, not what.
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]

    def _cleansed(self, params: QueryDict, is_safe) -> QueryDict:
        cleansed = params.copy()
        for name in cleansed:
            if not is_safe(name):
                cleansed[name] = self.cleansed_substitute
        return cleansed

    @staticmethod
    def _safe_post_name(name: str) -> bool:
        return name in SAFE_POST_PARAMETERS or name.endswith(SAFE_FORMSET_SUFFIXES)


class ClinicalExceptionReporter(ExceptionReporter):
    """Django's reporter with the query string, GET parameters and file names filtered too
    (settings.DEFAULT_EXCEPTION_REPORTER): Django prints those without asking the filter."""

    def get_traceback_data(self) -> dict:
        data = super().get_traceback_data()
        request = self.request
        if request is None or not self.filter.is_active(request):
            return data
        report_filter = (
            self.filter
            if isinstance(self.filter, ClinicalReporterFilter)
            else ClinicalReporterFilter()
        )
        get = report_filter.get_get_parameters(request)
        data["request_GET_items"] = list(get.items())
        data["request_FILES_items"] = [
            (name, report_filter.cleansed_substitute) for name in request.FILES
        ]
        query = f"?{get.urlencode(safe='*')}" if get else ""
        data["request_insecure_uri"] = (
            f"{request.scheme}://{request._get_raw_host()}{request.path}{query}"
        )
        return data
