"""The clinic manager's availability screens: opening hours, working hours and time off."""

from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import OpeningHours, TimeOff, Weekday, WorkingHours, local_datetime
from tests.factories import PatientFactory, PractitionerFactory, RoomFactory
from treatments.models import Appointment, AppointmentStatus, AppointmentType


def _next(weekday: int, weeks_ahead: int = 1) -> date:
    """A date with that weekday, a week or more from today."""
    today = timezone.localdate()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _block(practitioner, weekday=Weekday.MONDAY, start="09:00", end="12:30"):
    return WorkingHours.objects.create(
        practitioner=practitioner,
        weekday=weekday,
        start=time.fromisoformat(start),
        end=time.fromisoformat(end),
    )


def _time_off(practitioner, day: date, days: int = 1, reason="Holiday"):
    return TimeOff.objects.create(
        practitioner=practitioner,
        start=local_datetime(day, time(0)),
        end=local_datetime(day + timedelta(days=days), time(0)),
        reason=reason,
    )


def _appointment(practitioner, start, booked_by, status=AppointmentStatus.BOOKED, **patient):
    return Appointment.objects.create(
        patient=PatientFactory(**patient),
        practitioner=practitioner,
        room=RoomFactory(),
        appointment_type=AppointmentType.objects.get(name="Follow-up"),
        start=start,
        end=start + timedelta(minutes=45),
        status=status,
        booked_by=booked_by,
    )


# --- who may open them ------------------------------------------------------------------

PAGES = [
    ("GET", "clinic:hours", None),
    ("GET", "clinic:hours-opening", None),
    ("GET", "clinic:hours-practitioner", "practitioner"),
    ("POST", "clinic:hours-block-remove", "block"),
    ("GET", "clinic:hours-time-off", "practitioner"),
    ("POST", "clinic:hours-time-off-remove", "time_off"),
]


@pytest.fixture
def targets(paul):
    practitioner = paul.practitioner
    return {
        "practitioner": {"practitioner_pk": practitioner.pk},
        "block": {"practitioner_pk": practitioner.pk, "pk": _block(practitioner).pk},
        "time_off": {
            "practitioner_pk": practitioner.pk,
            "pk": _time_off(practitioner, _next(Weekday.MONDAY)).pk,
        },
    }


def _url(name, target, targets):
    return reverse(name, kwargs=targets[target] if target else {})


@pytest.mark.parametrize(("method", "name", "target"), PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, targets, method, name, target):
    url = _url(name, target, targets)

    response = client.get(url) if method == "GET" else client.post(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["fiona_client", "paul_client"])
@pytest.mark.parametrize(("method", "name", "target"), PAGES)
def test_front_desk_and_practitioners_cannot_edit_hours(
    request, targets, who, method, name, target
):
    client = request.getfixturevalue(who)
    url = _url(name, target, targets)

    response = client.get(url) if method == "GET" else client.post(url)

    assert response.status_code == 403
    assert WorkingHours.objects.count() == 1
    assert TimeOff.objects.count() == 1


@pytest.mark.parametrize(("method", "name", "target"), PAGES)
def test_each_screen_refuses_the_wrong_method(maria_client, targets, method, name, target):
    url = _url(name, target, targets)

    response = maria_client.put(url) if method == "GET" else maria_client.get(url)

    assert response.status_code == 405
    assert WorkingHours.objects.count() == 1
    assert TimeOff.objects.count() == 1


def test_unknown_practitioners_blocks_and_time_off_are_not_found(maria_client, paul, priya):
    block = _block(priya.practitioner)
    stretch = _time_off(priya.practitioner, _next(Weekday.MONDAY))
    mine = {"practitioner_pk": paul.practitioner.pk}

    assert maria_client.get(reverse("clinic:hours-practitioner", args=[999])).status_code == 404
    assert maria_client.get(reverse("clinic:hours-time-off", args=[999])).status_code == 404
    # Priya's block and time off are not found under Paul's address.
    remove_block = reverse("clinic:hours-block-remove", kwargs={**mine, "pk": block.pk})
    remove_off = reverse("clinic:hours-time-off-remove", kwargs={**mine, "pk": stretch.pk})
    assert maria_client.post(remove_block).status_code == 404
    assert maria_client.post(remove_off).status_code == 404
    assert WorkingHours.objects.filter(pk=block.pk).exists()
    assert TimeOff.objects.filter(pk=stretch.pk).exists()


