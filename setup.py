"""Packaging details pyproject.toml cannot say (its metadata and dependencies are there).

The project's templates live in the top-level templates/ folder, beside the apps rather than
inside one. The wheel carries that folder as the package data of `clinic.site_templates`
(mapped with package_dir, so nothing moves in the checkout), and settings.TEMPLATES_DIR looks
there when Meridian runs installed.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["clinic*", "patients*", "treatments*"]),
        "clinic.site_templates",
    ],
    package_dir={"clinic.site_templates": "templates"},
    # Only the files listed here, so that setuptools does not take the data folders for
    # packages it was not told about.
    include_package_data=False,
    package_data={
        "clinic.site_templates": ["*.html", "**/*.html", "**/*.txt"],
        # CSS and scripts served by WhiteNoise after collectstatic.
        "clinic": ["static/**/*"],
        # The point catalogue's data file, read by a migration.
        "treatments": ["data/*.csv", "data/*.md"],
    },
)
