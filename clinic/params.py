"""Numbers and days read from an address's query string or a form's hidden inputs, parsed
one way.

`str.isdigit()` and `int()` accept more than an id can be ("²", Arabic-Indic digits, numbers
beyond 64 bits, " 7"); every view reads such numbers through these functions instead, and
treats anything else as not given. A day in an address is read by `parse_day`, which keeps
to years whose previous and next days (and weeks) Python's dates can still hold.
"""

import re
from datetime import date

MAX_ID = 2**63 - 1  # the largest primary key SQLite and PostgreSQL can hold
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_number(value, *, low: int, high: int) -> int | None:
    """`value` as a whole number written in ASCII digits, within [low, high]; else None."""
    if not isinstance(value, str) or not _ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if low <= number <= high else None


def parse_id(value) -> int | None:
    """A record id (1 … 2⁶³−1) or None."""
    return parse_number(value, low=1, high=MAX_ID)


def query_id(params, name: str) -> int | None:
    """The id in params[name] (a QueryDict such as request.GET), or None."""
    return parse_id(params.get(name, ""))


# Days a page may show: its previous and next day or week links stay inside Python's dates.
FIRST_YEAR, LAST_YEAR = 1900, 2999
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(value) -> date | None:
    """A YYYY-MM-DD date from FIRST_YEAR to LAST_YEAR, or None. (date.fromisoformat alone
    also takes '20250331', and `\\d` takes digits of every script.)"""
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None