def test_managers_see_hours_in_the_navigation(maria_client, fiona_client):
    assert reverse("clinic:hours") in maria_client.get(reverse("clinic:home")).text
    assert reverse("clinic:hours") not in fiona_client.get(reverse("clinic:home")).text


# --- opening hours ------------------------------------------------------------------------


def _opening_data(**changes) -> dict:
    """The form as the default opening hours fill it, with `changes` typed over it."""
    data = {}
    rows = {row.weekday: row for row in OpeningHours.objects.all()}
    for weekday in Weekday.values:
        row = rows.get(weekday)
        if row is not None:
            data[f"day{weekday}-is_open"] = "on"
            data[f"day{weekday}-opens"] = f"{row.opens:%H:%M}"
            data[f"day{weekday}-closes"] = f"{row.closes:%H:%M}"
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def _opening() -> dict:
    return {
        row.weekday: (f"{row.opens:%H:%M}", f"{row.closes:%H:%M}")
        for row in OpeningHours.objects.all()
    }


def test_opening_hours_show_each_weekday_with_its_hours(maria_client):
    response = maria_client.get(reverse("clinic:hours-opening"))

    assert response.status_code == 200
    for day in Weekday:
        assert day.label in response.text
    assert 'name="day0-opens" value="08:00"' in response.text
    assert 'name="day6-is_open"' in response.text


def test_manager_changes_opening_hours_closes_a_day_and_opens_another(maria_client):
    data = _opening_data(
        **{
            "day0-opens": "09:00",
            "day0-closes": "17:30",
            "day5-is_open": None,  # Saturday closed (its times stay in the form, unused)
            "day6-is_open": "on",
            "day6-opens": "10:00",
            "day6-closes": "13:00",
        }
    )

    response = maria_client.post(reverse("clinic:hours-opening"), data, follow=True)

    assert response.redirect_chain[-1][0] == reverse("clinic:hours")
    opening = _opening()
    assert opening[Weekday.MONDAY] == ("09:00", "17:30")
    assert Weekday.SATURDAY not in opening
    assert opening[Weekday.SUNDAY] == ("10:00", "13:00")
    assert opening[Weekday.TUESDAY] == ("08:00", "20:00")
    assert "Opening hours saved." in _messages(response)


def test_closing_before_opening_is_refused_next_to_the_field_and_nothing_changes(maria_client):
    before = _opening()
    data = _opening_data(**{"day2-opens": "18:00", "day2-closes": "09:00", "day0-opens": "07:00"})

    response = maria_client.post(reverse("clinic:hours-opening"), data)

    assert response.status_code == 200
    wednesday = response.context["days"][Weekday.WEDNESDAY]
    assert wednesday.errors == {"closes": ["The clinic must close after it opens."]}
    assert 'name="day2-opens" value="18:00"' in response.text
    assert 'name="day2-closes" value="09:00"' in response.text
    assert 'name="day0-opens" value="07:00"' in response.text  # Monday's edit kept too
    assert "is-invalid" in response.text
    assert _opening() == before  # all or nothing


def test_an_open_day_needs_both_times(maria_client):
    data = _opening_data(**{"day6-is_open": "on", "day6-opens": "10:00"})

    response = maria_client.post(reverse("clinic:hours-opening"), data)

    assert response.status_code == 200
    assert response.context["days"][Weekday.SUNDAY].errors == {
        "closes": ["Say when the clinic closes."]
    }
    assert Weekday.SUNDAY not in _opening()


def test_nonsense_times_are_field_errors(maria_client):
    data = _opening_data(**{"day1-opens": "25:99"})

    response = maria_client.post(reverse("clinic:hours-opening"), data)

    assert response.status_code == 200
    assert "opens" in response.context["days"][Weekday.TUESDAY].errors
    assert 'value="25:99"' in response.text


# Shrinking the hours around booked appointments: the manager sees them and confirms; they
# stay booked (the desk moves them), as with time off. Monday's default hours are 08:00–20:00.


