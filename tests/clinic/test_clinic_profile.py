"""The clinic's own details (name, phone, e-mail, address, sheet footer, logo): kept in the
database with their history, edited by managers only, printed on every sheet issued after."""

import importlib
import io
from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from clinic import services
from clinic.models import ClinicProfile
from tests import pictures
from tests.factories import PatientFactory
from tests.treatments.homecare.sheets import issue, pdf_text, squeeze
from treatments.audit import seals
from treatments.homecare import services as homecare
from treatments.models import HomeCareSheet, SealedKind

pytestmark = pytest.mark.django_db

URL = reverse("clinic:profile")


def png(width=40, height=20) -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (width, height), (31, 95, 91)).save(picture, format="PNG")
    return picture.getvalue()


def profile_data(**changes):
    data = {
        "name": "Riverside Acupuncture",
        "phone": "020 7946 0018",
        "email": "desk@riverside.example",
        "address": "12 Mill Lane\nKingston KT1 1AA",
        "sheet_footer": "Open Monday to Saturday · riverside.example",
        "recall_after_months": 6,
        # The reminder settings (issue 16) at their defaults.
        "reminder_email_hours": 48,
        "reminder_sms_hours": 24,
        "quiet_hours_start": "21:00",
        "quiet_hours_end": "08:00",
        "reminder_grace_minutes": 3,
        **changes,
    }
    return data


def save(**changes) -> ClinicProfile:
    """The profile saved through the service, as a manager would."""
    from clinic.models import User

    manager = User.objects.get(username="maria")
    fields = profile_data(**changes)
    reminders = {name: fields.pop(name) for name in services.REMINDER_FIELDS}
    return services.clinic_profile_save(by=manager, reminders=reminders, **fields)


def sheet_pdf_text(client, sheet) -> str:
    response = client.get(reverse("treatments:sheet-pdf", args=[sheet.pk]))
    assert response.status_code == 200
    return squeeze(pdf_text(response.content))


# --- who may change it ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["fiona_client", "paul_client", "nobody_client"])
def test_only_managers_may_open_the_screen(request, who):
    client = request.getfixturevalue(who)
    assert client.get(URL).status_code == 403
    assert client.post(URL, profile_data()).status_code == 403
    assert ClinicProfile.objects.current().name != "Riverside Acupuncture"


def test_the_screen_answers_only_get_and_post(maria_client):
    assert maria_client.put(URL).status_code == 405
    assert maria_client.delete(URL).status_code == 405


def test_the_managers_menu_links_to_the_screen_and_nobody_elses_does(
    maria_client, fiona_client, paul_client
):
    link = f'href="{URL}">Clinic</a>'
    assert link in maria_client.get(reverse("clinic:home")).text
    assert link not in fiona_client.get(reverse("clinic:home")).text
    assert link not in paul_client.get(reverse("clinic:home")).text


# --- editing ----------------------------------------------------------------------------------


def test_the_screen_shows_the_details_as_they_are(maria_client, maria):
    save(phone="01632 960 001")
    page = maria_client.get(URL).text
    assert 'value="Riverside Acupuncture"' in page
    assert 'value="01632 960 001"' in page
    assert "12 Mill Lane\nKingston KT1 1AA</textarea>" in page


def test_a_manager_changes_the_details_and_the_navigation_shows_the_new_name(maria_client):
    response = maria_client.post(URL, profile_data())
    assert response.status_code == 302
    profile = ClinicProfile.objects.get()
    assert (profile.name, profile.phone, profile.email) == (
        "Riverside Acupuncture",
        "020 7946 0018",
        "desk@riverside.example",
    )
    assert profile.address == "12 Mill Lane\nKingston KT1 1AA"
    page = maria_client.get(reverse("clinic:home")).text
    assert '<a class="navbar-brand" href="/">Riverside Acupuncture</a>' in page
    assert "<title>Home · Riverside Acupuncture</title>" in page


