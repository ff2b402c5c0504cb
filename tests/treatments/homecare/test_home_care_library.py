"""The home-care library: who sees it, adding and editing items, and issued sheets staying as
they were printed whatever happens to the library afterwards."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.factories import ComplaintFactory
from treatments.audit import seals
from treatments.homecare import services as homecare
from treatments.models import HomeCareItem

LIBRARY = reverse("treatments:home-care-library")
CREATE = reverse("treatments:home-care-item-create")


def edit_url(item):
    return reverse("treatments:home-care-item-edit", args=[item.pk])


def heat():
    return HomeCareItem.objects.get(title="Moist heat on the lower back and buttock")


def item_data(**overrides):
    data = {
        "title": "Calf stretch against a wall",
        "kind": "stretch",
        "instructions": "Stand facing a wall.\nStep back with the painful leg.\n",
        "dose": "Hold 30 s, 3 times",
        "regions": ["lower_leg", "knee"],
        "position": "35",
        "is_active": "on",
    }
    data.update(overrides)
    return data


# --- access --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIBRARY, CREATE])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_anonymous_visitors_cannot_open_an_item_to_edit(client, db):
    assert client.get(edit_url(heat())).status_code == 302


@pytest.mark.parametrize("url", [LIBRARY, CREATE])
def test_staff_without_a_role_are_refused(client, nobody, url):
    client.force_login(nobody)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [LIBRARY, CREATE])
def test_the_front_desk_cannot_see_or_change_the_library(fiona_client, url):
    assert fiona_client.get(url).status_code == 403


def test_the_front_desk_cannot_edit_an_item(fiona_client):
    assert fiona_client.post(edit_url(heat()), item_data()).status_code == 403


def test_the_library_refuses_a_post(paul_client):
    assert paul_client.post(LIBRARY).status_code == 405


def test_the_item_form_refuses_a_delete(paul_client):
    assert paul_client.delete(edit_url(heat())).status_code == 405


def test_an_unknown_item_is_not_found(paul_client):
    assert (
        paul_client.get(reverse("treatments:home-care-item-edit", args=[999999])).status_code == 404
    )


# --- the library page ----------------------------------------------------------------------


def test_practitioners_see_the_items_grouped_by_kind_with_dose_and_markers(paul_client):
    item = heat()
    HomeCareItem.objects.filter(title="A hot bath instead of the heating pad").update(
        is_active=False
    )
    response = paul_client.get(LIBRARY)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index(">Heat</h2>") < page.index(">Stretch</h2>") < page.index(">Caution</h2>")
    assert "20 minutes, once or twice a day" in page
    assert "Not with inflammation" in page
    assert "Lower back, Buttock, Hip" in page
    assert "Inactive" in page
    assert edit_url(item) in page


def test_managers_see_the_library_too(maria_client):
    assert maria_client.get(LIBRARY).status_code == 200


def test_the_nav_links_to_the_library_for_practitioners_only(paul_client, fiona_client):
    assert LIBRARY in paul_client.get(reverse("treatments:my-day")).content.decode()
    assert LIBRARY not in fiona_client.get(reverse("treatments:today")).content.decode()


# --- adding and editing --------------------------------------------------------------------


def test_a_practitioner_adds_an_item(paul_client):
    response = paul_client.post(CREATE, item_data())
    assert response.status_code == 302
    item = HomeCareItem.objects.get(title="Calf stretch against a wall")
    assert item.steps == ["Stand facing a wall.", "Step back with the painful leg."]
    assert item.regions == ["lower_leg", "knee"]
    assert item.position == 35
    assert item.is_active
    assert not item.not_with_inflammation


def test_a_bad_item_shows_errors_next_to_the_fields_and_keeps_the_input(paul_client):
    data = item_data(title="", position="soon", regions=["knee"], dose="Twice a day")
    response = paul_client.post(CREATE, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "title" in form.errors
    assert "position" in form.errors
    page = response.content.decode()
    assert 'value="soon"' in page
    assert 'value="Twice a day"' in page
    assert 'value="knee"  id="id_regions_4" checked' in page
    assert 'value="hip"  id="id_regions_1" checked' not in page
    assert not HomeCareItem.objects.filter(dose="Twice a day").exists()


def test_an_unknown_region_is_refused(paul_client):
    response = paul_client.post(CREATE, item_data(regions=["elbow"]))
    assert response.status_code == 200
    assert "regions" in response.context["form"].errors


def test_the_edit_form_shows_the_item_as_it_is(paul_client):
    response = paul_client.get(edit_url(heat()))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Lay a moist heating pad" in page
    assert 'value="20 minutes, once or twice a day"' in page


def test_a_manager_edits_an_item(maria_client):
    item = heat()
    data = item_data(title=item.title, kind="heat", not_with_inflammation="on")
    del data["is_active"]
    response = maria_client.post(edit_url(item), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.dose == "Hold 30 s, 3 times"
    assert not item.is_active
    assert item.not_with_inflammation


def test_a_bad_edit_keeps_the_input_and_changes_nothing(paul_client):
    item = heat()
    response = paul_client.post(edit_url(item), item_data(title="New title", kind="magic"))
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert 'value="New title"' in response.content.decode()
    item.refresh_from_db()
    assert item.title == "Moist heat on the lower back and buttock"


# --- issued sheets are final ---------------------------------------------------------------


def test_editing_or_deactivating_an_item_never_changes_an_issued_sheet(paul, paul_client):
    complaint = ComplaintFactory(regions=["lower_back"])
    item = heat()
    sheet = homecare.sheet_issue(
        patient=complaint.patient,
        kind="relief",
        entries=[(item, "Before the stretches")],
        by=paul,
        complaint=complaint,
    )
    before = sheet.snapshot
    data = item_data(
        title="Warm pad",
        kind="heat",
        instructions="Something else entirely",
        not_with_inflammation="on",
    )
    del data["is_active"]
    assert paul_client.post(edit_url(item), data).status_code == 302
    item.refresh_from_db()
    assert item.title == "Warm pad" and not item.is_active

    sheet.refresh_from_db()
    assert sheet.snapshot == before
    assert sheet.snapshot["items"][0]["title"] == "Moist heat on the lower back and buttock"
    assert sheet.snapshot["items"][0]["steps"][0].startswith("Lay a moist heating pad")
    assert seals.sheet_verifies(sheet)


def test_the_library_needs_seven_queries(paul_client, django_assert_num_queries):
    # session, user, the user's groups, user permissions, group permissions, the items, the
    # clinic's profile (navigation)
    with django_assert_num_queries(7):
        response = paul_client.get(LIBRARY)
    assert response.status_code == 200


# --- safe defaults for a new item ------------------------------------------------------------


def test_a_new_item_has_no_kind_chosen_until_the_practitioner_chooses(paul_client):
    response = paul_client.get(CREATE)
    form = response.context["form"]
    assert form["kind"].value() is None
    assert form.fields["kind"].required
    assert '<option value="" selected>Choose…</option>' in response.content.decode()
    assert not form["not_with_inflammation"].value()


def test_an_item_without_a_kind_is_refused_next_to_the_field_and_keeps_the_input(paul_client):
    response = paul_client.post(CREATE, item_data(kind=""))
    assert response.status_code == 200
    assert response.context["form"].errors["kind"] == ["Choose what kind of advice this is."]
    assert 'value="Calf stretch against a wall"' in response.content.decode()
    assert not HomeCareItem.objects.filter(title="Calf stretch against a wall").exists()


def test_a_heat_item_not_ticked_against_inflammation_is_refused_with_the_reason(paul_client):
    data = item_data(title="Hot-water bottle", kind="heat", instructions="Wrap it in a towel.")
    response = paul_client.post(CREATE, data)
    assert response.status_code == 200
    (message,) = response.context["form"].errors["not_with_inflammation"]
    assert message.startswith("Heat is not advised with inflammation")
    assert 'value="Hot-water bottle"' in response.content.decode()
    assert not HomeCareItem.objects.filter(title="Hot-water bottle").exists()


def test_a_heat_item_ticked_against_inflammation_is_saved(paul_client):
    data = item_data(title="Hot-water bottle", kind="heat", not_with_inflammation="on")
    assert paul_client.post(CREATE, data).status_code == 302
    assert HomeCareItem.objects.get(title="Hot-water bottle").not_with_inflammation


def test_the_service_refuses_a_heat_item_not_flagged_against_inflammation(paul):
    with pytest.raises(ValidationError) as refused:
        homecare.item_save(by=paul, title="Sauna", kind="heat", instructions="Sit in a sauna.")
    assert "not_with_inflammation" in refused.value.message_dict


def test_the_database_refuses_a_heat_item_not_flagged_against_inflammation(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        HomeCareItem.objects.filter(pk=heat().pk).update(not_with_inflammation=False)


def test_the_form_says_that_no_region_means_every_complaint(paul_client):
    page = paul_client.get(CREATE).content.decode()
    assert "Leave every box unticked for advice that suits every complaint" in page


def test_an_item_with_no_region_is_saved_for_every_complaint(paul_client):
    assert paul_client.post(CREATE, item_data(regions=[])).status_code == 302
    item = HomeCareItem.objects.get(title="Calf stretch against a wall")
    assert item.regions == []
    complaint = ComplaintFactory(regions=["foot"])
    assert item in homecare.suggest_items(complaint).items
