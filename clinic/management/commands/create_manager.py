"""Create the installation's first clinic manager, without questions (deploy/install.sh).

    MERIDIAN_MANAGER_PASSWORD=… meridian create_manager --username ana --email ana@example.org
    meridian create_manager --username ana --email ana@example.org   # a password is made up

The password comes from MERIDIAN_MANAGER_PASSWORD (never the command line, which other users
of the machine can see), or is made up, printed once and must be changed at the first login.
A clinic that already has a manager is left alone, so an install can be run again. With
OTP_REQUIRED_ROLES at its production default the manager sets up an authenticator app right
after the first password (README, "Second factor").
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clinic.env import env_str
from clinic.models import User
from clinic.services import first_manager_create

PASSWORD_VARIABLE = "MERIDIAN_MANAGER_PASSWORD"


def password_text(environ=None) -> str:
    """The first manager's password as set in the environment ("": make one up). Read by this
    command only (deploy/install.sh sets it), never by the web app."""
    return env_str(
        PASSWORD_VARIABLE,
        "",
        environ=environ,
        help=(
            "Read by create_manager only (deploy/install.sh): the first manager's password; "
            "unset, one is made up and printed once, to be changed at the first login."
        ),
    )


class Command(BaseCommand):
    help = "Create the first clinic manager (password from MERIDIAN_MANAGER_PASSWORD or made up)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", default="Clinic")
        parser.add_argument("--last-name", default="Manager")

    def handle(self, *args, username, email, first_name, last_name, **options):
        taken = User.objects.filter(username=username).first()
        if taken and not taken.is_manager:
            raise CommandError(f"The username {username!r} is taken by a user who is no manager.")
        try:
            user, created, made_up = first_manager_create(
                username=username,
                email=email,
                first_name=first_name,
                last_name=last_name,
                password=password_text() or None,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        if not created:
            self.stdout.write(
                f"The clinic already has a manager ({user.username!r}); nothing was created."
            )
        elif made_up:
            self.stdout.write(
                f"Created the clinic manager {user.username!r}. Their password, shown only "
                f"this once (to be changed at the first login): {made_up}"
            )
        else:
            self.stdout.write(f"Created the clinic manager {user.username!r}.")
