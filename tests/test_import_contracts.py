"""The one-way imports of CONVENTIONS.md hold, and the check would catch one that breaks them."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": str(LINT_IMPORTS.parent)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_the_code(tmp_path: Path) -> Path:
    for package in ("clinic", "patients", "treatments"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(module: Path, line: str) -> None:
    module.write_text(module.read_text() + f"\n{line}\n")


def test_the_code_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


# An upward import added to a copy of the code; the contract it breaks; the line that names it.
UPWARD_IMPORTS = {
    "an audit module importing courses breaks the feature order": (
        "treatments/audit/services.py",
        "from treatments.courses import services",
        "Feature packages of treatments import downwards only BROKEN",
        "treatments.audit.services -> treatments.courses.services",
    ),
    "clinic importing treatments outside the URL root breaks the app layers": (
        "clinic/views.py",
        "from treatments.models import Appointment",
        "Apps: treatments may import patients and clinic; patients may import clinic BROKEN",
        "clinic.views -> treatments.models",
    ),
    "a service importing a view breaks the views rule": (
        "treatments/notes/services.py",
        "from treatments.notes import views",
        "Views import services, never the reverse BROKEN",
        "treatments.notes.services -> treatments.notes.views",
    ),
}


@pytest.mark.parametrize(
    ("module", "line", "contract", "shown"), UPWARD_IMPORTS.values(), ids=list(UPWARD_IMPORTS)
)
def test_an_upward_import_breaks_its_contract(tmp_path, module, line, contract, shown):
    root = copy_of_the_code(tmp_path)
    add_import(root / module, line)

    result = lint_imports(root)

    assert result.returncode == 1
    assert contract in result.stdout
    assert shown in result.stdout