def test_the_login_page_shows_the_clinics_name(client, maria):
    save(name="Riverside Acupuncture")
    assert "Riverside Acupuncture" in client.get(reverse("login")).text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "0" * 31, "at most 30 characters"),
        ("phone", "call us", "Enter the phone number in digits"),
        ("email", "desk at riverside", "valid email"),
        ("name", "", "This field is required"),
        ("sheet_footer", "x" * 201, "at most 200 characters"),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_kept(maria_client, field, value, message):
    data = profile_data(**{field: value})
    response = maria_client.post(URL, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    page = response.text
    assert 'value="desk@riverside.example"' in page or field == "email"
    assert value in page
    assert 'is-invalid"' in page
    assert ClinicProfile.objects.current().name != "Riverside Acupuncture"


def test_a_manager_changes_when_reminders_go_out(maria_client):
    data = profile_data(reminder_email_hours=72, reminder_sms_hours=0, quiet_hours_start="20:00")
    assert maria_client.post(URL, data).status_code == 302
    profile = ClinicProfile.objects.get()
    assert (profile.reminder_email_hours, profile.reminder_sms_hours) == (72, 0)
    assert profile.quiet_hours_start == time(20)
    assert 'value="20:00"' in maria_client.get(URL).text


def test_a_reminder_lead_beyond_two_weeks_is_refused_next_to_the_field(maria_client):
    response = maria_client.post(URL, profile_data(reminder_email_hours=1000))
    assert response.status_code == 200
    assert response.context["form"].errors["reminder_email_hours"]
    assert 'value="1000"' in response.text


def test_typed_but_unsaved_details_do_not_reach_the_navigation(maria_client):
    response = maria_client.post(URL, profile_data(phone="x" * 40))
    assert response.status_code == 200
    assert '<a class="navbar-brand" href="/">Riverside Acupuncture</a>' not in response.text


def test_a_manager_adds_a_logo(maria_client):
    data = profile_data(logo=SimpleUploadedFile("logo.png", png()))
    assert maria_client.post(URL, data).status_code == 302
    assert ClinicProfile.objects.get().logo.startswith("data:image/png;base64,")
    page = maria_client.get(URL).text
    assert 'alt="The current logo of Riverside Acupuncture"' in page
    assert "Remove the logo" in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.txt", b"hello", "SVG, PNG or JPEG"),
        ("logo.png", b"not a png at all", "not a picture"),
        ("logo.svg", b"<svg>" + b" " * 400_000, "larger than 300 KB"),
        ("logo.svg", pictures.nested_use_svg(), "copies of other parts (<use>)"),
        ("logo.png", pictures.huge_png(), "12,000 × 12,000 pixels"),
    ],
)
def test_a_logo_that_is_not_a_small_picture_is_refused_next_to_the_field(
    maria_client, name, content, message
):
    data = profile_data(logo=SimpleUploadedFile(name, content))
    response = maria_client.post(URL, data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["logo"])
    assert 'value="Riverside Acupuncture"' in response.text
    assert ClinicProfile.objects.current().logo == ""


def test_saving_without_a_new_logo_keeps_it_and_removing_it_removes_it(maria_client):
    maria_client.post(URL, profile_data(logo=SimpleUploadedFile("logo.png", png())))
    logo = ClinicProfile.objects.get().logo
    maria_client.post(URL, profile_data(phone="020 7946 0999"))
    assert ClinicProfile.objects.get().logo == logo
    maria_client.post(URL, profile_data(remove_logo="on"))
    assert ClinicProfile.objects.get().logo == ""


def test_the_service_tidies_what_was_typed(maria):
    profile = save(
        name="  Riverside   Acupuncture ",
        phone=" 020  7946 0018 ",
        address="  12 Mill Lane  \r\n  Kingston \n",
    )
    assert profile.name == "Riverside Acupuncture"
    assert profile.phone == "020 7946 0018"
    assert profile.address == "12 Mill Lane\nKingston"


def test_the_service_refuses_what_the_form_would(maria):
    with pytest.raises(ValidationError) as refused:
        save(phone="0" * 31)
    assert "phone" in refused.value.message_dict


# --- history ----------------------------------------------------------------------------------


