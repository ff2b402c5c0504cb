""".env.example lists every environment variable the app reads, exactly as the readers say.

Adding a setting without `help=` or without `python manage.py env_example --write` fails here,
and so does reading a variable somewhere the generator does not look (os.environ, os.getenv or
an env_* reader outside clinic/settings.py that READ_OUTSIDE_SETTINGS does not name).
"""

import ast
from pathlib import Path

import pytest

from clinic import env_example
from clinic.env import env_int, recording

ROOT = Path(__file__).resolve().parents[2]
APP_CODE = ["clinic", "patients", "treatments", "manage.py"]
READERS = {"env_str", "env_bool", "env_int", "env_list", "env_choice", "env_time_zone"}
# Read by Django's own entry points to find the settings; not a setting of Meridian.
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE"}


@pytest.fixture(scope="module")
def generated() -> str:
    return env_example.render()


def _names_read(source: str) -> set[str]:
    """Every environment variable `source` reads by name: env_* readers, os.environ[...],
    os.environ.get/setdefault/pop, os.getenv; a name given as a module-level constant is
    looked up."""
    tree = ast.parse(source)
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    def name_of(node) -> str:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name) and node.id in constants:
            return constants[node.id]
        return f"<not a literal: {ast.unparse(node)}>"

    def is_os_environ(node) -> bool:
        return "os.environ" in ast.unparse(node)

    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            function = node.func
            called = function.id if isinstance(function, ast.Name) else None
            called = called or (function.attr if isinstance(function, ast.Attribute) else None)
            if (
                called in READERS
                or called == "getenv"
                or (
                    isinstance(function, ast.Attribute)
                    and function.attr in {"get", "setdefault", "pop"}
                    and is_os_environ(function.value)
                )
            ):
                names.add(name_of(node.args[0]))
        elif isinstance(node, ast.Subscript) and is_os_environ(node.value):
            names.add(name_of(node.slice))
    return names


def _app_sources():
    for part in APP_CODE:
        path = ROOT / part
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in files:
            if file.name != "env.py" or file.parent.name != "clinic":  # the readers themselves
                yield file


def _variable(line: str) -> str | None:
    """The variable a line sets, commented out or not."""
    name = line.removeprefix("# ").split("=", 1)[0]
    return name if "=" in line and name.isupper() and " " not in name else None


def test_env_example_is_what_the_generator_writes(generated):
    assert (ROOT / ".env.example").read_text() == generated, (
        ".env.example is out of date: run `python manage.py env_example --write`."
    )


def test_every_environment_variable_the_app_reads_is_in_env_example(generated):
    listed = {_variable(line) for line in generated.splitlines()} - {None}
    read = set()
    for file in _app_sources():
        read |= _names_read(file.read_text())
    assert read - NOT_SETTINGS - listed == set()


def test_the_scan_finds_reads_of_every_shape():
    source = """
import os
KEY = "FROM_A_CONSTANT"
a = env_int("A_READER", 1, help="…")
b = os.environ.get("A_GET")
c = os.environ["A_SUBSCRIPT"]
d = os.getenv("A_GETENV")
e = (os.environ if environ is None else environ).get(KEY, "")
f = os.environ.get(some_name)
"""
    assert _names_read(source) == {
        "A_READER",
        "A_GET",
        "A_SUBSCRIPT",
        "A_GETENV",
        "FROM_A_CONSTANT",
        "<not a literal: some_name>",
    }


def test_variables_read_only_under_a_condition_are_listed(generated):
    assert "# REDIS_URL=redis://127.0.0.1:6379/0" in generated  # only with TASKS_BACKEND=rq
    assert "# SQLITE_BUSY_TIMEOUT_SECONDS=20" in generated  # only without DATABASE_URL
    assert "# MERIDIAN_BACKUP_KEY=" in generated  # read by the backup commands only


def test_production_requirements_are_left_to_fill_in_and_defaults_commented_out(generated):
    lines = generated.splitlines()
    for required in ["SECRET_KEY=", "ALLOWED_HOSTS=", "MERIDIAN_RECORDS_KEY="]:
        assert required in lines
    assert "# DEBUG=false" in lines
    assert "# SECURE_HSTS_SECONDS=31536000" in lines


def test_defaults_that_change_with_debug_say_so(generated):
    assert "With DEBUG=true the default is localhost,127.0.0.1,[::1]." in " ".join(
        line.removeprefix("# ") for line in generated.splitlines()
    )


def test_each_variable_sits_under_its_settings_section(generated):
    section = {}
    current = None
    for line in generated.splitlines():
        if line.startswith("# --- "):
            current = line
        elif ("=" in line and not line.startswith("# ")) or (line.startswith("# ") and "=" in line):
            section[line.lstrip("# ").split("=", 1)[0]] = current
    assert section["DATABASE_URL"] == "# --- Database ---"
    assert section["MERIDIAN_BACKUP_KEY"] == "# --- Backups ---"
    assert section["AXES_FAILURE_LIMIT"] == "# --- Lockout ---"


def test_a_reader_without_help_stops_the_file_being_written():
    with recording({}) as reads:
        env_int("A_NEW_SETTING", 3)
    entry = {"A_NEW_SETTING": {"reads": reads}}
    assert env_example.problems(entry) == [
        "A_NEW_SETTING: its reader has no help= saying what it means."
    ]


def test_recording_reads_the_given_environment_not_the_process_one(monkeypatch):
    monkeypatch.setenv("A_NEW_SETTING", "7")
    with recording({"A_NEW_SETTING": "9"}) as reads:
        assert env_int("A_NEW_SETTING", 3, minimum=1, help="A number.") == 9
    assert env_int("A_NEW_SETTING", 3) == 7
    assert [(read.name, read.default, read.minimum, read.help) for read in reads] == [
        ("A_NEW_SETTING", 3, 1, "A number.")
    ]