def test_shrinking_opening_hours_around_booked_appointments_lists_them_and_saves_nothing(
    maria_client, paul, fiona
):
    monday = _next(Weekday.MONDAY)
    _appointment(
        paul.practitioner, local_datetime(monday, time(18)), fiona,
        given_name="Ada", family_name="Price",
    )  # fmt: skip
    data = _opening_data(**{"day0-closes": "17:00"})

    response = maria_client.post(reverse("clinic:hours-opening"), data)

    assert response.status_code == 200
    warning = response.context["outside_shown"]
    assert warning == [f"Mon {monday.day} {monday:%b %Y} 18:00 Ada Price with Paul Needham"]
    assert "1 booked appointment would be outside these opening hours" in response.text
    assert "Ada Price" in response.text
    assert 'name="day0-closes" value="17:00"' in response.text
    assert _opening()[Weekday.MONDAY] == ("08:00", "20:00")


def test_confirming_the_shrunk_opening_hours_saves_them_and_keeps_the_appointments(
    maria_client, paul, fiona
):
    monday = _next(Weekday.MONDAY)
    booked = _appointment(
        paul.practitioner, local_datetime(monday, time(18)), fiona,
        given_name="Ada", family_name="Price",
    )  # fmt: skip
    data = _opening_data(**{"day0-closes": "17:00", "confirm": str(booked.pk)})

    response = maria_client.post(reverse("clinic:hours-opening"), data, follow=True)

    assert _opening()[Weekday.MONDAY] == ("08:00", "17:00")
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED
    assert (
        f"1 booked appointment is now outside opening hours and stays booked; please move it: "
        f"Mon {booked.start.day} {booked.start:%b %Y} 18:00 {booked.patient.display_name} with "
        f"Paul Needham." in _messages(response)
    )


def test_a_confirmation_for_another_list_of_appointments_is_asked_again(maria_client, paul, fiona):
    monday = _next(Weekday.MONDAY)
    first = _appointment(paul.practitioner, local_datetime(monday, time(18)), fiona)
    _appointment(paul.practitioner, local_datetime(monday + timedelta(days=7), time(19)), fiona)
    data = _opening_data(**{"day0-closes": "17:00", "confirm": str(first.pk)})

    response = maria_client.post(reverse("clinic:hours-opening"), data)

    assert response.status_code == 200
    assert len(response.context["outside"]) == 2
    assert _opening()[Weekday.MONDAY] == ("08:00", "20:00")


def test_closing_a_day_lists_its_booked_appointments_but_not_past_cancelled_or_other_days(
    maria_client, paul, fiona
):
    monday = _next(Weekday.MONDAY)
    kept = _appointment(paul.practitioner, local_datetime(monday, time(10)), fiona)
    _appointment(
        paul.practitioner, local_datetime(monday, time(11)), fiona,
        status=AppointmentStatus.CANCELLED,
    )  # fmt: skip
    _appointment(paul.practitioner, local_datetime(monday + timedelta(days=1), time(10)), fiona)
    _appointment(paul.practitioner, local_datetime(monday - timedelta(days=14), time(10)), fiona)
    data = _opening_data(**{"day0-is_open": None})

    response = maria_client.post(reverse("clinic:hours-opening"), data)

    assert response.context["outside"] == [kept]


def test_an_appointment_already_outside_the_hours_is_not_listed_again(maria_client, paul, fiona):
    monday = _next(Weekday.MONDAY)
    _appointment(paul.practitioner, local_datetime(monday, time(20, 30)), fiona)  # an override
    data = _opening_data(**{"day0-closes": "19:00"})

    response = maria_client.post(reverse("clinic:hours-opening"), data, follow=True)

    assert _opening()[Weekday.MONDAY] == ("08:00", "19:00")
    assert "Opening hours saved." in _messages(response)


# --- working hours ------------------------------------------------------------------------


