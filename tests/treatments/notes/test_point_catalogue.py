"""The full acupuncture point catalogue (WHO standard points loaded from the repository's data
file), the picker that finds a point from what is typed, and the manager's clinic points."""

import re
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import SIGNABLE, AppointmentFactory, course_under_way, session, write_note
from treatments.audit import seals
from treatments.models import AcupuncturePoint, AppointmentStatus, NotePoint
from treatments.notes import services as notes
from treatments.notes.catalogue import PointCatalogue
from treatments.notes.forms import point_rows

pytestmark = pytest.mark.django_db

WHO_MERIDIANS = {
    "LU": 11, "LI": 20, "ST": 45, "SP": 21, "HT": 9, "SI": 19, "BL": 67,
    "KI": 27, "PC": 9, "TE": 23, "GB": 44, "LR": 14, "GV": 28, "CV": 24,
}  # fmt: skip
WHO_EXTRA = {"EX-HN": 15, "EX-CA": 1, "EX-B": 9, "EX-UE": 11, "EX-LE": 12}


def prefix_and_number(code: str) -> tuple[str, int] | None:
    found = re.fullmatch(r"([A-Z]+(?:-[A-Z]+)?)(\d+)", code)
    return (found[1], int(found[2])) if found else None


# --- the catalogue ------------------------------------------------------------------------------


def test_the_catalogue_has_the_361_meridian_points_and_48_extra_points_of_the_who_standard():
    numbered = [
        prefix_and_number(code) for code in AcupuncturePoint.objects.values_list("code", flat=True)
    ]
    counts = Counter(prefix for prefix, _ in filter(None, numbered))

    assert {m: counts[m] for m in WHO_MERIDIANS} == WHO_MERIDIANS
    assert {e: counts[e] for e in WHO_EXTRA} == WHO_EXTRA
    assert sum(WHO_MERIDIANS.values()) == 361 and sum(WHO_EXTRA.values()) == 48


def test_each_channel_is_numbered_from_one_without_gaps():
    numbers = {}
    for code in AcupuncturePoint.objects.values_list("code", flat=True):
        if parsed := prefix_and_number(code):
            numbers.setdefault(parsed[0], set()).add(parsed[1])
    for prefix, count in (WHO_MERIDIANS | WHO_EXTRA).items():
        assert numbers[prefix] == set(range(1, count + 1)), prefix


def test_the_points_a_practitioner_could_not_record_before_are_there():
    named = dict(AcupuncturePoint.objects.values_list("code", "name"))

    assert (named["GB21"], named["PC6"], named["HT7"], named["TE5"]) == (
        "Jianjing",
        "Neiguan",
        "Shenmen",
        "Waiguan",
    )
    assert AcupuncturePoint.objects.get(code="GB21").label == "GB21 Jianjing (Shoulder Well)"


def test_the_points_of_the_first_catalogue_keep_their_rows_and_come_in_channel_order():
    codes = list(AcupuncturePoint.objects.values_list("code", flat=True))

    assert codes[:3] == ["LU1", "LU2", "LU3"]
    assert codes[-1] == "ASHI"  # not in the standard: after it
    assert codes.index("GB30") < codes.index("LR1") < codes.index("EX-HN1")


# --- finding a point from what is typed ---------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "GB21",
        "gb21",
        " gb 21 ",
        "jianjing",
        "JIANJING",
        "shoulder well",
        "GB21 Jianjing (Shoulder Well)",
    ],
)
def test_a_point_is_found_by_code_pinyin_english_or_its_label(typed):
    assert PointCatalogue().find(typed).code == "GB21"


def test_extra_points_are_found_whatever_the_hyphen():
    assert PointCatalogue().find("ex b2").code == "EX-B2"


def test_a_name_two_points_share_asks_for_the_code():
    with pytest.raises(ValidationError) as refused:
        PointCatalogue().find("zhongdu")

    assert refused.value.messages == ["“zhongdu” is GB32 or LR6: type the code."]


def test_an_unknown_point_says_what_to_type():
    with pytest.raises(ValidationError, match="No point “XX99” in the catalogue: type a code"):
        PointCatalogue().find("XX99")


