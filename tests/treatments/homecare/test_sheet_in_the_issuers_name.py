"""A home-care sheet carries the name of the practitioner who issues it.

The audit found practitioner2 (Priya) issuing a sheet from practitioner's (Paul's) course that
was printed in his name: the builder took the course's practitioner. Now the issuer's own
practitioner profile names the sheet; a role without one (today only a superuser may issue
without being a practitioner) issues in the treating practitioner's name, from a course only.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from clinic.roles import Role
from tests.factories import ComplaintFactory, CourseFactory, UserFactory
from treatments.homecare import services as homecare
from treatments.models import HomeCareItem, HomeCareSheet, SheetKind

pytestmark = pytest.mark.django_db


def page(client, name, *args) -> str:
    response = client.get(reverse(f"treatments:{name}", args=args))
    assert response.status_code == 200
    return response.content.decode()


def sheet_post(**extra) -> dict:
    item = HomeCareItem.objects.filter(is_active=True).first()
    data = {"kind": SheetKind.RELIEF, "intro": ""}
    for number, each in enumerate(HomeCareItem.objects.filter(is_active=True)):
        data[f"position_{each.pk}"] = str(10 + number)
        data[f"note_{each.pk}"] = ""
    data[f"include_{item.pk}"] = "on"
    return data | extra


def test_a_practitioner_issuing_from_a_colleagues_course_issues_in_her_own_name(
    paul, priya, priya_client
):
    course = CourseFactory(practitioner=paul.practitioner)
    url = f"{reverse('treatments:sheet-create')}?course={course.pk}"
    assert "issued by Priya Shah" in priya_client.get(url).content.decode()
    # Naming Paul in the post changes nothing: there is no such field to pick.
    response = priya_client.post(url, sheet_post(practitioner=paul.practitioner.pk))
    assert response.status_code == 302
    sheet = HomeCareSheet.objects.get()
    assert (sheet.practitioner, sheet.issued_by) == (priya.practitioner, priya)
    assert sheet.snapshot["practitioner"] == str(priya.practitioner)
    assert "Paul Needham" not in page(priya_client, "sheet-detail", sheet.pk)


def test_the_service_issues_a_sheet_in_the_issuers_name_whatever_the_course(paul, priya):
    course = CourseFactory(practitioner=paul.practitioner)
    sheet = homecare.sheet_issue(
        patient=course.complaint.patient,
        kind=SheetKind.RELIEF,
        entries=[(HomeCareItem.objects.first(), "")],
        by=priya,
        course=course,
    )
    assert sheet.practitioner == priya.practitioner


def test_a_superuser_without_a_practitioner_profile_issues_in_the_treating_practitioners_name(
    client, paul
):
    """No clinic role but the practitioner's may issue sheets; a superuser holds every role,
    often with no profile of their own: the course's practitioner is named."""
    admin = UserFactory(username="root", is_superuser=True)
    client.force_login(admin)
    course = CourseFactory(practitioner=paul.practitioner)
    url = f"{reverse('treatments:sheet-create')}?course={course.pk}"
    assert client.post(url, sheet_post()).status_code == 302
    sheet = HomeCareSheet.objects.get()
    assert (sheet.practitioner, sheet.issued_by) == (paul.practitioner, admin)
    # Outside a course there is no treating practitioner: a clear refusal, not a guess.
    complaint_url = f"{reverse('treatments:sheet-create')}?complaint={course.complaint_id}"
    response = client.get(complaint_url)
    assert response.status_code == 400
    assert "start it from the course" in response.content.decode()


def test_only_practitioners_hold_the_right_to_issue_sheets():
    """What the fallback above covers: today no other role may issue a sheet."""
    issuing = {
        group.name
        for group in Group.objects.filter(
            permissions__codename="add_homecaresheet",
            permissions__content_type__app_label="treatments",
        )
    }
    assert issuing == {Role.PRACTITIONER}


def test_the_manager_and_the_front_desk_cannot_issue_a_sheet(maria_client, fiona_client):
    complaint = ComplaintFactory()
    url = f"{reverse('treatments:sheet-create')}?complaint={complaint.pk}"
    assert maria_client.post(url, sheet_post()).status_code == 403
    assert fiona_client.post(url, sheet_post()).status_code == 403
    assert not HomeCareSheet.objects.exists()
