from datetime import date

import pytest
from django.urls import reverse

from patients import services
from patients.models import Patient
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


@pytest.fixture
def others():
    return PatientFactory.create_batch(5, given_name="Tom", family_name="Baker")


def register(**names):
    """Through the patient service, as the desk registers patients."""
    fields = {"date_of_birth": date(1980, 1, 1), "phone": "+44 7911 000000", **names}
    return services.patient_register(by=None, **fields)


def search(query):
    return list(Patient.objects.search(query))


class TestSearchByName:
    def test_matches_any_part_of_a_name_in_any_case(self, margaret, others):
        assert search("connor") == [margaret]
        assert search("MARG") == [margaret]

    def test_matches_the_preferred_name(self, margaret, others):
        assert search("peggy") == [margaret]

    def test_every_word_must_match_some_name(self, margaret, others):
        assert search("peggy connor") == [margaret]
        assert search("peggy baker") == []

    def test_empty_query_lists_everyone(self, margaret, others):
        assert len(search("  ")) == 6


class TestSearchIgnoresAccentsAndCase:
    """The desk types names on whatever keyboard it has: the same matches on SQLite and
    PostgreSQL, through the folded `search_name` the patient service keeps."""

    @pytest.fixture
    def international(self):
        names = [("Zoë", "Ødegård"), ("José", "Núñez"), ("Łukasz", "Kowalski")]
        names += [("Hans", "Ørsted"), ("Thi", "Nguyễn")]
        return {family: register(given_name=given, family_name=family) for given, family in names}

    @pytest.mark.parametrize(
        ("typed", "family"),
        [
            ("zoe", "Ødegård"),
            ("ZOË", "Ødegård"),
            ("Zoë", "Ødegård"),
            ("odegard", "Ødegård"),
            ("jose", "Núñez"),
            ("JOSÉ nunez", "Núñez"),
            ("lukasz", "Kowalski"),
            ("ŁUKASZ", "Kowalski"),
            ("orsted", "Ørsted"),
            ("ØRSTED", "Ørsted"),
            ("nguyen", "Nguyễn"),
            ("NGUYỄN", "Nguyễn"),
        ],
    )
    def test_finds_a_name_typed_without_accents_in_any_case(self, international, typed, family):
        assert search(typed) == [international[family]]

    def test_a_changed_name_is_found_by_its_new_spelling_only(self, international, fiona):
        zoe = international["Ødegård"]
        services.patient_update(
            patient=zoe, by=fiona, consent_given=False, family_name="Ødegård-Núñez"
        )
        assert search("odegard nunez") == [zoe]
        services.patient_update(patient=zoe, by=fiona, consent_given=False, given_name="Zoé")
        assert search("zoe") == [zoe]

    def test_the_patient_list_finds_zoe_by_zoe(self, fiona_client, international):
        response = fiona_client.get(reverse("patients:list"), {"q": "ZOE"})
        assert list(response.context["page"].object_list) == [international["Ødegård"]]
        assert "Zoë" in response.text


class TestSearchByPhone:
    @pytest.mark.parametrize(
        "typed", ["07911 123456", "07911123456", "+44 7911 123456", "123456", "(0)7911-123-456"]
    )
    def test_matches_phone_digits_however_they_are_typed(self, margaret, others, typed):
        assert search(typed) == [margaret]

    def test_too_few_digits_match_nothing_by_phone(self, margaret, others):
        assert search("12") == []


class TestSearchByDateOfBirth:
    @pytest.mark.parametrize(
        "typed", ["14/03/1961", "1961-03-14", "14-03-1961", "14.03.1961", " 14.3.1961 "]
    )
    def test_matches_the_date_of_birth_written_day_first_or_iso(self, margaret, others, typed):
        assert search(typed) == [margaret]

    @pytest.mark.parametrize("typed", ["31.02.1961", "31-02-1961", "31/02/1961", "1961-02-31"])
    def test_an_impossible_date_is_not_read_as_a_date_of_birth(self, margaret, others, typed):
        # Read as phone digits instead, which match nobody here; no error.
        assert search(typed) == []

    def test_the_patient_list_reads_a_dotted_date(self, fiona_client, margaret, others):
        response = fiona_client.get(reverse("patients:list"), {"q": "14.03.1961"})
        assert list(response.context["page"].object_list) == [margaret]


