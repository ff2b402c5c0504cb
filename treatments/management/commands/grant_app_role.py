"""Give the web app's PostgreSQL role its privileges, and no more (README, Production).

    DATABASE_URL=<the owner's URL> python manage.py migrate
    DATABASE_URL=<the owner's URL> python manage.py grant_app_role meridian_app
    python manage.py grant_app_role meridian_app --sql    # print the SQL, run nothing

Run it as the tables' owner after every migrate; it is idempotent. It refuses a role that is
the owner, a member of it, a superuser or owns anything, and then lists any gap left in the
records' protection (treatments/audit/protection.py).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from treatments.audit import database_roles
from treatments.audit.protection import protection_problems


class Command(BaseCommand):
    help = "Grant the web app's PostgreSQL role what it needs: no TRUNCATE, no DDL, no owner."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the web app connects as")
        parser.add_argument("--sql", action="store_true", help="print the SQL, run nothing")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, role: str, sql: bool, database: str, **options):
        connection = connections[database]
        try:
            if sql:
                if connection.vendor != "postgresql":
                    raise database_roles.RoleRefused("Database roles are a PostgreSQL set-up.")
                statements = database_roles.app_role_sql(connection, role)
            else:
                statements = database_roles.grant_app_role(connection, role)
        except database_roles.RoleRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        for statement in statements:
            self.stdout.write(f"{statement};")
        if sql:
            return
        problems = protection_problems(connection)
        for problem in problems:
            self.stderr.write(f"Still unprotected: {problem}")
        if problems:
            raise CommandError("Run `manage.py migrate` as the owner, then this command again.")
        self.stdout.write(self.style.SUCCESS(f'"{role}" has the app\'s privileges and no more.'))
