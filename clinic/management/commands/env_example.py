"""Print .env.example as the settings' readers describe it, or write it, or check it.

    python manage.py env_example --write     # after adding or changing a setting
    python manage.py env_example --check     # exit status 1 when the file is out of date

See clinic/env_example.py for how the file is made.
"""

from django.core.management.base import BaseCommand, CommandError

from clinic.env_example import BASE_DIR, render

ENV_EXAMPLE = BASE_DIR / ".env.example"


class Command(BaseCommand):
    help = "Print .env.example from the settings' readers (--write to save it, --check to compare)."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--write", action="store_true", help=f"Write {ENV_EXAMPLE}.")
        action.add_argument(
            "--check", action="store_true", help=f"Fail when {ENV_EXAMPLE} is out of date."
        )

    def handle(self, *args, write=False, check=False, **options):
        try:
            text = render()
        except ValueError as error:
            raise CommandError(str(error)) from None
        if write:
            ENV_EXAMPLE.write_text(text)
            self.stderr.write(f"Wrote {ENV_EXAMPLE}.")
        elif check:
            current = ENV_EXAMPLE.read_text() if ENV_EXAMPLE.exists() else ""
            if current != text:
                raise CommandError(
                    f"{ENV_EXAMPLE} is out of date: run `python manage.py env_example --write`."
                )
        else:
            self.stdout.write(text, ending="")
