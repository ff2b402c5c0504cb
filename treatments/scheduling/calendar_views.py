"""The front desk's day calendar and a practitioner's week."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clinic.access import staff_required
from clinic.params import parse_day, query_id
from treatments.scheduling.calendar import day_calendar, week_calendar

BAD_DAY = "“{}” is not a date; showing today."


def day_url(day, *, by_rooms: bool = False) -> str:
    url = reverse("treatments:schedule-day", args=[day.isoformat()])
    return f"{url}?{urlencode({'view': 'rooms'})}" if by_rooms else url


def _day_in_url(day: str):
    parsed = parse_day(day)
    if parsed is None:
        raise Http404("No such day.")
    return parsed


@staff_required("treatments.view_appointment")
@require_http_methods(["GET"])
def schedule_day(request, day: str | None = None):
    by_rooms = request.GET.get("view") == "rooms"
    if "day" in request.GET:  # the date picker: go to the day's own address
        picked = parse_day(request.GET["day"])
        if picked is None:
            messages.error(request, BAD_DAY.format(request.GET["day"][:40]))
            picked = timezone.localdate()
        return redirect(day_url(picked, by_rooms=by_rooms))
    shown = timezone.localdate() if day is None else _day_in_url(day)
    calendar = day_calendar(
        shown, by_rooms=by_rooms, can_book=request.user.has_perm("treatments.add_appointment")
    )
    return render(request, "treatments/schedule_day.html", {"calendar": calendar})


@staff_required("treatments.view_appointment")
@require_http_methods(["GET"])
def schedule_week(request, practitioner_pk: int, day: str):
    shown = _day_in_url(day)
    if "practitioner" in request.GET or "day" in request.GET:  # the switcher form
        picked = parse_day(request.GET.get("day", day))
        chosen = (
            query_id(request.GET, "practitioner")
            if "practitioner" in request.GET
            else practitioner_pk
        )
        if picked is None or chosen is None:
            messages.error(request, "Choose a practitioner and a date.")
        else:
            practitioner_pk, shown = chosen, picked
        return redirect("treatments:schedule-week", practitioner_pk, shown.isoformat())
    calendar = week_calendar(
        practitioner_pk, shown, can_book=request.user.has_perm("treatments.add_appointment")
    )
    if calendar is None:
        raise Http404("No such practitioner.")
    return render(request, "treatments/schedule_week.html", {"calendar": calendar, "day": shown})