def test_every_change_is_kept_with_who_made_it(maria_client, maria):
    maria_client.post(URL, profile_data())
    maria_client.post(URL, profile_data(phone="020 7946 0999"))

    versions = list(ClinicProfile.history.order_by("history_date", "history_id"))
    # The first version is the migration's, from the environment.
    assert [v.phone for v in versions] == ["", "020 7946 0018", "020 7946 0999"]
    assert versions[0].history_change_reason == "From the environment at first run"
    assert [v.history_user for v in versions[1:]] == [maria, maria]


def test_a_save_that_changes_nothing_adds_no_version(maria):
    save()
    before = ClinicProfile.history.count()
    save()
    assert ClinicProfile.history.count() == before


def test_the_screen_lists_the_changes_with_what_changed(maria_client):
    maria_client.post(URL, profile_data())
    maria_client.post(URL, profile_data(phone="020 7946 0999"))
    changes = maria_client.get(URL).context["changes"]
    assert [change.fields for change in changes[:2]] == [
        ["phone"],
        ["name", "address", "phone", "e-mail", "sheet footer"],
    ]
    assert changes[-1].reason == "From the environment at first run"


# --- the environment's first-run defaults -----------------------------------------------------

FIRST_RUN = ("clinic", "0008_clinic_profile_from_settings")


def run_first_run_migration():
    """The data migration's function, with the models as the migration sees them."""
    state = MigrationLoader(connection).project_state(FIRST_RUN)
    importlib.import_module(f"clinic.migrations.{FIRST_RUN[1]}").create_profile(state.apps, None)


def test_the_migration_creates_the_profile_from_the_environment(settings):
    ClinicProfile.objects.all().delete()
    ClinicProfile.history.all().delete()
    settings.CLINIC_NAME = "Harbour Clinic"
    settings.CLINIC_PHONE = "01632 960 123"
    settings.CLINIC_ADDRESS = "1 Quay Street"

    run_first_run_migration()

    profile = ClinicProfile.objects.get()
    assert (profile.name, profile.phone, profile.address) == (
        "Harbour Clinic",
        "01632 960 123",
        "1 Quay Street",
    )
    versions = ClinicProfile.history.values_list("history_type", "name")
    assert list(versions) == [("+", "Harbour Clinic")]


def test_the_migration_leaves_a_saved_profile_alone(settings, maria):
    save()
    settings.CLINIC_NAME = "Harbour Clinic"
    run_first_run_migration()
    assert ClinicProfile.objects.get().name == "Riverside Acupuncture"


def test_an_empty_database_uses_the_environments_defaults_without_writing(
    settings, fiona_client, paul
):
    ClinicProfile.objects.all().delete()
    settings.CLINIC_NAME = "Harbour Clinic"
    settings.CLINIC_PHONE = "01632 960 123"

    page = fiona_client.get(reverse("clinic:home")).text
    sheet = issue(paul.practitioner)

    assert '<a class="navbar-brand" href="/">Harbour Clinic</a>' in page
    assert sheet.snapshot["clinic"]["phone"] == "01632 960 123"
    assert not ClinicProfile.objects.exists()


def test_the_first_save_on_an_empty_database_creates_the_profile(maria_client):
    ClinicProfile.objects.all().delete()
    assert maria_client.post(URL, profile_data()).status_code == 302
    assert ClinicProfile.objects.get().pk == ClinicProfile.ONLY_ID


# --- sheets -----------------------------------------------------------------------------------


def test_a_sheet_issued_after_a_change_prints_the_new_details(maria_client, fiona_client, paul):
    maria_client.post(URL, profile_data(logo=SimpleUploadedFile("logo.png", png())))
    sheet = issue(paul.practitioner)

    page = fiona_client.get(reverse("treatments:sheet-detail", args=[sheet.pk])).text
    assert "Tel. 020 7946 0018 · desk@riverside.example" in page
    assert "Call Riverside Acupuncture on 020 7946 0018." in page
    assert "Open Monday to Saturday · riverside.example" in page
    assert '<img class="hc-logo" src="data:image/png;base64,' in page

    text = sheet_pdf_text(fiona_client, sheet)
    assert "Tel. 020 7946 0018" in text
    assert "Call Riverside Acupuncture on 020 7946 0018" in text
    assert "Open Monday to Saturday · riverside.example" in text


