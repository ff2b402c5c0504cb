"""Numbers from an address are read one way: ASCII digits, in range, or not at all."""

import pytest
from django.http import QueryDict

from clinic.params import MAX_ID, parse_id, parse_number, query_id


@pytest.mark.parametrize("typed", ["1", "42", "007", str(MAX_ID)])
def test_an_id_written_in_plain_digits_is_read(typed):
    assert parse_id(typed) == int(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "0",
        "-1",
        "+3",
        " 7",
        "7\n",
        "1e3",
        "3.0",
        "\u00b2",  # superscript two: str.isdigit() says yes, int() says no
        "\u0663",  # Arabic-Indic three: int() would read it
        "\uff13",  # full-width three
        str(MAX_ID + 1),
        "9" * 30,
        None,
    ],
)
def test_anything_else_is_not_an_id(typed):
    assert parse_id(typed) is None


def test_a_bounded_number_outside_its_range_is_not_read():
    assert parse_number("12", low=1, high=12) == 12
    assert parse_number("13", low=1, high=12) is None


def test_an_id_is_read_from_a_query_string_by_name():
    params = QueryDict("course=12&patient=%C2%B2")
    assert query_id(params, "course") == 12
    assert query_id(params, "patient") is None
    assert query_id(params, "room") is None