class TestPatientListPage:
    def test_front_desk_finds_a_patient_by_partial_name(self, fiona_client, margaret, others):
        response = fiona_client.get(reverse("patients:list"), {"q": "o'conn"})
        assert response.status_code == 200
        assert list(response.context["page"].object_list) == [margaret]
        assert "O&#x27;Connor-Smith" in response.text

    def test_says_so_when_nobody_matches(self, fiona_client, margaret):
        response = fiona_client.get(reverse("patients:list"), {"q": "Zebedee"})
        assert "No patient matches “Zebedee”" in response.text
        assert reverse("patients:create") in response.text

    def test_archived_patients_are_hidden_unless_asked_for(self, fiona_client, margaret):
        PatientFactory(
            given_name="Margaret",
            family_name="Gone",
            is_archived=True,
            archived_at="2026-01-01T10:00:00Z",
        )
        shown = fiona_client.get(reverse("patients:list"), {"q": "margaret"}).context["page"]
        assert list(shown.object_list) == [margaret]
        with_archived = fiona_client.get(
            reverse("patients:list"), {"q": "margaret", "archived": "on"}
        ).context["page"]
        assert len(with_archived.object_list) == 2

    def test_htmx_search_returns_only_the_results(self, fiona_client, margaret):
        response = fiona_client.get(
            reverse("patients:list"), {"q": "peggy"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert 'id="results"' in response.text
        assert "<html" not in response.text
        assert "O&#x27;Connor-Smith" in response.text

    def test_is_paginated(self, fiona_client):
        PatientFactory.create_batch(30)
        response = fiona_client.get(reverse("patients:list"))
        assert len(response.context["page"].object_list) == 25
        assert "Page 1 of 2" in response.text
        assert fiona_client.get(reverse("patients:list"), {"page": "99"}).status_code == 200
        assert fiona_client.get(reverse("patients:list"), {"page": "x"}).status_code == 200

    def test_lists_the_first_thousand_and_asks_to_narrow_the_search(self, fiona_client):
        Patient.objects.bulk_create(
            Patient(given_name="Ann", family_name=f"Smith{i}", date_of_birth=date(1980, 1, 1))
            for i in range(1001)
        )
        response = fiona_client.get(reverse("patients:list"))
        last = fiona_client.get(reverse("patients:list"), {"page": "999"})

        assert "More than 1,000 patients" in response.text
        assert "Page 1 of 40+" in response.text
        assert "narrow the search" in response.text
        assert last.context["page"].number == 40
        assert len(last.context["page"].object_list) == 25

    def test_practitioners_can_search_but_not_register(self, paul_client, margaret):
        response = paul_client.get(reverse("patients:list"), {"q": "peggy"})
        assert response.status_code == 200
        assert reverse("patients:create") not in response.text

    def test_is_get_only(self, fiona_client):
        assert fiona_client.post(reverse("patients:list")).status_code == 405

    @pytest.mark.parametrize("rows", [10, 200])
    def test_runs_the_same_queries_for_10_or_200_patients(
        self, fiona_client, django_assert_num_queries, rows
    ):
        PatientFactory.create_batch(rows)
        # session, user, user's roles (groups), user's own and group permissions (2),
        # count of matches (to 1,001 at most), one page of patients, the access log's one
        # insert (a row for each patient listed) with its chain (the head, locked; the rows'
        # links; the head moved on), their next appointments (one query; see
        # tests/treatments/test_next_appointment.py), the clinic's profile (navigation)
        with django_assert_num_queries(13):
            response = fiona_client.get(reverse("patients:list"), {"q": ""})
        assert response.status_code == 200


def test_a_nul_character_in_the_search_is_ignored(margaret):
    # PostgreSQL refuses NUL in text; a pasted one must not break the search.
    assert search("Marg\x00aret") == [margaret]
