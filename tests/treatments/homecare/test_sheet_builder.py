"""Building a home-care sheet: context from a course or a complaint, the suggestion (what is
ticked and what is left out, and why), order and personal notes, and bad input."""

import pytest
from django.urls import reverse

from patients.models import RedFlag
from tests.factories import ComplaintFactory, CourseFactory
from treatments.homecare.services import INTROS
from treatments.models import HomeCareItem, HomeCareSheet, TreatmentCourse

URL = reverse("treatments:sheet-create")

HEAT = "Moist heat on the lower back and buttock"
BATH = "A hot bath instead of the heating pad"
KNEES = "Knees to chest"
HIP = "Knee towards the opposite shoulder"
MOVING = "Keep moving between long sits"
CAUTIONS = "Cautions with every stretch"
CONTACT = "When to contact us"


def item(title):
    return HomeCareItem.objects.get(title=title)


def ticked(response):
    form = response.context["form"]
    return {row.item.title for row in form.rows() if row.include.value()}


def post_data(complaint_items: dict, kind="relief", intro=""):
    """{title: (order, note)} for the ticked items; every active item gets an order field."""
    data = {"kind": kind, "intro": intro}
    for number, library_item in enumerate(HomeCareItem.objects.filter(is_active=True)):
        data[f"position_{library_item.pk}"] = str(100 + number)
        data[f"note_{library_item.pk}"] = ""
    for title, (order, note) in complaint_items.items():
        pk = item(title).pk
        data[f"include_{pk}"] = "on"
        data[f"position_{pk}"] = order
        data[f"note_{pk}"] = note
    return data


@pytest.fixture
def complaint(db):
    return ComplaintFactory(regions=["lower_back", "hip"])


@pytest.fixture
def inflamed(db):
    return ComplaintFactory(regions=["lower_back", "hip"], red_flags=[RedFlag.INFLAMMATION])


# --- access --------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, complaint):
    response = client.get(f"{URL}?complaint={complaint.pk}")
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_staff_without_a_role_are_refused(nobody_client, complaint):
    assert nobody_client.get(f"{URL}?complaint={complaint.pk}").status_code == 403


def test_the_front_desk_cannot_build_a_sheet(fiona_client, complaint):
    assert fiona_client.get(f"{URL}?complaint={complaint.pk}").status_code == 403
    response = fiona_client.post(f"{URL}?complaint={complaint.pk}", post_data({KNEES: ("1", "")}))
    assert response.status_code == 403
    assert not HomeCareSheet.objects.exists()


def test_managers_cannot_issue_sheets(maria_client, complaint):
    assert maria_client.get(f"{URL}?complaint={complaint.pk}").status_code == 403


def test_the_builder_refuses_other_methods(paul_client, complaint):
    assert paul_client.put(f"{URL}?complaint={complaint.pk}").status_code == 405


@pytest.mark.parametrize("query", ["?complaint=999999", "?course=999999"])
def test_unknown_complaints_and_courses_are_not_found(paul_client, query):
    assert paul_client.get(URL + query).status_code == 404


@pytest.mark.parametrize("query", ["", "?complaint=", "?complaint=abc", "?course=1x"])
def test_a_missing_or_garbled_context_gets_a_friendly_message(paul_client, query):
    response = paul_client.get(URL + query)
    assert response.status_code == 400
    assert "Start a home-care sheet from a patient’s complaint or course" in (
        response.content.decode()
    )


# --- the suggestion ------------------------------------------------------------------------


def test_without_inflammation_every_suited_item_is_ticked(paul_client, complaint):
    response = paul_client.get(f"{URL}?complaint={complaint.pk}")
    assert response.status_code == 200
    assert ticked(response) == {HEAT, BATH, KNEES, HIP, MOVING, CAUTIONS, CONTACT}
    assert 'id="left-out"' not in response.content.decode()


def test_with_inflammation_heat_is_left_unticked_and_the_reason_shown(paul_client, inflamed):
    response = paul_client.get(f"{URL}?complaint={inflamed.pk}")
    assert ticked(response) == {KNEES, HIP, MOVING, CAUTIONS, CONTACT}
    page = response.content.decode()
    left_out = page[page.index('id="left-out"') : page.index('<form method="post" action=""')]
    assert f"“{HEAT}” left out: inflammation is recorded" in left_out
    assert f"“{BATH}” left out" in left_out
    # Still offered, so that a practitioner can tick it deliberately.
    assert f'for="id_include_{item(HEAT).pk}"' in page


def test_a_knee_only_complaint_does_not_get_the_hip_stretch(paul_client):
    knee = ComplaintFactory(title="Left knee pain", regions=["knee"])
    response = paul_client.get(f"{URL}?complaint={knee.pk}")
    assert ticked(response) == {MOVING, CAUTIONS, CONTACT}
    assert HIP in response.content.decode()  # offered, not ticked


def test_inactive_items_are_not_offered(paul_client, complaint):
    HomeCareItem.objects.filter(title=BATH).update(is_active=False)
    response = paul_client.get(f"{URL}?complaint={complaint.pk}")
    assert BATH not in {row.item.title for row in response.context["form"].rows()}


def test_a_course_gives_the_complaint_and_the_issuer_is_the_practitioner(
    paul_client, paul, priya, complaint
):
    course = CourseFactory(complaint=complaint, practitioner=priya.practitioner)
    response = paul_client.get(f"{URL}?course={course.pk}")
    assert response.status_code == 200
    assert response.context["complaint"] == complaint
    # Paul covers Priya's course: the sheet goes out in his name, not hers.
    assert response.context["practitioner"] == paul.practitioner
    assert response.context["form"]["kind"].value() == "relief"
    assert response.context["form"]["intro"].value() == INTROS["relief"]