def test_overview_shows_each_practitioners_week(maria_client, paul, priya):
    _block(paul.practitioner, Weekday.MONDAY, "09:00", "12:30")
    _block(paul.practitioner, Weekday.MONDAY, "13:30", "18:00")
    _block(priya.practitioner, Weekday.SATURDAY, "09:00", "13:00")
    _time_off(priya.practitioner, _next(Weekday.MONDAY))

    response = maria_client.get(reverse("clinic:hours"))

    assert response.status_code == 200
    weeks = {w.practitioner.display_name: w for w in response.context["weeks"]}
    paul_monday = weeks["Paul Needham"].days[Weekday.MONDAY].blocks
    assert [f"{b.start:%H:%M}–{b.end:%H:%M}" for b in paul_monday] == ["09:00–12:30", "13:30–18:00"]
    assert weeks["Paul Needham"].hours == 8
    assert weeks["Priya Shah"].practitioner.upcoming_time_off == 1
    assert "13:30–18:00" in response.text
    assert reverse("clinic:hours-practitioner", args=[paul.practitioner.pk]) in response.text


def test_overview_leaves_out_inactive_practitioners(maria_client, paul, priya):
    priya.practitioner.is_active = False
    priya.practitioner.save()

    response = maria_client.get(reverse("clinic:hours"))

    assert [w.practitioner for w in response.context["weeks"]] == [paul.practitioner]


@pytest.mark.parametrize("count", [2, 8])
def test_overview_runs_the_same_queries_for_2_or_8_practitioners(
    maria_client, django_assert_num_queries, count
):
    for practitioner in PractitionerFactory.create_batch(count):
        _block(practitioner, Weekday.MONDAY, "09:00", "12:30")
        _block(practitioner, Weekday.TUESDAY, "13:00", "18:00")
        _time_off(practitioner, _next(Weekday.MONDAY))
    # session, user, user's roles (groups), user's own and group permissions (2),
    # practitioners with their upcoming time off counted, their working hours, opening hours,
    # the clinic's profile (navigation)
    with django_assert_num_queries(9):
        response = maria_client.get(reverse("clinic:hours"))
    assert len(response.context["weeks"]) == count


def test_practitioner_page_links_to_their_week_calendar(maria_client, paul):
    _block(paul.practitioner)

    response = maria_client.get(reverse("clinic:hours-practitioner", args=[paul.practitioner.pk]))

    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert reverse("treatments:schedule-week", args=[paul.practitioner.pk, today]) in response.text
    assert "09:00–12:30" in response.text


def test_manager_adds_two_blocks_on_one_day(maria_client, paul):
    url = reverse("clinic:hours-practitioner", args=[paul.practitioner.pk])

    first = maria_client.post(url, {"weekday": "0", "start": "09:00", "end": "12:30"})
    second = maria_client.post(url, {"weekday": "0", "start": "13:30", "end": "18:00"}, follow=True)

    assert first.status_code == 302
    assert first.url == url
    blocks = paul.practitioner.working_hours.all()
    assert [(b.weekday, f"{b.start:%H:%M}", f"{b.end:%H:%M}") for b in blocks] == [
        (0, "09:00", "12:30"),
        (0, "13:30", "18:00"),
    ]
    assert "Added Monday 13:30–18:00 to Paul Needham’s week." in _messages(second)


