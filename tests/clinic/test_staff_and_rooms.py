"""The clinic manager's screens: staff accounts and treatment rooms."""

import pytest
from django.urls import reverse

from clinic.models import Practitioner, Room, User
from clinic.roles import Role
from tests.factories import PASSWORD, PractitionerFactory, RoomFactory, UserFactory


def _new_practitioner(**changes):
    data = {
        "first_name": "Ana",
        "last_name": "Reyes",
        "username": "ana",
        "email": "ana@clinic.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "roles": [Role.PRACTITIONER],
        "display_name": "Dr Ana Reyes",
        "credentials": "L.Ac., MBAcC",
        "colour": "#e76f51",
    }
    return {**data, **changes}


def _edit_data(member, **changes):
    profile = Practitioner.objects.filter(user=member).first()
    data = {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "email": member.email,
        "roles": sorted(member.roles),
        "display_name": profile.display_name if profile else "",
        "credentials": profile.credentials if profile else "",
        "colour": profile.colour if profile else "",
    }
    return {**data, **changes}


def _logs_in(client_class, username):
    client = client_class()
    client.post(reverse("login"), {"username": username, "password": PASSWORD})
    return "_auth_user_id" in client.session


# --- who may open the manager's screens ------------------------------------------------

MANAGER_PAGES = [
    ("GET", "clinic:staff-list", None),
    ("GET", "clinic:staff-create", None),
    ("GET", "clinic:staff-edit", "member"),
    ("POST", "clinic:staff-set-active", "member"),
    ("GET", "clinic:room-list", None),
    ("GET", "clinic:room-create", None),
    ("GET", "clinic:room-edit", "room"),
    ("POST", "clinic:room-set-active", "room"),
]


@pytest.fixture
def room(db):
    return RoomFactory(name="Garden Room")


@pytest.mark.parametrize("who", ["fiona_client", "paul_client"])
@pytest.mark.parametrize(("method", "name", "target"), MANAGER_PAGES)
def test_front_desk_and_practitioners_cannot_open_the_staff_and_room_screens(
    request, priya, room, who, method, name, target
):
    client = request.getfixturevalue(who)
    kwargs = {"pk": {"member": priya, "room": room}[target].pk} if target else {}
    url = reverse(name, kwargs=kwargs)

    response = client.get(url) if method == "GET" else client.post(url, {"active": "false"})

    assert response.status_code == 403
    priya.refresh_from_db()
    room.refresh_from_db()
    assert priya.is_active
    assert room.is_active


@pytest.mark.parametrize(("name", "target"), [("staff", "fiona"), ("room", "room")])
def test_set_active_endpoints_do_not_answer_get(request, maria_client, name, target):
    obj = request.getfixturevalue(target)

    response = maria_client.get(reverse(f"clinic:{name}-set-active", args=[obj.pk]))

    assert response.status_code == 405
    obj.refresh_from_db()
    assert obj.is_active


# --- staff -----------------------------------------------------------------------------


def test_manager_sees_every_member_of_staff_with_their_role(maria_client, maria, fiona, paul):
    response = maria_client.get(reverse("clinic:staff-list"))

    assert response.status_code == 200
    assert list(response.context["staff"]) == [fiona, maria, paul]
    assert "fiona" in response.text
    assert "Paul Needham, L.Ac." in response.text
    assert Role.FRONT_DESK.label in response.text


def test_manager_adds_a_practitioner_who_can_then_log_in(maria_client, client_class):
    response = maria_client.post(reverse("clinic:staff-create"), _new_practitioner())

    assert response.status_code == 302
    assert response.url == reverse("clinic:staff-list")
    ana = User.objects.get(username="ana")
    assert (ana.first_name, ana.last_name, ana.email) == ("Ana", "Reyes", "ana@clinic.test")
    assert set(ana.groups.values_list("name", flat=True)) == {Role.PRACTITIONER}
    assert ana.practitioner.display_name == "Dr Ana Reyes"
    assert ana.practitioner.credentials == "L.Ac., MBAcC"
    assert ana.practitioner.colour == "#e76f51"
    assert ana.practitioner.is_active
    assert _logs_in(client_class, "ana")


def test_adding_a_practitioner_without_a_display_name_uses_their_full_name(maria_client):
    maria_client.post(reverse("clinic:staff-create"), _new_practitioner(display_name=""))

    assert Practitioner.objects.get(user__username="ana").display_name == "Ana Reyes"


