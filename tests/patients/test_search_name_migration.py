import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("patients", "0002_role_permissions")]
AFTER = [("patients", "0003_patient_search_name")]
WITH_TERMS = [("patients", "0007_patient_search_terms")]


@pytest.fixture
def migrator():
    """A migration executor; the database is back at the newest migrations afterwards, through
    `migrate` itself, whose post_migrate puts back the triggers of the protected tables that
    going back dropped (treatments.audit.protection)."""
    yield MigrationExecutor(connection)
    call_command("migrate", verbosity=0)


# Serialized rollback: the rows the data migrations wrote are back for the tests after.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_patients_registered_before_the_search_column_and_terms_are_found(migrator):
    migrator.migrate(BEFORE)
    old_apps = migrator.loader.project_state(BEFORE).apps
    old_apps.get_model("patients", "Patient").objects.create(
        given_name="Łukasz",
        family_name="Nguyễn",
        preferred_name="Łuki",
        date_of_birth="1980-01-01",
        phone="+447911000000",
    )

    MigrationExecutor(connection).migrate(AFTER)

    from patients.models import Patient

    # Only the columns this migration knows: later ones (contact consent) are not there yet.
    assert Patient.objects.only("search_name").get().search_name == "lukasz nguyen luki"

    # The search terms (issue 18) are written for them too.
    MigrationExecutor(connection).migrate(WITH_TERMS)
    assert Patient.objects.search("LUKASZ nguyen").count() == 1
    assert Patient.objects.search("luk ngu").count() == 1
    assert Patient.objects.search("07911 000000").count() == 1
