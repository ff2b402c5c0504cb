"""The installation's first clinic manager (create_manager, run by deploy/install.sh)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clinic.models import User

pytestmark = pytest.mark.django_db


def create_manager(monkeypatch, password=None, username="ana.first"):
    if password is None:
        monkeypatch.delenv("MERIDIAN_MANAGER_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("MERIDIAN_MANAGER_PASSWORD", password)
    out = StringIO()
    call_command("create_manager", "--username", username, "--email", "ana@example.org", stdout=out)
    return out.getvalue()


def test_the_first_manager_gets_the_password_the_installer_gave(monkeypatch):
    output = create_manager(monkeypatch, password="a long installer password")
    ana = User.objects.get(username="ana.first")
    assert ana.is_manager and not ana.must_change_password and not ana.is_superuser
    assert "a long installer password" not in output
    assert ana.check_password("a long installer password")


def test_a_made_up_password_is_shown_once_and_must_be_changed(monkeypatch):
    output = create_manager(monkeypatch)
    password = output.rsplit(": ", 1)[1].strip()
    ana = User.objects.get(username="ana.first")
    assert len(password) >= 20 and ana.check_password(password)
    assert ana.must_change_password


def test_running_the_install_again_creates_no_second_manager(monkeypatch):
    create_manager(monkeypatch, password="a long installer password")
    output = create_manager(monkeypatch, password="another long password", username="bo.second")
    assert "already has a manager ('ana.first')" in output
    assert not User.objects.filter(username="bo.second").exists()
    assert User.objects.get(username="ana.first").check_password("a long installer password")


def test_a_clinic_that_has_a_manager_gets_no_new_one(monkeypatch, maria):
    output = create_manager(monkeypatch, password="a long installer password")
    assert "already has a manager ('maria')" in output
    assert not User.objects.filter(username="ana.first").exists()


def test_a_username_taken_by_someone_who_is_no_manager_is_refused(monkeypatch, fiona):
    with pytest.raises(CommandError, match="taken by a user who is no manager"):
        create_manager(monkeypatch, password="a long installer password", username="fiona")


def test_a_weak_password_is_refused_with_the_validators_reason(monkeypatch):
    with pytest.raises(CommandError, match="too short"):
        create_manager(monkeypatch, password="short")
    assert not User.objects.exists()
