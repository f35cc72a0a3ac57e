"""``PagedResult``: one page of items and what a client needs to ask for the others."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .errors import FieldError, InvalidInput

__all__ = ["PagedResult", "paging_errors"]

# What a client is told of a bad page, here and by the list actions of message views.
PAGE_TOO_LOW = "A page number starts at 1."
SIZE_TOO_LOW = "A page holds at least 1 item."
SIZE_TOO_HIGH = "A page holds at most {max_value} items."

T_co = TypeVar("T_co", covariant=True)
U = TypeVar("U")


@dataclass(frozen=True, slots=True)
class PagedResult(Generic[T_co]):
    """Page ``page`` (from 1) of ``total_count`` items, ``page_size`` to a page.

    A page past the last one is allowed and empty (the last page can move while a client reads);
    a page below 1, a page size below 1, or more items than fit on a page is a ``ValueError``.
    """

    items: Sequence[T_co]
    total_count: int
    page: int = 1
    page_size: int = 20

    def __post_init__(self) -> None:
        for name in ("total_count", "page", "page_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"PagedResult.{name} must be an int, got {type(value).__name__}")
        if self.page < 1:
            raise ValueError(f"PagedResult.page must be 1 or more, got {self.page}")
        if self.page_size < 1:
            raise ValueError(f"PagedResult.page_size must be 1 or more, got {self.page_size}")
        if self.total_count < 0:
            raise ValueError(f"PagedResult.total_count cannot be negative: {self.total_count}")
        if len(self.items) > self.page_size:
            raise ValueError(
                f"PagedResult holds {len(self.items)} items, more than page_size {self.page_size}"
            )
        if len(self.items) > self.total_count:
            raise ValueError(
                f"PagedResult holds {len(self.items)} items, "
                f"more than total_count {self.total_count}"
            )
        object.__setattr__(self, "items", tuple(self.items))

    @classmethod
    def of(
        cls, source: Any, page: int = 1, page_size: int = 20, *, max_page_size: int | None = None
    ) -> PagedResult[Any]:
        """Page ``page`` of ``source``: a sequence, or anything with ``count()`` and slicing
        (a Django ``QuerySet``: one ``COUNT`` query and one query for the page).

        A page below 1 or a page size outside 1 to ``max_page_size`` (default: the
        ``MAX_PAGE_SIZE`` setting) is client input gone wrong, not a bug: ``InvalidInputError``
        with a field error for each (a 400 over HTTP), raised before anything is read.
        """
        for name, value in (("page", page), ("page_size", page_size)):
            if type(value) is not int:  # a bool or a float is a bug in the caller, not input
                raise TypeError(f"PagedResult.of: {name} must be an int, got {value!r}")
        problems = paging_errors(page, page_size, max_page_size)
        if problems:
            raise InvalidInput.of(problems).exception()
        total = len(source) if isinstance(source, Sequence) else source.count()
        start = (page - 1) * page_size
        if start >= total:  # past the last page: no query, and no offset a database refuses
            return cls((), total, page, page_size)
        return cls(list(source[start : start + page_size]), total, page, page_size)

    @property
    def total_pages(self) -> int:
        """How many pages there are; 0 when there are no items."""
        return -(-self.total_count // self.page_size)

    @property
    def has_next(self) -> bool:
        """Whether a page follows this one."""
        return self.page < self.total_pages

    @property
    def has_previous(self) -> bool:
        """Whether a page comes before this one."""
        return self.page > 1

    def map(self, fn: Callable[[T_co], U]) -> PagedResult[U]:
        """The same page with every item transformed (models to DTOs, say)."""
        return PagedResult(
            [fn(item) for item in self.items], self.total_count, self.page, self.page_size
        )


def paging_errors(page: int, page_size: int, max_page_size: int | None = None) -> list[FieldError]:
    """What is wrong with a requested page: a page below 1, a size outside 1 to the maximum
    (``max_page_size``, default the ``MAX_PAGE_SIZE`` setting); empty when nothing is."""
    if max_page_size is None:
        from .conf import fk_settings  # read here: the types above work without Django

        max_page_size = int(fk_settings.MAX_PAGE_SIZE)
    problems = []
    if page < 1:
        problems.append(FieldError("page", PAGE_TOO_LOW, "min_value"))
    if page_size < 1:
        problems.append(FieldError("page_size", SIZE_TOO_LOW, "min_value"))
    elif page_size > max_page_size:
        too_high = SIZE_TOO_HIGH.format(max_value=max_page_size)
        problems.append(FieldError("page_size", too_high, "max_value"))
    return problems