def test_kind_prevention_is_preselected_with_its_intro(paul_client, complaint):
    response = paul_client.get(f"{URL}?complaint={complaint.pk}&kind=prevention")
    assert response.context["form"]["kind"].value() == "prevention"
    assert response.context["form"]["intro"].value() == INTROS["prevention"]


def test_a_completed_course_offers_the_prevention_sheet(paul, paul_client, complaint):
    course = CourseFactory(complaint=complaint, practitioner=paul.practitioner)
    TreatmentCourse.objects.filter(pk=course.pk).update(status="completed")
    page = paul_client.get(reverse("treatments:course-detail", args=[course.pk])).content.decode()
    assert f"{URL}?course={course.pk}&amp;kind=prevention" in page
    assert "Issue the prevention sheet" in page


def test_the_complaint_page_links_to_the_builder(paul_client, complaint):
    page = paul_client.get(
        reverse("patients:complaint-detail", args=[complaint.patient.pk, complaint.pk])
    ).content.decode()
    assert f"{URL}?complaint={complaint.pk}" in page


# --- issuing -------------------------------------------------------------------------------


def test_items_land_in_the_snapshot_in_the_chosen_order_with_their_notes(
    paul, paul_client, complaint
):
    data = post_data(
        {
            KNEES: ("30", "hold 30 s, 3 times, twice a day"),
            HEAT: ("20", "before the stretches"),
            HIP: ("10", ""),
            CAUTIONS: ("5", "slowly!"),
        },
        intro="Do these every evening.",
    )
    response = paul_client.post(f"{URL}?complaint={complaint.pk}", data)
    sheet = HomeCareSheet.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("treatments:sheet-detail", args=[sheet.pk])
    items = sheet.snapshot["items"]
    assert [i["title"] for i in items] == [HIP, HEAT, KNEES]
    assert [i["note"] for i in items] == [
        "",
        "before the stretches",
        "hold 30 s, 3 times, twice a day",
    ]
    assert sheet.snapshot["cautions"][0]["note"] == "slowly!"
    assert sheet.snapshot["contact"] == []
    assert sheet.snapshot["intro"] == "Do these every evening."
    assert sheet.practitioner == paul.practitioner
    assert sheet.complaint == complaint
    assert sheet.issued_by == paul


def test_a_sheet_from_a_course_is_linked_to_it(paul_client, paul, priya, complaint):
    course = CourseFactory(complaint=complaint, practitioner=priya.practitioner)
    data = post_data({MOVING: ("1", "")}, kind="prevention", intro=INTROS["relief"])
    assert paul_client.post(f"{URL}?course={course.pk}", data).status_code == 302
    sheet = HomeCareSheet.objects.get()
    assert sheet.course == course
    assert sheet.practitioner == paul.practitioner
    assert sheet.kind == "prevention"
    # The standard intro of the other kind becomes the chosen kind's standard intro.
    assert sheet.snapshot["intro"] == INTROS["prevention"]


def test_a_left_out_item_may_be_ticked_deliberately_with_a_warning(paul_client, inflamed):
    data = post_data({HEAT: ("1", "only if the swelling has gone")})
    response = paul_client.post(f"{URL}?complaint={inflamed.pk}", data, follow=False)
    assert response.status_code == 302
    assert HomeCareSheet.objects.get().snapshot["items"][0]["title"] == HEAT
    warnings = [str(m) for m in response.wsgi_request._messages]
    assert any("You included it deliberately" in w and HEAT in w for w in warnings)


def test_a_sheet_without_items_is_refused_and_the_input_kept(paul_client, complaint):
    data = post_data({}, intro="My own words")
    data[f"note_{item(KNEES).pk}"] = "hold 30 s"
    response = paul_client.post(f"{URL}?complaint={complaint.pk}", data)
    assert response.status_code == 200
    assert "Tick at least one item for the sheet." in response.content.decode()
    assert ticked(response) == set()  # what was typed, not the suggestion
    page = response.content.decode()
    assert "My own words" in page
    assert 'value="hold 30 s"' in page
    assert not HomeCareSheet.objects.exists()


def test_an_order_that_is_not_a_number_is_refused_and_the_input_kept(paul_client, complaint):
    data = post_data({KNEES: ("abc", "twice a day"), HIP: ("2", "")})
    response = paul_client.post(f"{URL}?complaint={complaint.pk}", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[f"position_{item(KNEES).pk}"] == [
        "Enter the order as a whole number, e.g. 10."
    ]
    page = response.content.decode()
    assert 'value="abc"' in page
    assert 'value="twice a day"' in page
    assert ticked(response) == {KNEES, HIP}
    assert not HomeCareSheet.objects.exists()


def test_a_ticked_item_needs_an_order(paul_client, complaint):
    data = post_data({KNEES: ("", "")})
    response = paul_client.post(f"{URL}?complaint={complaint.pk}", data)
    assert response.status_code == 200
    assert f"position_{item(KNEES).pk}" in response.context["form"].errors


def test_an_unknown_kind_is_refused(paul_client, complaint):
    response = paul_client.post(
        f"{URL}?complaint={complaint.pk}", post_data({KNEES: ("1", "")}, kind="x")
    )
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors


def test_the_builder_needs_fourteen_queries(paul_client, complaint, django_assert_num_queries):
    # session, user, the user's groups, user permissions, group permissions, the complaint with
    # its patient, the practitioner profile, the suggestion's items, the access log's insert
    # with its chain (the head, locked; the row's link; the head moved on), the offered
    # items, the clinic's profile (navigation)
    with django_assert_num_queries(14):
        response = paul_client.get(f"{URL}?complaint={complaint.pk}")
    assert response.status_code == 200
