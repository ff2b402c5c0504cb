"""Issue 15: pictures kept before the picture checks existed (library items, the clinic's
logo) go through them in a data migration; one that fails is removed, sheets already issued
keep their snapshot."""

from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse

from clinic.models import ClinicProfile
from tests import pictures
from tests.treatments.homecare.sheets import issue
from treatments.models import HomeCareItem

pytestmark = pytest.mark.django_db

items_migration = import_module("treatments.migrations.0016_home_care_pictures_made_safe")
logo_migration = import_module("clinic.migrations.0009_clinic_logo_made_safe")


def stored(title: str, uri: str) -> HomeCareItem:
    """The item with `uri` as its picture, written as an old row would have been."""
    HomeCareItem.objects.filter(title=title).update(illustration=uri)
    return HomeCareItem.objects.get(title=title)


def test_hostile_library_pictures_are_removed_and_good_ones_kept(paul):
    hostile = stored(
        "Knees to chest", pictures.data_uri("image/svg+xml", pictures.nested_use_svg())
    )
    scripted = stored(
        "Knee towards the opposite shoulder",
        pictures.data_uri("image/svg+xml", pictures.SCRIPT_SVG),
    )
    huge = stored(
        "Moist heat on the lower back and buttock",
        pictures.data_uri("image/png", pictures.huge_png()),
    )
    sheet = issue(paul.practitioner, items=[hostile])
    good = HomeCareItem.objects.exclude(pk__in=[hostile.pk, scripted.pk, huge.pk]).first()
    good = stored(good.title, pictures.data_uri("image/svg+xml", pictures.GOOD_SVG))

    assert items_migration.make_pictures_safe(apps, None) == 4

    for item in (hostile, scripted, huge):
        item.refresh_from_db()
        assert item.illustration == ""
    good.refresh_from_db()
    assert good.illustration.startswith("data:image/svg+xml;base64,")
    assert b'fill="url(#skin)"' in pictures.decoded(good.illustration)
    sheet.refresh_from_db()
    assert "<use" in pictures.decoded(sheet.snapshot["items"][0]["illustration"]).decode()


def test_pictures_already_safe_are_left_as_they_are(paul):
    assert items_migration.make_pictures_safe(apps, None) == 0
    stored("Knees to chest", pictures.data_uri("image/svg+xml", pictures.GOOD_SVG))
    items_migration.make_pictures_safe(apps, None)
    assert items_migration.make_pictures_safe(apps, None) == 0


def test_a_hostile_logo_is_removed_with_a_line_in_the_profile_history():
    ClinicProfile.objects.update(
        logo=pictures.data_uri("image/svg+xml", pictures.EXTERNAL_HREF_SVG)
    )
    assert logo_migration.make_logo_safe(apps, None) == 1
    profile = ClinicProfile.objects.get()
    assert profile.logo == ""
    latest = profile.history.latest()
    assert latest.history_change_reason == "Logo checked as a safe picture (issue 15)"
    assert latest.logo == ""
    assert logo_migration.make_logo_safe(apps, None) == 0


def test_a_hostile_picture_not_yet_made_safe_never_reaches_the_library_page(paul_client):
    item = stored("Knees to chest", pictures.data_uri("image/svg+xml", pictures.nested_use_svg()))
    for url in (
        reverse("treatments:home-care-library"),
        reverse("treatments:home-care-item-edit", args=[item.pk]),
    ):
        page = paul_client.get(url).text
        assert "Knees to chest" in page
        assert "data:image/svg+xml" not in page


def test_a_hostile_logo_not_yet_made_safe_never_reaches_the_clinic_screen(maria_client):
    ClinicProfile.objects.update(logo=pictures.data_uri("image/svg+xml", pictures.nested_use_svg()))
    page = maria_client.get(reverse("clinic:profile")).text
    assert "data:image/svg+xml" not in page