def test_an_overlapping_block_is_refused_next_to_the_field_with_the_input_kept(maria_client, paul):
    _block(paul.practitioner, Weekday.MONDAY, "09:00", "12:30")
    url = reverse("clinic:hours-practitioner", args=[paul.practitioner.pk])

    response = maria_client.post(url, {"weekday": "0", "start": "12:00", "end": "14:00"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "start": ["This overlaps Monday 09:00–12:30; change that block instead."]
    }
    assert 'value="12:00"' in response.text and 'value="14:00"' in response.text
    assert paul.practitioner.working_hours.count() == 1


def test_the_same_hours_on_another_day_or_for_another_practitioner_are_fine(
    maria_client, paul, priya
):
    _block(paul.practitioner, Weekday.MONDAY, "09:00", "12:30")
    _block(priya.practitioner, Weekday.TUESDAY, "09:00", "12:30")
    url = reverse("clinic:hours-practitioner", args=[paul.practitioner.pk])

    response = maria_client.post(url, {"weekday": "1", "start": "09:00", "end": "12:30"})

    assert response.status_code == 302
    assert paul.practitioner.working_hours.count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"weekday": "0", "start": "12:00", "end": "09:00"}, "end"),
        ({"weekday": "0", "start": "12:00", "end": "12:00"}, "end"),
        ({"weekday": "9", "start": "09:00", "end": "12:00"}, "weekday"),
        ({"weekday": "0", "start": "nine", "end": "12:00"}, "start"),
        ({"weekday": "0", "start": "09:00"}, "end"),
    ],
)
def test_bad_blocks_are_field_errors(maria_client, paul, data, field):
    url = reverse("clinic:hours-practitioner", args=[paul.practitioner.pk])

    response = maria_client.post(url, data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not WorkingHours.objects.exists()


def test_a_block_outside_opening_hours_is_saved_with_a_warning(maria_client, paul):
    url = reverse("clinic:hours-practitioner", args=[paul.practitioner.pk])

    early = maria_client.post(url, {"weekday": "0", "start": "07:00", "end": "12:00"}, follow=True)
    sunday = maria_client.post(url, {"weekday": "6", "start": "10:00", "end": "12:00"}, follow=True)

    assert paul.practitioner.working_hours.count() == 2
    assert any(
        "outside the clinic’s opening hours on Mondays (08:00–20:00)" in m for m in _messages(early)
    )
    assert any("The clinic is closed on Sundays" in m for m in _messages(sunday))
    assert "outside opening hours" in sunday.text


def test_manager_removes_a_block(maria_client, paul):
    keep = _block(paul.practitioner, Weekday.MONDAY, "09:00", "12:30")
    remove = _block(paul.practitioner, Weekday.MONDAY, "13:30", "18:00")
    url = reverse(
        "clinic:hours-block-remove",
        kwargs={"practitioner_pk": paul.practitioner.pk, "pk": remove.pk},
    )

    response = maria_client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "clinic:hours-practitioner", args=[paul.practitioner.pk]
    )
    assert list(paul.practitioner.working_hours.all()) == [keep]
    assert any("Removed Monday 13:30–18:00" in m for m in _messages(response))


def _remove_url(block) -> str:
    return reverse(
        "clinic:hours-block-remove",
        kwargs={"practitioner_pk": block.practitioner_id, "pk": block.pk},
    )


def test_removing_a_block_with_booked_appointments_asks_first_and_removes_nothing(
    maria_client, paul, fiona
):
    _block(paul.practitioner, Weekday.MONDAY, "09:00", "12:30")
    afternoon = _block(paul.practitioner, Weekday.MONDAY, "13:30", "18:00")
    monday = _next(Weekday.MONDAY)
    _appointment(paul.practitioner, local_datetime(monday, time(10)), fiona)  # the morning
    _appointment(
        paul.practitioner, local_datetime(monday, time(15)), fiona,
        given_name="Ada", family_name="Price",
    )  # fmt: skip

    response = maria_client.post(_remove_url(afternoon))

    assert response.status_code == 200
    assert "Remove Monday 13:30–18:00 from Paul Needham’s week?" in response.text
    assert response.context["outside_shown"] == [
        f"Mon {monday.day} {monday:%b %Y} 15:00 Ada Price with Paul Needham"
    ]
    assert "1 booked appointment would be outside their working hours" in response.text
    assert paul.practitioner.working_hours.count() == 2


def test_confirming_the_removal_removes_the_block_and_keeps_the_appointments(
    maria_client, paul, fiona
):
    block = _block(paul.practitioner, Weekday.MONDAY, "13:30", "18:00")
    booked = _appointment(paul.practitioner, local_datetime(_next(Weekday.MONDAY), time(15)), fiona)

    response = maria_client.post(_remove_url(block), {"confirm": str(booked.pk)}, follow=True)

    assert not paul.practitioner.working_hours.exists()
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED
    assert any("now outside Paul Needham’s working hours" in m for m in _messages(response))