def test_a_retired_point_is_refused_unless_it_is_already_on_the_record():
    gb21 = notes.point_set_in_use(point=AcupuncturePoint.objects.get(code="GB21"), in_use=False)

    with pytest.raises(ValidationError, match=r"GB21 is retired from the catalogue\."):
        PointCatalogue().find("GB21")
    assert PointCatalogue().find("GB21", keep={gb21.pk}) == gb21
    assert gb21 not in PointCatalogue().offered


def rows_posted(*typed) -> dict:
    data = {"points-TOTAL_FORMS": str(len(typed)), "points-INITIAL_FORMS": "0"}
    for i, text in enumerate(typed):
        data |= {f"points-{i}-point": text, f"points-{i}-side": "bilateral"}
    return data


def test_the_same_point_twice_is_an_error_on_the_second_row():
    rows = point_rows(rows_posted("GB21", "neiguan", "jianjing"))

    assert not rows.is_valid()
    assert rows.forms[2].errors["point"] == ["GB21 is already in row 1."]
    assert rows.forms[1].errors == {}


def test_typed_points_come_back_as_points_in_order():
    rows = point_rows(rows_posted("GB21", "", "spirit gate"))

    assert rows.is_valid()
    assert [(p.code, side) for p, side in rows.points()] == [
        ("GB21", "bilateral"),
        ("HT7", "bilateral"),
    ]


def test_a_note_records_each_point_once_whatever_the_service_is_given(paul):
    appointment = AppointmentFactory(
        practitioner=paul.practitioner, start=timezone.now(), status=AppointmentStatus.ARRIVED
    )
    note = notes.note_start(appointment=appointment, by=paul)
    gb30 = AcupuncturePoint.objects.get(code="GB30")

    notes.note_save_draft(note=note, by=paul, points=[(gb30, "right"), (gb30, "left")])

    assert list(note.points.values_list("point__code", "side")) == [("GB30", "right")]


# --- on the note form ---------------------------------------------------------------------------


@pytest.fixture
def draft(paul):
    appointment = AppointmentFactory(
        practitioner=paul.practitioner, start=timezone.now(), status=AppointmentStatus.ARRIVED
    )
    note = notes.note_start(appointment=appointment, by=paul)
    return notes.note_save_draft(note=note, by=paul, **SIGNABLE)


def test_the_note_form_offers_the_catalogue_to_the_browsers_own_picker(paul_client, draft):
    page = paul_client.get(reverse("treatments:note-edit", args=[draft.pk])).text

    assert page.count('list="point-catalogue"') == 8  # one per empty row
    assert '<option value="GB21 Jianjing (Shoulder Well)">' in page
    assert '<option value="PC6 Neiguan (Inner Pass)">' in page


def test_a_typing_error_is_shown_next_to_the_point_and_nothing_typed_is_lost(paul_client, draft):
    data = {
        "subjective": "Hip better",
        "needles_inserted": "0",
        "needles_removed": "0",
        "adverse_event": "none",
        "action": "save",
        **rows_posted("GB21", "jianjnig"),
    }

    response = paul_client.post(reverse("treatments:note-edit", args=[draft.pk]), data)

    page = response.content.decode()
    assert "No point “jianjnig” in the catalogue" in page
    assert 'value="jianjnig"' in page, page
    assert "Hip better</textarea>" in page
    assert not draft.points.exists()


def test_the_note_form_runs_the_same_queries_with_1_or_40_points_on_it(paul, paul_client, draft):
    url = reverse("treatments:note-edit", args=[draft.pk])
    paul_client.get(url)  # warm the session

    def queries_with(count: int) -> int:
        points = [(p, "bilateral") for p in AcupuncturePoint.objects.all()[:count]]
        notes.note_save_draft(note=draft, by=paul, points=points)
        with CaptureQueriesContext(connection) as captured:
            response = paul_client.get(url)
        assert len(response.context["rows"].initial) == count
        return len(captured)

    # session, user, groups, permissions (2), the note with its people, its points, the
    # catalogue (once for every row), the access log's insert with its chain (the head,
    # locked; the row's link; the head moved on), the red-flag check, the practitioner's
    # point sets, the clinic's profile (navigation).
    assert queries_with(1) == queries_with(40) <= 15


