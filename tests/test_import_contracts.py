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


def test_an_audit_module_importing_courses_breaks_the_feature_order(tmp_path):
    root = copy_of_the_code(tmp_path)
    add_import(root / "treatments/audit/services.py", "from treatments.courses import services")

    result = lint_imports(root)

    assert result.returncode == 1
    assert "Feature packages of treatments import downwards only BROKEN" in result.stdout
    assert "treatments.audit.services -> treatments.courses.services" in result.stdout


def test_clinic_importing_treatments_outside_the_url_root_breaks_the_app_layers(tmp_path):
    root = copy_of_the_code(tmp_path)
    add_import(root / "clinic/views.py", "from treatments.models import Appointment")

    result = lint_imports(root)

    assert result.returncode == 1
    assert "treatments may import patients and clinic" in result.stdout
    assert "clinic.views -> treatments.models" in result.stdout


def test_a_service_importing_a_view_breaks_the_views_rule(tmp_path):
    root = copy_of_the_code(tmp_path)
    add_import(root / "treatments/notes/services.py", "from treatments.notes import views")

    result = lint_imports(root)

    assert result.returncode == 1
    assert "Views import services, never the reverse BROKEN" in result.stdout
