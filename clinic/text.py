"""Text folded for comparison: search, file names."""

import unicodedata

# Letters that Unicode does not decompose into an ASCII letter plus an accent.
ASCII_LETTERS = str.maketrans(
    {
        "Ø": "O",
        "ø": "o",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "ß": "ss",
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "Þ": "Th",
        "þ": "th",
        "ı": "i",
    }
)


def fold(text: str) -> str:
    """`text` in lower case without accents, as typed on any keyboard: "ZOË" and "zoe" both
    fold to "zoe", "Łukasz" to "lukasz", "Nguyễn" to "nguyen", "Ørsted" to "orsted".

    Compatibility decomposition (NFKD) splits accented letters into letter and marks (and
    ligatures such as "ﬁ" into letters); the marks are dropped, and the letters that do not
    decompose are spelt out from ASCII_LETTERS.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.translate(ASCII_LETTERS).lower()
