import logging
from datetime import time, timedelta

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from clinic.access import staff_required
from clinic.models import local_datetime
from clinic.pagination import BoundedPaginator
from clinic.request_limits import declared_size
from treatments.models import HomeCareSheet, Message, MessageState
from treatments.reminders import services, tasks
from treatments.reminders.delivery_reports import (
    MAX_BODY_BYTES,
    SIGNATURE_HEADER,
    BadReport,
    ReportOutcome,
    parse_report,
    signature_is_valid,
)
from treatments.reminders.forms import MessageFilterForm

log = logging.getLogger(__name__)

MESSAGES_PER_PAGE = 50


def filtered_messages(form: MessageFilterForm):
    messages = Message.objects.with_people().order_by("-send_at", "-pk")
    if not form.is_valid():
        return messages.none()
    data = form.cleaned_data
    if data["state"]:
        messages = messages.filter(state=data["state"])
    if data["channel"]:
        messages = messages.filter(channel=data["channel"])
    if data["first_day"]:
        messages = messages.filter(send_at__gte=local_datetime(data["first_day"], time(0)))
    if data["last_day"]:
        end = local_datetime(data["last_day"] + timedelta(days=1), time(0))
        messages = messages.filter(send_at__lt=end)
    return messages


@staff_required("treatments.view_message")
@require_GET
def message_list(request):
    """The delivery log for the desk: every reminder and notice, its state and why. No
    patient page is read here (names and times only), so nothing goes to the access log."""
    form = MessageFilterForm(request.GET)
    page = BoundedPaginator(filtered_messages(form), MESSAGES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "treatments/message_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


REFUSED = {
    ReportOutcome.UNKNOWN: (404, "no text message has this id"),
    ReportOutcome.NOT_SENT: (409, "this message has not been sent"),
    ReportOutcome.AMBIGUOUS: (409, "several messages have this id"),
}


@login_not_required  # the SMS provider, not a person: the signature is its credential
@csrf_exempt
@require_POST
def sms_status(request):
    """The SMS provider's delivery reports (treatments/reminders/delivery_reports.py). The
    body is read only when small, and parsed only once its signature holds."""
    if declared_size(request) > MAX_BODY_BYTES:
        return JsonResponse({"error": "a report is at most 4096 bytes"}, status=413)
    body = request.body
    secret = settings.SMS_API_STATUS_SECRET
    if not signature_is_valid(body, request.headers.get(SIGNATURE_HEADER), secret):
        log.warning("delivery report refused: %s", "bad signature" if secret else "no secret set")
        return JsonResponse({"error": "missing or invalid signature"}, status=403)
    try:
        report = parse_report(body)
    except BadReport as error:
        return JsonResponse({"error": str(error)}, status=400)
    outcome, message = services.record_delivery_report(report=report)
    if outcome in REFUSED:
        status, error = REFUSED[outcome]
        return JsonResponse({"error": error, "outcome": outcome}, status=status)
    return JsonResponse({"outcome": outcome, "state": message.state})


@staff_required("treatments.add_message", "treatments.view_homecaresheet")
@require_POST
def sheet_email(request, pk):
    """E-mail an issued sheet's PDF to its patient: the message is logged at once (skipped,
    with the reason, when the patient may not be written to) and the worker sends it."""
    sheet = get_object_or_404(HomeCareSheet, pk=pk)
    asked = services.sheet_email(sheet=sheet, by=request.user)
    message = asked.message
    if not asked.new:
        flash.info(request, "This sheet was asked for moments ago: it is not sent twice.")
    elif message.state == MessageState.SKIPPED:
        flash.error(
            request,
            f"The sheet was not e-mailed: {message.reason[:1].lower()}{message.reason[1:]}.",
        )
    else:
        tasks.deliver_message.enqueue(message.pk)
        flash.success(
            request,
            "The sheet is being e-mailed to the patient; the log shows when the mail server "
            "has taken it.",
        )
    if request.POST.get("back") == "course" and sheet.course_id:
        return redirect("treatments:course-detail", sheet.course_id)
    return redirect("treatments:sheet-detail", sheet.pk)
