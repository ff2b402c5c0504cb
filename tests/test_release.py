"""The release's paperwork agrees with itself: one version, its changelog entry, the licence."""

import hashlib
import re
import tomllib
from pathlib import Path

import clinic

ROOT = Path(__file__).resolve().parent.parent
# The GNU AGPL version 3 exactly as the FSF publishes it (gnu.org/licenses/agpl-3.0.txt).
AGPL_3_SHA256 = "0d96a4ff68ad6d4b6f1f30f713b18d5184912ba8dd389f86aa7710db079abcb0"


def released_versions() -> list[str]:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    return re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.MULTILINE)


def test_the_newest_release_in_the_changelog_is_the_version_the_code_carries():
    assert released_versions()[0] == clinic.__version__


def test_changelog_releases_run_newest_first_without_repeats():
    versions = [tuple(int(part) for part in v.split(".")) for v in released_versions()]
    assert versions == sorted(set(versions), reverse=True)


def test_changelog_keeps_an_unreleased_section_above_the_releases():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert changelog.index("## [Unreleased]") < changelog.index(f"## [{clinic.__version__}]")


def test_the_package_reads_its_version_from_clinic_and_nowhere_else():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "clinic.__version__"}


def test_licence_is_the_whole_gnu_affero_gpl_version_3():
    text = (ROOT / "LICENSE").read_text()
    assert text.split("\n", 2)[:2] == [
        "                    GNU AFFERO GENERAL PUBLIC LICENSE",
        "                       Version 3, 19 November 2007",
    ]
    assert text.endswith("<https://www.gnu.org/licenses/>.\n")
    assert hashlib.sha256(text.encode()).hexdigest() == AGPL_3_SHA256


def test_the_package_declares_the_licence_it_ships():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "AGPL-3.0-or-later"
    assert project["license-files"] == ["LICENSE"]
