"""Totals of paged lists without a second query where the page itself tells."""

from __future__ import annotations

from collections.abc import Callable


def page_total(found: int, limit: int, offset: int, count: Callable[[], int]) -> int:
    """The total of a page query that found ``found`` rows: on the last page (fewer rows
    than the limit, and rows or the first page) it is the offset plus those rows, with no
    count query; otherwise ``count()`` asks the database. Most inboxes are one page."""
    if found < limit and (found or offset == 0):
        return offset + found
    return count()
