""".env.example, written from what the settings' readers are asked (clinic/env.py).

`render()` runs clinic/settings.py afresh (runpy, not django.conf.settings) under a few
environments, with the readers recording each call: production (DEBUG off), development
(DEBUG on), and the switches under which more is read (PostgreSQL, Redis). Variables read
outside the settings, by commands only, are read through READ_OUTSIDE_SETTINGS. Each variable
is listed under the settings.py section heading (`# --- Title ---`) above its reader, with its
help=, its kind and its defaults. `manage.py env_example --write` writes the file; a test
fails when the file differs from render() or when the code reads an environment variable
that render() does not list (tests/clinic/test_env_example.py).
"""

import re
import runpy
import tempfile
import tokenize
from collections.abc import Callable
from pathlib import Path

from clinic import env

SETTINGS_FILE = Path(__file__).resolve().parent / "settings.py"
BASE_DIR = SETTINGS_FILE.parent.parent
FIRST_SECTION = "Core"


def _backup_key(environ):
    from clinic.backups.fileformat import key_text

    key_text(environ)


# (section, reader): read by commands, not by the settings.
READ_OUTSIDE_SETTINGS: list[tuple[str, Callable[[dict], object]]] = [
    ("Backups", _backup_key),
]

# The environments settings.py runs under, each adding to the one before where it says so.
PRODUCTION = {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "clinic.example.org"}
SCENARIOS: dict[str, dict[str, str]] = {
    "production": PRODUCTION,
    "development": {"DEBUG": "true"},
    "postgresql": {**PRODUCTION, "DATABASE_URL": "postgres://clinic.example.org/meridian"},
    "redis": {**PRODUCTION, "TASKS_BACKEND": "rq"},
}

HEADER = """\
# Meridian's settings: every environment variable the app reads, with its default and meaning.
#
# Generated from the readers in clinic/settings.py by `python manage.py env_example --write`;
# do not edit by hand (a test fails when this file and the readers disagree). Copy it to the
# environment file your service reads (systemd's EnvironmentFile, compose's env_file) and fill
# in what you need.
#
# Lines left commented out take the default shown. The ones not commented out are REQUIRED IN
# PRODUCTION (DEBUG off): without them the app refuses to start or `check --deploy` fails.
# An empty value counts as unset.
# Booleans: true/false, yes/no, on/off or 1/0. Lists: comma-separated, no empty items.
"""


def _section_headings() -> list[tuple[int, str]]:
    """(line, title) of each `# --- Title ---` heading in settings.py, in order."""
    headings = []
    with tokenize.open(SETTINGS_FILE) as source:
        for token in tokenize.generate_tokens(source.readline):
            if token.type != tokenize.COMMENT:
                continue
            match = re.match(r"# --- (?!end\b)(.+?)\s*(?:-{3,})?$", token.string)
            if match:
                title = re.split(r" \(|:", match.group(1))[0].strip()
                headings.append((token.start[0], title))
    return headings


def _section_of(read: env.Read, headings) -> str:
    title = FIRST_SECTION
    for line, heading in headings:
        if line > read.lineno:
            break
        title = heading
    return title


def collect() -> dict[str, dict]:
    """Each variable's reads: {name: {"section", "production", "development", "reads"}}."""
    headings = _section_headings()
    variables: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as var_dir:

        def run(scenario: str, environ: dict, section=None, reader=None):
            environ = {"MERIDIAN_VAR_DIR": var_dir, **environ}
            with env.recording(environ) as reads:
                if reader is None:
                    runpy.run_path(str(SETTINGS_FILE))
                else:
                    reader(environ)
            for read in reads:
                entry = variables.setdefault(
                    read.name,
                    {
                        "section": section or _section_of(read, headings),
                        "reads": [],
                        "scenarios": set(),
                    },
                )
                entry["reads"].append(read)
                entry["scenarios"].add(scenario)
                entry.setdefault(scenario, read)

        for scenario, environ in SCENARIOS.items():
            run(scenario, environ)
        for section, reader in READ_OUTSIDE_SETTINGS:
            run("production", PRODUCTION, section, reader)
            run("development", SCENARIOS["development"], section, reader)
        for entry in variables.values():
            entry["var_dir"] = var_dir
            entry["rendered"] = {
                name: _shown(entry.get(name) or entry["reads"][0], var_dir)
                for name in ("production", "development")
            }
    return variables


def _shown(read: env.Read, var_dir: str) -> str:
    """The default as a line of an environment file would hold it."""
    default = read.default
    if default is env.REQUIRED or default is None:
        return ""
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, list | tuple):
        return ",".join(str(item) for item in default)
    text = str(default)
    text = text.replace(var_dir, "$MERIDIAN_VAR_DIR")
    return text.replace(str(BASE_DIR), "<installation directory>")


def _kind(read: env.Read) -> str | None:
    if read.kind == "bool":
        return "true or false"
    if read.kind == "int":
        if read.minimum is None:
            return "a whole number"
        return f"a whole number, at least {read.minimum}"
    if read.kind == "list":
        return "a comma-separated list"
    if read.kind == "choice":
        return read.described or "one of " + ", ".join(read.choices)
    if read.kind == "time zone":
        return "a time zone name such as Europe/London"
    return None


def problems(variables: dict[str, dict] | None = None) -> list[str]:
    """What stops the file being written: a reader without help=, or one variable read with
    two different meanings."""
    variables = collect() if variables is None else variables
    found = []
    for name, entry in sorted(variables.items()):
        helps = {read.help for read in entry["reads"]}
        if helps == {""}:
            found.append(f"{name}: its reader has no help= saying what it means.")
        elif len(helps) > 1:
            found.append(f"{name}: read in more than one place with different help=.")
    return found


def render() -> str:
    variables = collect()
    found = problems(variables)
    if found:
        raise ValueError("Cannot write .env.example:\n" + "\n".join(found))
    sections: dict[str, list[str]] = {}
    # In the order of the lines that read them; those read outside settings.py last.
    for name, entry in sorted(variables.items(), key=lambda item: _place(item[1])):
        sections.setdefault(entry["section"], []).append(name)
    blocks = [HEADER]
    for section, names in sections.items():
        lines = [f"# --- {section} ---"]
        for name in names:
            lines.extend(["", *_describe(name, variables[name])])
        blocks.append("\n".join(lines) + "\n")
    return "\n\n".join(blocks)


def _place(entry: dict) -> tuple[int, int]:
    read = entry["reads"][0]
    return (0, read.lineno) if read.filename == str(SETTINGS_FILE) else (1, 0)


def _describe(name: str, entry: dict) -> list[str]:
    production = entry.get("production") or entry["reads"][0]
    required = production.default is env.REQUIRED or any(
        read.required_in_production for read in entry["reads"]
    )
    notes = [production.help]
    kind = _kind(production)
    if kind:
        notes.append(kind[0].upper() + kind[1:] + ".")
    shown = entry["rendered"]
    if "development" in entry and shown["development"] != shown["production"]:
        notes.append(f"With DEBUG=true the default is {shown['development'] or 'unset'}.")
    if required:
        notes.append("Required in production.")
    lines = [f"# {line}" for line in _wrap(" ".join(notes), width=96)]
    lines.append(f"{name}=" if required else f"# {name}={shown['production']}")
    return lines


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)
