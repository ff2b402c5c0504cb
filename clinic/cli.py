"""The `meridian` command: manage.py for an installed Meridian (`meridian migrate`, `meridian
check --deploy`, `meridian db_worker`), and what manage.py itself calls in a checkout."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
