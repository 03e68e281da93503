"""What a format reader hands on: a record's fields as the file gives them, and its line.

The readers only parse; cleaning, checking and naming the paper happen once for every
format in `alignkg.ingest`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RawRecord:
    line: int
    title: str
    abstract: str
    own_id: str | None = None  # the record's id, as text (JSON numbers too)
    links: tuple[str, ...] = ()  # url and DOI: where else an arXiv id may be
    date: str | None = None
    authors: tuple[str, ...] = ()
    author_count: int | None = None
    organization: str | None = None
    url: str | None = None
    upvotes: int | None = None