@pytest.mark.parametrize("count", [1, 40])
def test_the_course_page_runs_a_fixed_number_of_queries_whatever_the_points_on_its_notes(
    paul, paul_client, django_assert_num_queries, count
):
    course = course_under_way(paul.practitioner, planned=3)
    points = [(p, "bilateral") for p in AcupuncturePoint.objects.all()[:count]]
    for days_ago in (14, 7):
        write_note(session(course, days_ago=days_ago), points=points, pain_before=6, pain_after=3)
    url = reverse("treatments:course-detail", args=[course.pk])
    paul_client.get(url)  # warm the session

    with django_assert_num_queries(13):  # as at any number of sessions (see test_pain_chart)
        paul_client.get(url)


# --- the manager's clinic points ----------------------------------------------------------------


def test_a_manager_adds_a_clinic_point_that_the_picker_then_offers(
    maria_client, paul_client, draft
):
    url = reverse("treatments:point-catalogue")
    response = maria_client.post(
        url, {"code": "ear shenmen", "name": "Ear Shenmen", "english": "", "meridian": "Ear"}
    )

    assert response.status_code == 302
    point = AcupuncturePoint.objects.get(code="EARSHENMEN")
    assert point.clinic_specific and point.is_active
    page = paul_client.get(reverse("treatments:note-edit", args=[draft.pk])).text
    assert '<option value="EARSHENMEN Ear Shenmen">' in page


def test_a_code_already_in_the_catalogue_is_a_field_error_keeping_what_was_typed(maria_client):
    data = {"code": "gb21", "name": "Mine", "english": "", "meridian": ""}

    response = maria_client.post(reverse("treatments:point-catalogue"), data)

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["The catalogue already has a point GB21."]
    assert 'value="Mine"' in response.content.decode()


def test_a_practitioner_can_look_points_up_but_not_add_or_retire_them(paul_client):
    url = reverse("treatments:point-catalogue")
    page = paul_client.get(url, {"q": "shoulder"})
    gb21 = AcupuncturePoint.objects.get(code="GB21")

    assert (
        page.status_code == 200
        and "Jianjing" in page.text
        and "Add a clinic point" not in page.text
    )
    paul_client.post(url, {"code": "MINE1", "name": "Mine"})
    assert not AcupuncturePoint.objects.filter(code="MINE1").exists()
    retire = reverse("treatments:point-in-use", args=[gb21.pk])
    assert paul_client.post(retire, {"in_use": "0"}).status_code == 403


def test_a_retired_point_stays_on_the_notes_that_used_it(maria_client, paul):
    course = course_under_way(paul.practitioner)
    gb21 = AcupuncturePoint.objects.get(code="GB21")
    note = write_note(session(course, days_ago=7), points=[(gb21, "left")])

    maria_client.post(reverse("treatments:point-in-use", args=[gb21.pk]), {"in_use": "0"})

    gb21.refresh_from_db()
    assert not gb21.is_active
    assert NotePoint.objects.filter(note=note, point=gb21).exists()
    assert seals.note_verifies(note)
    with pytest.raises(ProtectedError):
        gb21.delete()  # a point a note used is never deleted


def test_a_retired_point_already_on_a_draft_can_be_saved_again(paul, paul_client, draft):
    gb21 = AcupuncturePoint.objects.get(code="GB21")
    notes.note_save_draft(note=draft, by=paul, points=[(gb21, "left")])
    notes.point_set_in_use(point=gb21, in_use=False)
    data = {
        "subjective": "Same",
        "needles_inserted": "0",
        "needles_removed": "0",
        "adverse_event": "none",
        "action": "save",
        **rows_posted("GB21 Jianjing (Shoulder Well)"),
    }

    paul_client.post(reverse("treatments:note-edit", args=[draft.pk]), data)

    assert list(draft.points.values_list("point__code", flat=True)) == ["GB21"]
