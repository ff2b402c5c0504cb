"""The clinic's staff roles.

Each role is a Django group holding model permissions; views check permissions, and the
home page and navigation look at the roles. Groups are created by migrations: each app's
migration grants the permissions on its own models, so `clinic` never imports the other apps.
"""

from django.db import models


class Role(models.TextChoices):
    FRONT_DESK = "Front desk", "Front desk"
    PRACTITIONER = "Practitioner", "Practitioner"
    MANAGER = "Clinic manager", "Clinic manager"


def grant_permissions(apps, app_label: str, grants: dict[str, list[str]]) -> None:
    """Give each role (group name) the listed permission codenames of `app_label`.

    For use in data migrations: permissions are normally created after all migrations have
    run, so they are created here first.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # create_permissions wants the real app config; it reads the models from `apps`.
    create_permissions(global_apps.get_app_config(app_label), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in grants.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise LookupError(f"Unknown {app_label} permissions: {sorted(missing)}")
        group.permissions.add(*permissions)
