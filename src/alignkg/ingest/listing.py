"""The Daily Papers listing format (the default corpus).

Each record, blank lines aside::

    Title
    Abstract (may be missing)
    "  • 7 authors"  or  "<org-slug> <Organization Name>"
    "·"
    "Jun 30, 2023"  optionally followed by the upvote count

Lines before the first record are the page's header and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

from alignkg.ingest.errors import RecordProblems
from alignkg.ingest.raw import RawRecord

SEPARATOR = "·"
_AUTHORS = re.compile(r"^•\s*(\d+)\s+authors?$")
_DATE = re.compile(r"^([A-Z][a-z]{2} \d{1,2}, \d{4})(?:\s+(\d+))?$")


def _is_abstract(line: str) -> bool:
    # Titles carry no sentence-final full stop; abstracts are sentences.
    return len(line) > 200 or bool(re.search(r"[.!?]\s+[A-Z(]", line)) or line.endswith(".")


def _organization(line: str) -> str | None:
    slug, _, name = line.partition(" ")
    if name and slug.replace("-", "").replace("_", "").isalnum():
        return name.strip()
    return None


def read_listing(lines: Iterator[tuple[int, str]], problems: RecordProblems) -> Iterator[RawRecord]:
    """Records from (line number, text) pairs of a listing."""
    pending: list[tuple[int, str]] = []  # non-blank lines since the last record
    meta_line: tuple[int, str] | None = None
    expect_date = False
    at_start = True
    for number, raw in lines:
        line = raw.strip()
        if not line:
            continue
        if expect_date:
            expect_date = False
            yield from _records(pending, meta_line, (number, line), problems, at_start)
            pending, meta_line, at_start = [], None, False
            continue
        if line == SEPARATOR:
            meta_line = pending.pop() if pending else None
            expect_date = True
            continue
        pending.append((number, line))
    if expect_date:
        problems.bad_record("truncated record: no date after '·'", meta_line[0] if meta_line else 1)
    elif pending:
        yield from _records(pending, None, None, problems, at_start)


def _records(
    pending: list[tuple[int, str]],
    meta_line: tuple[int, str] | None,
    date_line: tuple[int, str] | None,
    problems: RecordProblems,
    at_start: bool,
) -> Iterator[RawRecord]:
    """The records among the lines before a '·': title-and-abstract pairs, the last of
    which owns the metadata. Some listings omit a record's metadata altogether."""
    groups: list[list[tuple[int, str]]] = []
    for number, line in pending:
        if _is_abstract(line) and groups and len(groups[-1]) == 1:
            groups[-1].append((number, line))
        else:
            groups.append([(number, line)])
    for i, group in enumerate(groups):
        last = i == len(groups) - 1
        if len(group) == 1 and not last:
            if not at_start:  # lines before the first record are the page's header
                problems.bad_record("a title with no abstract and no metadata", group[0][0])
            continue
        at_start = False
        (number, title), abstract = group[0], group[1][1] if len(group) == 2 else ""
        if last and date_line is not None:
            paper = _with_metadata(number, title, abstract, meta_line, date_line, problems)
        elif abstract:
            paper = RawRecord(line=number, title=title, abstract=abstract)
        else:
            problems.bad_record("truncated record at the end of the file", group[0][0])
            paper = None
        if paper is not None:
            yield paper


def _with_metadata(
    number: int,
    title: str,
    abstract: str,
    meta_line: tuple[int, str] | None,
    date_line: tuple[int, str],
    problems: RecordProblems,
) -> RawRecord | None:
    date_number, date_text = date_line
    if meta_line is None:
        problems.bad_record("a record needs an author or organization line before '·'", date_number)
        return None
    author_count, organization = None, None
    meta = meta_line[1]
    if m := _AUTHORS.match(meta):
        author_count = int(m.group(1))
    else:
        organization = _organization(meta)
        if organization is None:
            problems.bad_record(f"unrecognised author or organization line {meta!r}", meta_line[0])
            return None
    m = _DATE.match(date_text)
    if m is None:
        problems.bad_record(
            f"expected a date such as 'Jun 30, 2023', got {date_text!r}", date_number
        )
        return None
    try:
        date = datetime.strptime(m.group(1), "%b %d, %Y").date().isoformat()
    except ValueError:  # "Feb 30, 2024", "Jan 1, 0000"
        problems.bad_record(f"no such date {m.group(1)!r}", date_number)
        return None
    return RawRecord(
        line=number,
        title=title,
        abstract=abstract,
        date=date,
        author_count=author_count,
        organization=organization,
        upvotes=int(m.group(2)) if m.group(2) else None,
    )