def test_adding_front_desk_staff_creates_no_practitioner_profile(maria_client):
    maria_client.post(reverse("clinic:staff-create"), _new_practitioner(roles=[Role.FRONT_DESK]))

    ana = User.objects.get(username="ana")
    assert ana.is_front_desk
    assert not Practitioner.objects.filter(user=ana).exists()


def test_adding_staff_with_mismatched_passwords_shows_the_form_again(maria_client):
    data = _new_practitioner(password2="correct-horse-battery-stable")

    response = maria_client.post(reverse("clinic:staff-create"), data)

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"password2"}
    assert 'value="ana"' in response.text
    assert 'value="Dr Ana Reyes"' in response.text
    assert not User.objects.filter(username="ana").exists()
    assert not Practitioner.objects.filter(display_name="Dr Ana Reyes").exists()


def test_adding_a_practitioner_without_any_name_shows_the_form_again(maria_client):
    data = _new_practitioner(first_name="", last_name="", display_name="")

    response = maria_client.post(reverse("clinic:staff-create"), data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"first_name", "last_name", "display_name"}
    assert errors["display_name"] == ["Practitioners need a display name."]
    assert 'value="ana"' in response.text
    assert 'value="ana@clinic.test"' in response.text
    assert not User.objects.filter(username="ana").exists()


def test_adding_staff_with_a_username_already_taken_shows_the_form_again(maria_client, fiona):
    response = maria_client.post(
        reverse("clinic:staff-create"), _new_practitioner(username="fiona")
    )

    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.filter(first_name="Ana").count() == 0


def test_adding_staff_with_a_taken_username_in_another_case_shows_the_form_again(
    maria_client, fiona
):
    response = maria_client.post(
        reverse("clinic:staff-create"), _new_practitioner(username="Fiona")
    )

    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.filter(username__iexact="fiona").count() == 1


def test_adding_a_practitioner_with_a_colour_that_is_not_hex_shows_the_form_again(maria_client):
    maria_client.raise_request_exception = False

    response = maria_client.post(reverse("clinic:staff-create"), _new_practitioner(colour="teal"))

    assert response.status_code == 200
    assert "colour" in response.context["form"].errors
    assert not User.objects.filter(username="ana").exists()


def test_editing_a_practitioner_with_a_colour_that_is_not_hex_shows_the_form_again(
    maria_client, paul
):
    url = reverse("clinic:staff-edit", args=[paul.pk])

    response = maria_client.post(url, _edit_data(paul, colour="teal"))

    assert response.status_code == 200
    assert "colour" in response.context["form"].errors
    assert Practitioner.objects.get(user=paul).colour == "#2a9d8f"


def test_deactivated_member_cannot_log_in_until_reactivated(maria_client, fiona, client_class):
    url = reverse("clinic:staff-set-active", args=[fiona.pk])

    response = maria_client.post(url, {"active": "false"}, follow=True)

    assert response.redirect_chain == [(reverse("clinic:staff-list"), 302)]
    assert "can no longer log in" in response.text
    fiona.refresh_from_db()
    assert not fiona.is_active
    assert not _logs_in(client_class, "fiona")

    maria_client.post(url, {"active": "true"})

    fiona.refresh_from_db()
    assert fiona.is_active
    assert _logs_in(client_class, "fiona")


