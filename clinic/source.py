"""The running version's own source, offered to every user (GNU AGPL section 13).

Meridian is AGPL-3.0-or-later: whoever uses it over the network must be offered the
Corresponding Source of the version that runs, modifications included. The archive is built
from the files the running process loads (the installed packages and templates, not a
checkout that may differ), once per process, so it is exactly what serves the page.
A clinic that publishes its copy elsewhere sets SOURCE_URL and the footer links there instead.
"""

import io
import zipfile
from functools import cache
from importlib import metadata, util
from pathlib import Path

from django.conf import settings
from django.urls import reverse

import clinic

# Found by name, not imported: clinic sits below the other apps (pyproject's contracts).
PACKAGES = ("clinic", "patients", "treatments")
# Beside the packages in a checkout (or a source tree the install was made from).
PROJECT_FILES = ("LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml", "manage.py", "Makefile")
LEFT_OUT_DIRECTORIES = {"__pycache__", "node_modules"}
LEFT_OUT_SUFFIXES = {".pyc", ".pyo"}
# A fixed date for every entry: the same files make the same archive, byte for byte.
ENTRY_DATE = (2007, 11, 19, 0, 0, 0)  # the AGPL's own date


def archive_name() -> str:
    return f"meridian-{clinic.__version__}-source.zip"


def source_url() -> str:
    """Where the footer's "Source code" link leads."""
    return settings.SOURCE_URL or reverse("source")


def _package_files():
    """(name in the archive, its content's reader) of every file the running app is made of."""
    for package in PACKAGES:
        root = Path(util.find_spec(package).origin).resolve().parent
        yield from _tree(root, package)
    for directory in settings.TEMPLATES[0]["DIRS"]:
        directory = Path(directory)
        if directory.is_dir():
            yield from _tree(directory, "templates")
    for name in PROJECT_FILES:
        path = Path(settings.BASE_DIR) / name
        if path.is_file():
            yield name, path.read_bytes
        elif name == "LICENSE" and (licence := _installed_licence()):
            yield name, licence.encode


def _installed_licence() -> str | None:
    """The licence from the installed package's metadata, when not run from a checkout."""
    try:
        return metadata.distribution("meridian").read_text("licenses/LICENSE")
    except metadata.PackageNotFoundError:
        return None


def _tree(root: Path, prefix: str):
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if (
            path.is_file()
            and not LEFT_OUT_DIRECTORIES & set(relative.parts)
            and not any(part.startswith(".") for part in relative.parts)  # .env and the like
            and path.suffix not in LEFT_OUT_SUFFIXES
        ):
            yield f"{prefix}/{relative.as_posix()}", path.read_bytes


@cache
def source_archive() -> bytes:
    """The zip of the running source, made on first request and kept for the process's life
    (the code cannot change under a running process)."""
    folder = f"meridian-{clinic.__version__}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(_package_files(), key=lambda item: item[0]):
            entry = zipfile.ZipInfo(f"{folder}/{name}", date_time=ENTRY_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, content())
    return buffer.getvalue()
