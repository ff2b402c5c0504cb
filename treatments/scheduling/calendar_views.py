"""The front desk's day calendar and a practitioner's week."""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clinic.access import staff_required
from clinic.params import FIRST_YEAR, LAST_YEAR, parse_day, query_id
from treatments.scheduling.calendar import day_calendar, week_calendar
from treatments.scheduling.team_week import team_week


def bad_day_message(typed: str) -> str:
    """Why the date box's value shows no day: not a date, or beyond the calendar's years."""
    if not typed:
        return "Choose a date."
    year, _, rest = typed.partition("-")
    if re.fullmatch(r"[0-9]{4,6}", year) and parse_day(f"2000-{rest}") is not None:  # another year
        return f"The calendar runs from {FIRST_YEAR} to {LAST_YEAR}: choose a date in them."
    return f"“{typed}” is not a date: choose one with the date box."


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
    shown = timezone.localdate() if day is None else _day_in_url(day)
    context = {}
    if "day" in request.GET:  # the date box: go to the day's own address
        picked = parse_day(request.GET["day"])
        if picked is not None:
            return redirect(day_url(picked, by_rooms=by_rooms))
        # Stay on the day shown, with the typed value and why it shows nothing.
        shown = parse_day(request.GET.get("shown")) or shown
        typed = request.GET["day"][:40]
        context = {"typed_day": typed, "day_error": bad_day_message(typed)}
    context["calendar"] = day_calendar(
        shown,
        by_rooms=by_rooms,
        can_book=request.user.has_perm("treatments.add_appointment"),
        user=request.user,
    )
    return render(request, "treatments/schedule_day.html", context)


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
        practitioner_pk,
        shown,
        can_book=request.user.has_perm("treatments.add_appointment"),
        user=request.user,
    )
    if calendar is None:
        raise Http404("No such practitioner.")
    return render(request, "treatments/schedule_week.html", {"calendar": calendar, "day": shown})


@staff_required("treatments.view_appointment")
@require_http_methods(["GET"])
def schedule_team_week(request, day: str | None = None):
    """Every practitioner's week on one screen."""
    shown = timezone.localdate() if day is None else _day_in_url(day)
    context = {}
    if "day" in request.GET:  # the date box, as on the day calendar
        picked = parse_day(request.GET["day"])
        if picked is not None:
            return redirect("treatments:schedule-team-week", picked.isoformat())
        shown = parse_day(request.GET.get("shown")) or shown
        typed = request.GET["day"][:40]
        context = {"typed_day": typed, "day_error": bad_day_message(typed)}
    context["week"] = team_week(shown, user=request.user)
    return render(request, "treatments/schedule_team_week.html", context)