def test_a_block_whose_appointments_another_block_still_holds_is_removed_at_once(
    maria_client, paul, fiona
):
    _block(paul.practitioner, Weekday.TUESDAY, "13:30", "18:00")
    monday = _block(paul.practitioner, Weekday.MONDAY, "13:30", "18:00")
    _appointment(paul.practitioner, local_datetime(_next(Weekday.TUESDAY), time(15)), fiona)
    _appointment(paul.practitioner, local_datetime(_next(Weekday.MONDAY), time(10)), fiona)

    response = maria_client.post(_remove_url(monday))

    assert response.status_code == 302
    assert not WorkingHours.objects.filter(pk=monday.pk).exists()


# --- time off -------------------------------------------------------------------------------


def test_manager_adds_whole_days_of_time_off(maria_client, paul):
    monday = _next(Weekday.MONDAY)
    url = reverse("clinic:hours-time-off", args=[paul.practitioner.pk])
    data = {
        "start_date": monday.isoformat(),
        "end_date": (monday + timedelta(days=4)).isoformat(),
        "reason": "Holiday",
    }

    response = maria_client.post(url, data, follow=True)

    assert response.redirect_chain[-1][0] == url
    stretch = TimeOff.objects.get()
    assert stretch.practitioner == paul.practitioner
    assert timezone.localtime(stretch.start) == local_datetime(monday, time(0))
    assert timezone.localtime(stretch.end) == local_datetime(monday + timedelta(days=5), time(0))
    assert stretch.reason == "Holiday"
    assert "(whole days)" in response.text
    assert not any("please move" in m for m in _messages(response))


def test_manager_adds_part_of_a_day_off(maria_client, paul):
    day = _next(Weekday.WEDNESDAY)
    url = reverse("clinic:hours-time-off", args=[paul.practitioner.pk])
    data = {
        "start_date": day.isoformat(),
        "start_time": "13:00",
        "end_date": day.isoformat(),
        "end_time": "17:00",
        "reason": "Dentist",
    }

    response = maria_client.post(url, data, follow=True)

    stretch = TimeOff.objects.get()
    assert timezone.localtime(stretch.start) == local_datetime(day, time(13))
    assert timezone.localtime(stretch.end) == local_datetime(day, time(17))
    assert "13:00" in response.text and "Dentist" in response.text