def test_deactivating_a_member_ends_their_open_session(maria_client, fiona, fiona_client):
    maria_client.post(reverse("clinic:staff-set-active", args=[fiona.pk]), {"active": "false"})

    response = fiona_client.get(reverse("clinic:home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_manager_cannot_deactivate_themselves(maria_client, maria):
    url = reverse("clinic:staff-set-active", args=[maria.pk])

    response = maria_client.post(url, {"active": "false"}, follow=True)

    assert response.status_code == 200
    assert "You cannot deactivate your own account." in response.text
    maria.refresh_from_db()
    assert maria.is_active


def test_removing_the_practitioner_role_deactivates_the_profile_but_keeps_it(maria_client, paul):
    url = reverse("clinic:staff-edit", args=[paul.pk])

    response = maria_client.post(url, _edit_data(paul, roles=[Role.FRONT_DESK]))

    assert response.status_code == 302
    paul = User.objects.get(pk=paul.pk)
    assert paul.roles == {Role.FRONT_DESK}
    profile = Practitioner.objects.get(user=paul)
    assert not profile.is_active
    assert profile.display_name == "Paul Needham"
    assert "Paul Needham, L.Ac. (inactive)" in maria_client.get(reverse("clinic:staff-list")).text


def test_giving_the_practitioner_role_back_reactivates_the_same_profile(maria_client, paul):
    url = reverse("clinic:staff-edit", args=[paul.pk])
    maria_client.post(url, _edit_data(paul, roles=[Role.FRONT_DESK]))

    maria_client.post(url, _edit_data(paul, roles=[Role.PRACTITIONER]))

    assert Practitioner.objects.filter(user=paul).count() == 1
    assert Practitioner.objects.get(user=paul).is_active


def test_manager_cannot_remove_their_own_manager_role(maria_client, maria):
    url = reverse("clinic:staff-edit", args=[maria.pk])

    response = maria_client.post(url, _edit_data(maria, roles=[Role.FRONT_DESK]))

    assert response.status_code == 200
    assert "You cannot remove your own clinic manager role." in response.text
    assert User.objects.get(pk=maria.pk).roles == {Role.MANAGER}


def test_editing_a_member_without_a_first_name_shows_the_form_again(maria_client, fiona):
    url = reverse("clinic:staff-edit", args=[fiona.pk])

    response = maria_client.post(url, _edit_data(fiona, first_name="", last_name="Deskworth"))

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"first_name"}
    assert 'value="Deskworth"' in response.text
    fiona.refresh_from_db()
    assert fiona.last_name == "Desk"


@pytest.mark.parametrize("staff_count", [10, 60])
def test_staff_list_query_count_does_not_grow_with_the_staff(
    maria_client, django_assert_max_num_queries, staff_count
):
    UserFactory.create_batch(staff_count // 2, roles=[Role.FRONT_DESK])
    PractitionerFactory.create_batch(staff_count - staff_count // 2)

    # 1 session, 2 the manager, 3 the manager's roles (groups), 4-5 the manager's own and
    # group permissions, 6 the staff joined to their practitioner profiles,
    # 7 the groups of all listed staff (prefetched), 8 the clinic's profile (navigation).
    with django_assert_max_num_queries(8):
        response = maria_client.get(reverse("clinic:staff-list"))

    assert len(response.context["staff"]) == staff_count + 1


# --- rooms -----------------------------------------------------------------------------


def test_manager_adds_a_room(maria_client):
    response = maria_client.post(reverse("clinic:room-create"), {"name": "  Treatment   room 1 "})

    assert response.status_code == 302
    assert response.url == reverse("clinic:room-list")
    assert Room.objects.get().name == "Treatment room 1"
    assert "Treatment room 1" in maria_client.get(reverse("clinic:room-list")).text


def test_manager_renames_a_room(maria_client, room):
    response = maria_client.post(
        reverse("clinic:room-edit", args=[room.pk]), {"name": "Quiet Room"}
    )

    assert response.status_code == 302
    room.refresh_from_db()
    assert room.name == "Quiet Room"


def test_manager_can_change_only_the_case_of_a_room_name(maria_client, room):
    maria_client.post(reverse("clinic:room-edit", args=[room.pk]), {"name": "GARDEN ROOM"})

    room.refresh_from_db()
    assert room.name == "GARDEN ROOM"


def test_adding_a_room_whose_name_differs_only_in_case_shows_an_error_at_the_name(
    maria_client, room
):
    response = maria_client.post(reverse("clinic:room-create"), {"name": "garden room"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["A room with this name already exists."]}
    assert 'id="error_1_id_name"' in response.text
    assert 'value="garden room"' in response.text
    assert Room.objects.count() == 1


def test_renaming_a_room_to_another_rooms_name_shows_an_error_at_the_name(maria_client, room):
    other = RoomFactory(name="Quiet Room")

    response = maria_client.post(
        reverse("clinic:room-edit", args=[other.pk]), {"name": "GARDEN room"}
    )

    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    other.refresh_from_db()
    assert other.name == "Quiet Room"


def test_adding_a_room_without_a_name_shows_the_form_again(maria_client):
    response = maria_client.post(reverse("clinic:room-create"), {"name": "   "})

    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert not Room.objects.exists()


def test_manager_deactivates_and_reactivates_a_room(maria_client, room):
    url = reverse("clinic:room-set-active", args=[room.pk])

    response = maria_client.post(url, {"active": "false"}, follow=True)

    room.refresh_from_db()
    assert not room.is_active
    assert "Inactive" in response.text
    assert "Reactivate" in response.text

    maria_client.post(url, {"active": "true"})

    room.refresh_from_db()
    assert room.is_active
