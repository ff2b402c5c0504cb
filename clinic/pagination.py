"""Pages of long lists without counting every row (issue 18): at a million access-log rows
an exact COUNT(*) on every view costs more than the page itself.

Two kinds: numbered pages over the first thousand results, counted only that far
(`BoundedPaginator`: search results, the delivery log, the waitlist), and "Newer / Older"
pages by time and id (`keyset_page`: the access log, which managers walk back through
without end). Either way the page's parameters are numbers (a page number, a row's id), so
no patient's data goes into a URL.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet, Subquery
from django.utils.functional import cached_property

# How far a list is counted: beyond it the page says "more than 1,000" and asks for a filter.
COUNT_LIMIT = 1000


def count_up_to(rows: QuerySet, limit: int = COUNT_LIMIT) -> int:
    """How many rows, counting no further than limit + 1: COUNT(*) over a LIMIT subquery of
    the ids, in no particular order, so the database stops at the first limit + 1 it finds."""
    return rows.order_by().values("pk")[: limit + 1].count()


class BoundedPaginator(Paginator):
    """Numbered pages over the first `limit` results, counted with COUNT(*) over a LIMIT
    subquery (limit + 1 rows at most, in no particular order, so an index walk stops early).
    `has_more` says whether results were left out."""

    def __init__(self, object_list: QuerySet, per_page: int, *, limit: int = COUNT_LIMIT):
        self.limit = limit
        super().__init__(object_list, per_page)

    @cached_property
    def matched(self) -> int:
        """How many results, up to limit + 1."""
        return count_up_to(self.object_list, self.limit)

    @cached_property
    def count(self) -> int:
        return min(self.matched, self.limit)

    @property
    def has_more(self) -> bool:
        return self.matched > self.limit


@dataclass
class KeysetPage:
    """One page of a newest-first list and the ids its "Older" and "Newer" links start from
    (None where there is nothing more that way)."""

    object_list: list
    older: int | None = None
    newer: int | None = None

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_other_pages(self) -> bool:
        return self.older is not None or self.newer is not None


def page_cursor(value) -> int | None:
    """A page parameter as a row id, or None for anything else (then the first page)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def keyset_page(
    rows: QuerySet, *, by: str, size: int, older: int | None = None, newer: int | None = None
) -> KeysetPage:
    """The `size` rows of `rows` (newest first by the field `by`, then by id) just older than
    the row with id `older`, or just newer than the row `newer`, or the newest. One query,
    whatever the page: the cursor row's time is a subquery, and the comparison
    `by <= t AND (by < t OR id < cursor)` lets an index on `by` start right at the cursor."""
    if older is None and newer is None:
        found = list(rows.order_by(f"-{by}", "-pk")[: size + 1])
        return KeysetPage(found[:size], older=_last_id(found, size))
    cursor = older if older is not None else newer
    moment = Subquery(rows.model._default_manager.filter(pk=cursor).values(by)[:1])
    if older is not None:
        found = list(
            rows.filter(**{f"{by}__lte": moment})
            .filter(Q(**{f"{by}__lt": moment}) | Q(pk__lt=cursor))
            .order_by(f"-{by}", "-pk")[: size + 1]
        )
        return KeysetPage(found[:size], older=_last_id(found, size), newer=_first_id(found))
    found = list(
        rows.filter(**{f"{by}__gte": moment})
        .filter(Q(**{f"{by}__gt": moment}) | Q(pk__gt=cursor))
        .order_by(by, "pk")[: size + 1]
    )
    page = found[:size][::-1]
    return KeysetPage(
        page, older=page[-1].pk if page else None, newer=page[0].pk if len(found) > size else None
    )


def _last_id(found: list, size: int) -> int | None:
    return found[size - 1].pk if len(found) > size else None


def _first_id(found: list) -> int | None:
    return found[0].pk if found else None
