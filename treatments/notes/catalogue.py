"""The acupuncture point catalogue as the note form reads it: every point once per request,
found again from whatever a practitioner types — a code ("gb21", "EX-B2"), a pinyin name
("jianjing"), an English name ("shoulder well") or the picker's own label."""

import re
from collections import defaultdict

from django.core.exceptions import ValidationError

from treatments.models import AcupuncturePoint


def _key(text: str) -> str:
    """Case, spaces and hyphens do not matter: "ex b2" is EX-B2, "Shoulder  well" a name."""
    return re.sub(r"[\s\-–]+", "", text).casefold()


class PointCatalogue:
    """All points, read in one query; `find()` turns typed text into a point."""

    def __init__(self):
        self.points = list(AcupuncturePoint.objects.all())
        self.by_pk = {point.pk: point for point in self.points}
        self._by_code = {_key(point.code): point for point in self.points}
        self._by_name = defaultdict(list)
        for point in self.points:
            for name in {point.name, point.english, point.label}:
                if name:
                    self._by_name[_key(name)].append(point)

    @property
    def offered(self) -> list[AcupuncturePoint]:
        """What the picker suggests: the points in use."""
        return [point for point in self.points if point.is_active]

    def find(self, text: str, *, keep=frozenset()) -> AcupuncturePoint:
        """The point `text` names, or a ValidationError saying why there is none. A retired
        point is refused unless its id is in `keep` (already on the record being edited)."""
        text = " ".join(text.split())
        first_word = text.split(" ", 1)[0]
        point = self._by_code.get(_key(text)) or self._by_code.get(_key(first_word))
        if point is None:
            named = self._by_name.get(_key(text), [])
            if len(named) > 1:
                codes = " or ".join(p.code for p in named)
                raise ValidationError(f"“{text}” is {codes}: type the code.")
            point = named[0] if named else None
        if point is None:
            raise ValidationError(
                f"No point “{text}” in the catalogue: type a code (GB21), a pinyin name "
                f"(Jianjing) or an English name (Shoulder Well)."
            )
        if not point.is_active and point.pk not in keep:
            raise ValidationError(f"{point.code} is retired from the catalogue.")
        return point
