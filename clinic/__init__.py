"""Meridian's project package and the clinic itself."""

# The one place the version lives: pyproject.toml reads it ([tool.setuptools.dynamic]), the
# footer shows it to managers, and CHANGELOG.md's newest release must carry it (a test checks).
__version__ = "0.12.0"
