import pytest

from clinic.text import fold


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Zoë", "zoe"),
        ("ZOË", "zoe"),
        ("José", "jose"),
        ("Łukasz", "lukasz"),
        ("Ørsted", "orsted"),
        ("Nguyễn", "nguyen"),
        ("Æsa Straße", "aesa strasse"),
        ("ĐORĐE", "dorde"),
        ("O'Connor-Smith", "o'connor-smith"),
    ],
)
def test_fold_drops_accents_and_case_as_a_keyboard_without_them_would_type(written, folded):
    assert fold(written) == folded