@pytest.mark.parametrize(
    ("times", "field"),
    [
        ({"start_time": "14:00", "end_time": "10:00"}, "end_time"),
        ({"end_offset": -1}, "end_date"),
        ({"start_time": "noon"}, "start_time"),
        ({"end_offset": -30, "start_offset": -31}, "end_date"),  # already over
    ],
)
def test_bad_time_off_is_refused_with_the_input_kept(maria_client, paul, times, field):
    day = _next(Weekday.WEDNESDAY)
    data = {
        "start_date": (day + timedelta(days=times.pop("start_offset", 0))).isoformat(),
        "end_date": (day + timedelta(days=times.pop("end_offset", 0))).isoformat(),
        "reason": "Course",
        **times,
    }

    response = maria_client.post(
        reverse("clinic:hours-time-off", args=[paul.practitioner.pk]), data
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'value="Course"' in response.text
    assert not TimeOff.objects.exists()


def test_time_off_over_booked_appointments_warns_and_lists_them(maria_client, paul, fiona):
    monday = _next(Weekday.MONDAY)
    booked = _appointment(
        paul.practitioner, local_datetime(monday, time(10)), fiona,
        given_name="Ada", family_name="Price",
    )  # fmt: skip
    _appointment(
        paul.practitioner, local_datetime(monday, time(11)), fiona,
        status=AppointmentStatus.CANCELLED, given_name="Cy", family_name="Gone",
    )  # fmt: skip
    _appointment(
        paul.practitioner, local_datetime(monday + timedelta(days=7), time(10)), fiona,
        given_name="Bea", family_name="Later",
    )  # fmt: skip
    data = {"start_date": monday.isoformat(), "end_date": monday.isoformat(), "reason": "Ill"}

    response = maria_client.post(
        reverse("clinic:hours-time-off", args=[paul.practitioner.pk]), data, follow=True
    )

    assert TimeOff.objects.count() == 1
    warnings = [m for m in _messages(response) if "please move" in m]
    assert warnings == [
        f"1 appointment falls in this time off and stays booked; please move it: "
        f"{monday:%a %d %b} 10:00 Ada Price."
    ]
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED  # time off cancels nothing
    assert reverse("treatments:appointment-detail", args=[booked.pk]) in response.text
    assert "Cy Gone" not in response.text and "Bea Later" not in response.text


def test_time_off_page_lists_only_upcoming_time_off(maria_client, paul, priya):
    _time_off(paul.practitioner, _next(Weekday.MONDAY), reason="Holiday")
    _time_off(paul.practitioner, timezone.localdate() - timedelta(days=30), reason="Old course")
    _time_off(priya.practitioner, _next(Weekday.MONDAY), reason="Priya away")

    response = maria_client.get(reverse("clinic:hours-time-off", args=[paul.practitioner.pk]))

    assert [stretch.reason for stretch, *_ in response.context["upcoming"]] == ["Holiday"]
    assert "Old course" not in response.text and "Priya away" not in response.text


@pytest.mark.parametrize("count", [1, 6])
def test_time_off_page_runs_the_same_queries_for_1_or_6_stretches(
    maria_client, paul, fiona, django_assert_num_queries, count
):
    for week in range(1, count + 1):
        monday = _next(Weekday.MONDAY, weeks_ahead=week)
        _time_off(paul.practitioner, monday)
        _appointment(paul.practitioner, local_datetime(monday, time(10)), fiona)
    # session, user, user's roles (groups), user's own and group permissions (2),
    # the practitioner, their upcoming time off, live appointments in it with patients,
    # the clinic's profile (navigation)
    with django_assert_num_queries(9):
        response = maria_client.get(reverse("clinic:hours-time-off", args=[paul.practitioner.pk]))
    assert all(len(appointments) == 1 for *_, appointments in response.context["upcoming"])


def test_manager_removes_time_off(maria_client, paul):
    stretch = _time_off(paul.practitioner, _next(Weekday.MONDAY))
    url = reverse(
        "clinic:hours-time-off-remove",
        kwargs={"practitioner_pk": paul.practitioner.pk, "pk": stretch.pk},
    )

    response = maria_client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "clinic:hours-time-off", args=[paul.practitioner.pk]
    )
    assert not TimeOff.objects.exists()
    assert any("Removed the time off" in m for m in _messages(response))


@pytest.mark.parametrize(
    ("start_offset", "end_offset", "times"),
    [
        (0, 4, {}),  # the same week again
        (3, 6, {}),  # the last two days again, and more
        (2, 2, {"start_time": "13:00", "end_time": "17:00"}),  # an afternoon inside it
    ],
)
def test_time_off_overlapping_time_off_already_recorded_is_refused_next_to_from(
    maria_client, paul, start_offset, end_offset, times
):
    monday = _next(Weekday.MONDAY)
    _time_off(paul.practitioner, monday, days=5)
    data = {
        "start_date": (monday + timedelta(days=start_offset)).isoformat(),
        "end_date": (monday + timedelta(days=end_offset)).isoformat(),
        "reason": "Holiday again",
        **times,
    }

    response = maria_client.post(
        reverse("clinic:hours-time-off", args=[paul.practitioner.pk]), data
    )

    assert response.status_code == 200
    [error] = response.context["form"].errors["start_date"]
    assert error.startswith("This overlaps time off already recorded: ")
    assert "(whole days), Holiday. Remove that one first if this one replaces it." in error
    assert 'value="Holiday again"' in response.text
    assert TimeOff.objects.count() == 1


def test_time_off_right_after_other_time_off_or_for_someone_else_is_fine(maria_client, paul, priya):
    monday = _next(Weekday.MONDAY)
    _time_off(paul.practitioner, monday, days=5)
    next_week = {
        "start_date": (monday + timedelta(days=5)).isoformat(),
        "end_date": (monday + timedelta(days=6)).isoformat(),
        "reason": "Weekend away",
    }
    same_week = {**next_week, "start_date": monday.isoformat()}

    maria_client.post(reverse("clinic:hours-time-off", args=[paul.practitioner.pk]), next_week)
    maria_client.post(reverse("clinic:hours-time-off", args=[priya.practitioner.pk]), same_week)

    assert TimeOff.objects.count() == 3
