"""JSON Lines readers: alignkg's own paper records and arXiv metadata snapshot records.

alignkg papers, one object a line (only title and abstract are required)::

    {"id": "2305.18290", "title": "...", "abstract": "...", "date": "2023-05-29",
     "authors": ["A. Author", "B. Author"], "url": "https://arxiv.org/abs/2305.18290"}

arXiv metadata (the public snapshot's format): id, title, abstract, authors (one string),
update_date, and more keys that are ignored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from alignkg.ingest.errors import RecordProblems
from alignkg.ingest.ids import normalise_title, paper_id_for
from alignkg.records import Paper

ARXIV_KEYS = frozenset({"update_date", "authors_parsed", "submitter", "versions"})


def _text(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be a string")
    return " ".join(value.split())  # arXiv titles and abstracts are hard-wrapped


def _paper_from_alignkg(record: dict[str, Any]) -> Paper:
    authors = record.get("authors") or []
    if isinstance(authors, str):
        authors = [authors]
    if not all(isinstance(a, str) for a in authors):
        raise ValueError("'authors' must be a list of strings")
    title = normalise_title(_text(record, "title") or "")
    record_id = record.get("id")
    return Paper(
        id=paper_id_for(title, str(record_id) if record_id is not None else record.get("url")),
        title=title,
        abstract=_text(record, "abstract") or "",
        date=_text(record, "date"),
        authors=tuple(authors),
        author_count=len(authors) or None,
        url=_text(record, "url"),
    )


def _split_arxiv_authors(authors: str) -> list[str]:
    parts = re.split(r",\s*|\s+and\s+", " ".join(authors.split()))
    return [p for p in parts if p]


def _paper_from_arxiv(record: dict[str, Any]) -> Paper:
    title = normalise_title(_text(record, "title") or "")
    authors = _split_arxiv_authors(_text(record, "authors") or "")
    arxiv = str(record.get("id") or "")
    return Paper(
        id=paper_id_for(title, arxiv),
        title=title,
        abstract=_text(record, "abstract") or "",
        date=_text(record, "update_date"),
        authors=tuple(authors),
        author_count=len(authors) or None,
        url=f"https://arxiv.org/abs/{arxiv}" if arxiv else None,
    )


def _read(
    lines: Iterator[tuple[int, str]],
    problems: RecordProblems,
    to_paper: Callable[[dict[str, Any]], Paper],
) -> Iterator[Paper]:
    for number, line in lines:
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            problems.bad_record(f"malformed JSON ({err.msg}, column {err.colno})", number)
            continue
        if not isinstance(record, dict):
            problems.bad_record("expected a JSON object", number)
            continue
        try:
            paper = to_paper(record)
        except ValueError as err:
            problems.bad_record(str(err), number)
            continue
        if not paper.title or not paper.abstract:
            problems.bad_record("a paper needs a non-empty 'title' and 'abstract'", number)
            continue
        yield paper


def read_papers_jsonl(lines: Iterator[tuple[int, str]], problems: RecordProblems):
    return _read(lines, problems, _paper_from_alignkg)


def read_arxiv_jsonl(lines: Iterator[tuple[int, str]], problems: RecordProblems):
    return _read(lines, problems, _paper_from_arxiv)
