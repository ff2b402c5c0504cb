import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import ComplaintFactory, PractitionerFactory, RoomFactory

pytestmark = pytest.mark.django_db

READ_ONLY = ["clinic.practitioner", "clinic.room", "patients.patient", "patients.complaint"]


@pytest.fixture
def rows():
    return [PractitionerFactory(), RoomFactory(), ComplaintFactory()]


@pytest.mark.parametrize("model", admin.site._registry, ids=lambda m: m._meta.label_lower)
def test_every_model_has_a_searchable_admin_list(admin_client, rows, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200
    if admin.site._registry[model].search_fields:
        assert admin_client.get(url, {"q": "a"}).status_code == 200


@pytest.mark.parametrize("label", READ_ONLY)
def test_clinical_and_clinic_rows_are_read_only_in_the_admin(admin_client, rows, label):
    app_label, model_name = label.split(".")
    obj = next(o for o in [*rows, rows[2].patient] if o._meta.label_lower == label)
    change = reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk])
    response = admin_client.get(change)
    assert response.status_code == 200
    assert 'name="_save"' not in response.text
    assert admin_client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code == 403
