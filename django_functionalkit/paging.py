"""``PagedResult``: one page of items and what a client needs to ask for the others."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["PagedResult"]

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
    def of(cls, source: Any, page: int = 1, page_size: int = 20) -> PagedResult[Any]:
        """Page ``page`` of ``source``: a sequence, or anything with ``count()`` and slicing
        (a Django ``QuerySet``: one ``COUNT`` query and one query for the page)."""
        if page < 1 or page_size < 1:
            return cls((), 0, page, page_size)  # __post_init__ says which one is wrong
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
