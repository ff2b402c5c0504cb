#!/usr/bin/env python
"""Django's manage.py in a checkout; an installed Meridian has the same as `meridian`."""

from clinic.cli import main

if __name__ == "__main__":
    main()
