"""The patient search answers from an index on both databases (issue 18): every word typed
is a prefix of a name part, phone digits a prefix of the number or of its last digits; the
query plans show the search-term index, never a scan of every patient."""

from datetime import date

import pytest
from django.db import connection

from patients.models import Patient, PatientSearchTerm, search_terms_for
from patients.services import patient_index
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def margaret():
    return PatientFactory(
        given_name="Margaret",
        family_name="O'Connor-Smith",
        preferred_name="Peggy",
        date_of_birth=date(1961, 3, 14),
        phone="+44 7911 123456",
    )


def search(query):
    return list(Patient.objects.search(query))


class TestNamesMatchFromTheStartOfAPart:
    def test_each_word_begins_some_part_of_a_name(self, margaret):
        assert search("marg") == [margaret]
        assert search("smi") == [margaret]
        assert search("peg o conn") == [margaret]

    def test_the_middle_of_a_name_does_not_match(self, margaret):
        # Infix matching read every patient; "onnor" or "garet" is not how names are typed.
        assert search("onnor") == []
        assert search("garet") == []

    def test_a_name_is_found_with_or_without_its_punctuation_and_gaps(self, margaret):
        for typed in ["oconnor", "O'Connor", "o'conn", "connor-smith", "connorsmith", "O Connor"]:
            assert search(typed) == [margaret], typed

    def test_punctuation_alone_matches_nobody(self, margaret):
        assert search("'-") == []

    def test_a_renamed_patient_is_found_by_the_new_name_only(self, margaret, fiona):
        from patients import services

        services.patient_update(
            patient=margaret, by=fiona, consent_given=False, family_name="Adeyemi"
        )
        assert search("adey") == [margaret]
        assert search("connor") == []

    def test_the_terms_of_a_patient(self, margaret):
        terms = set(PatientSearchTerm.objects.filter(patient=margaret).values_list("kind", "term"))
        assert terms == set(search_terms_for(margaret))
        names = {term for kind, term in terms if kind == "name"}
        assert names == {"margaret", "peggy", "o", "connor", "smith", "oconnorsmith", "connorsmith"}


class TestPhoneDigitsMatchFromEitherEnd:
    @pytest.mark.parametrize("typed", ["07911", "0791112", "7911 12", "+44 7911", "0044 79"])
    def test_the_start_of_the_number_as_the_desk_types_it(self, margaret, typed):
        assert search(typed) == [margaret]

    @pytest.mark.parametrize("typed", ["3456", "123456", "1 123 456"])
    def test_the_last_digits(self, margaret, typed):
        assert search(typed) == [margaret]

    def test_last_digits_keep_their_zeros(self, margaret):
        zero_ended = PatientFactory(phone="+44 7911 000300")
        assert search("000300") == [zero_ended]
        assert search("0300") == [zero_ended]
        assert search("0000300") == []

    def test_digits_from_the_middle_do_not_match(self, margaret):
        assert search("9111234") == []

    def test_a_changed_number_is_found_by_the_new_digits_only(self, margaret, fiona):
        from patients import services

        services.patient_update(
            patient=margaret, by=fiona, consent_given=False, phone="+44 7400 123987"
        )
        assert search("07400 123") == [margaret]
        assert search("123456") == []


def many_patients(count: int) -> None:
    """`count` patients with varied names and numbers, written in bulk and indexed the way
    bulk loaders do it."""
    families = ["Smith", "Jones", "Okafor", "Nguyen", "Kowalski", "Murphy", "Ødegård", "García"]
    givens = ["Anna", "Ben", "Chloe", "David", "Emma", "Femi", "Grace", "Hiro", "Ines", "Jack"]
    patients = Patient.objects.bulk_create(
        Patient(
            given_name=f"{givens[i % len(givens)]}{i % 97}",
            family_name=f"{families[i % len(families)]}{i % 89}",
            date_of_birth=date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
            phone=f"+44 7{i:09d}",
        )
        for i in range(count)
    )
    patient_index(patients=patients)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# What the desk types: a family and a given name begun, the start of a mobile number as
# written nationally, its last six digits. (Patient 1970 is Anna30 Okafor12.)
SEARCHES = {"name": "okafor12 ann", "phone": "07000 001970", "last digits": "001970"}


def test_sqlite_answers_searches_from_the_term_index():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's query plan; PostgreSQL's is the test below")
    many_patients(2000)
    for kind, typed in SEARCHES.items():
        found = Patient.objects.current().search(typed)[:25]

        plan = found.explain()

        assert "patient_search_term_idx" in plan, (kind, plan)
        scans = [line for line in plan.splitlines() if "SCAN" in line]
        assert scans == [], (kind, plan)
        assert [p.given_name for p in found] == ["Anna30"], kind


@pytest.mark.postgres
def test_postgresql_answers_searches_from_the_term_index():
    # Enough patients (and fresh statistics) that the planner chooses for real.
    many_patients(20000)
    for kind, typed in SEARCHES.items():
        found = Patient.objects.current().search(typed)[:25]

        plan = found.explain(analyze=True)

        assert "patient_search_term_idx" in plan, (kind, plan)
        assert "Seq Scan" not in plan, (kind, plan)
        assert "Anna30" in [p.given_name for p in found], kind