def test_a_sheet_already_issued_keeps_the_details_it_was_printed_with(
    maria_client, fiona_client, paul
):
    maria_client.post(URL, profile_data())
    before = issue(paul.practitioner)
    maria_client.post(URL, profile_data(name="Harbour Clinic", phone="01632 960 123"))
    after = issue(paul.practitioner)

    old = fiona_client.get(reverse("treatments:sheet-detail", args=[before.pk])).text
    assert "Tel. 020 7946 0018" in old and "01632 960 123" not in old
    assert "Tel. 020 7946 0018" in sheet_pdf_text(fiona_client, before)
    assert seals.sheet_verifies(HomeCareSheet.objects.get(pk=before.pk))
    assert "Tel. 01632 960 123" in sheet_pdf_text(fiona_client, after)


def test_a_sheet_issued_before_the_profile_existed_still_prints(fiona_client, paul):
    """Old snapshots know only the name, phone and address."""
    issued = issue(paul.practitioner)
    old = {
        **issued.snapshot,
        "clinic": {"name": "Meridian Clinic", "phone": "020 7946 0000", "address": ""},
    }
    sheet = HomeCareSheet.objects.create(
        patient=issued.patient,
        kind=issued.kind,
        version=2,
        practitioner=issued.practitioner,
        issued_by=paul,
        snapshot=old,
        content_hash=homecare.snapshot_hash(old),
    )
    seals.seal(SealedKind.SHEET, sheet)  # as migration 0021 sealed the sheets issued before
    page = fiona_client.get(reverse("treatments:sheet-detail", args=[sheet.pk])).text
    assert "Call Meridian Clinic on 020 7946 0000." in page
    assert 'class="hc-logo"' not in page and 'class="hc-footer-text"' not in page
    assert "Call Meridian Clinic on 020 7946 0000." in sheet_pdf_text(fiona_client, sheet)


# --- queries ----------------------------------------------------------------------------------


def profile_reads(queries) -> int:
    return sum('"clinic_clinicprofile"' in query["sql"] for query in queries)


@pytest.mark.parametrize("url", ["clinic:home", "patients:list", "treatments:today"])
def test_a_page_reads_the_profile_once(fiona_client, url):
    PatientFactory.create_batch(3)
    with CaptureQueriesContext(connection) as captured:
        assert fiona_client.get(reverse(url)).status_code == 200
    assert profile_reads(captured.captured_queries) == 1


def test_the_clinic_screen_reads_the_profile_once(maria_client):
    maria_client.post(URL, profile_data())
    with CaptureQueriesContext(connection) as captured:
        maria_client.get(URL)
    assert profile_reads(captured.captured_queries) == 1


def test_the_clinic_screen_runs_a_fixed_number_of_queries(
    maria_client, maria, django_assert_num_queries
):
    for phone in ("020 7946 0001", "020 7946 0002", "020 7946 0003"):
        save(phone=phone)
    # session, user, the user's groups (roles), the user's own and group permissions (2),
    # the profile (form and navigation), its latest versions with who made them
    with django_assert_num_queries(7):
        maria_client.get(URL)


# --- when resolved complaints come onto the recall list (issue 16) -------------------------


def test_the_manager_sets_the_months_before_a_resolved_complaint_is_recalled(maria_client):
    response = maria_client.post(URL, profile_data(recall_after_months="9"))

    assert response.status_code == 302
    assert ClinicProfile.objects.get().recall_after_months == 9
    assert 'name="recall_after_months"' in maria_client.get(URL).text


@pytest.mark.parametrize("months", ["0", "37", "six", ""])
def test_months_outside_one_to_36_are_refused_next_to_the_field(maria_client, months):
    response = maria_client.post(URL, profile_data(recall_after_months=months))

    assert response.status_code == 200
    assert "recall_after_months" in response.context["form"].errors
    assert ClinicProfile.objects.current().recall_after_months == 6


def test_changing_only_the_months_is_a_new_version(maria):
    save()
    save(recall_after_months=3)

    assert ClinicProfile.objects.get().recall_after_months == 3
    assert ClinicProfile.history.count() == 3  # the migration's, the first save, this one
