from datetime import date

import pytest
from django.urls import reverse

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


class TestSearchByPhone:
    @pytest.mark.parametrize(
        "typed", ["07911 123456", "07911123456", "+44 7911 123456", "123456", "(0)7911-123-456"]
    )
    def test_matches_phone_digits_however_they_are_typed(self, margaret, others, typed):
        assert search(typed) == [margaret]

    def test_too_few_digits_match_nothing_by_phone(self, margaret, others):
        assert search("12") == []


class TestSearchByDateOfBirth:
    @pytest.mark.parametrize("typed", ["14/03/1961", "1961-03-14"])
    def test_matches_the_date_of_birth(self, margaret, others, typed):
        assert search(typed) == [margaret]


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
        # count of matches, one page of patients, the clinic's profile (navigation)
        with django_assert_num_queries(8):
            response = fiona_client.get(reverse("patients:list"), {"q": ""})
        assert response.status_code == 200


def test_a_nul_character_in_the_search_is_ignored(margaret):
    # PostgreSQL refuses NUL in text; a pasted one must not break the search.
    assert search("Marg\x00aret") == [margaret]
