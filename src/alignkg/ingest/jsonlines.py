"""JSON Lines readers: alignkg's own paper records and arXiv metadata snapshot records.

alignkg papers, one object a line (only title and abstract are required)::

    {"id": "2305.18290", "title": "...", "abstract": "...", "date": "2023-05-29",
     "authors": ["A. Author", "B. Author"], "url": "https://arxiv.org/abs/2305.18290"}

arXiv metadata (the public snapshot's format): id, title, abstract, authors (one string),
update_date, doi, and more keys that are ignored.

Numbers are read as their text, so an id 2305.18290 given as a JSON number stays
"2305.18290" (a float would make it 2305.1829).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from alignkg.ingest.errors import RecordProblems
from alignkg.ingest.ids import arxiv_id
from alignkg.ingest.raw import RawRecord

ARXIV_KEYS = frozenset({"update_date", "authors_parsed", "submitter", "versions"})


class _Number(str):
    """A JSON number, kept as the text the file gives."""


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def parse_record(line: str) -> Any:
    """One JSON value; ValueError (with a reason) for malformed or too deeply nested JSON."""
    try:
        return json.loads(line, parse_float=_Number, parse_int=_Number, parse_constant=_no_constant)
    except json.JSONDecodeError as err:
        raise ValueError(f"malformed JSON ({err.msg}, column {err.colno})") from None
    except RecursionError:
        raise ValueError("malformed JSON (nested too deeply)") from None
    except ValueError as err:
        raise ValueError(f"malformed JSON ({err})") from None


class _Fields:
    """A record's optional fields: a value of the wrong kind is dropped with a warning."""

    def __init__(self, record: dict[str, Any], problems: RecordProblems, line: int) -> None:
        self.record, self.problems, self.line = record, problems, line

    def text(self, key: str) -> str | None:
        value = self.record.get(key)
        if value is None or (isinstance(value, str) and not isinstance(value, _Number)):
            return value
        self.problems.bad_field(f"'{key}' must be a string; field ignored", self.line)
        return None

    def authors(self, split: Callable[[str], list[str]]) -> tuple[str, ...]:
        value = self.record.get("authors")
        if isinstance(value, str) and not isinstance(value, _Number):
            return tuple(split(value))
        if value is None:
            return ()
        if isinstance(value, list) and all(
            isinstance(a, str) and not isinstance(a, _Number) for a in value
        ):
            return tuple(value)
        self.problems.bad_field("'authors' must be a list of strings; field ignored", self.line)
        return ()


def _required(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str) or isinstance(value, _Number):
        raise ValueError(f"'{key}' must be a string")
    return " ".join(value.split())  # arXiv titles and abstracts are hard-wrapped


def _own_id(record: dict[str, Any]) -> str | None:
    value = record.get("id")
    if value is None or isinstance(value, str):  # JSON numbers are _Number, a str
        return value
    raise ValueError("'id' must be a string or a number")


def _from_alignkg(record: dict[str, Any], fields: _Fields) -> RawRecord:
    url, doi = fields.text("url"), fields.text("doi")
    authors = fields.authors(lambda one: [one])
    return RawRecord(
        line=fields.line,
        title=_required(record, "title"),
        abstract=_required(record, "abstract"),
        own_id=_own_id(record),
        links=tuple(link for link in (url, doi) if link),
        date=fields.text("date"),
        authors=authors,
        author_count=len(authors) or None,
        url=url,
    )


def _split_arxiv_authors(authors: str) -> list[str]:
    parts = re.split(r",\s*|\s+and\s+", " ".join(authors.split()))
    return [p for p in parts if p]


def _from_arxiv(record: dict[str, Any], fields: _Fields) -> RawRecord:
    own_id = _own_id(record)
    doi = fields.text("doi")
    authors = fields.authors(_split_arxiv_authors)
    found = arxiv_id(own_id)
    return RawRecord(
        line=fields.line,
        title=_required(record, "title"),
        abstract=_required(record, "abstract"),
        own_id=own_id,
        links=(doi,) if doi else (),
        date=fields.text("update_date"),
        authors=authors,
        author_count=len(authors) or None,
        url=f"https://arxiv.org/abs/{found}" if found else None,
    )


def _read(
    lines: Iterator[tuple[int, str]],
    problems: RecordProblems,
    to_record: Callable[[dict[str, Any], _Fields], RawRecord],
) -> Iterator[RawRecord]:
    for number, line in lines:
        if not line.strip():
            continue
        try:
            record = parse_record(line)
            if not isinstance(record, dict):
                raise ValueError("expected a JSON object")
            raw = to_record(record, _Fields(record, problems, number))
        except ValueError as err:
            problems.bad_record(str(err), number)
            continue
        yield raw


def read_papers_jsonl(lines: Iterator[tuple[int, str]], problems: RecordProblems):
    return _read(lines, problems, _from_alignkg)


def read_arxiv_jsonl(lines: Iterator[tuple[int, str]], problems: RecordProblems):
    return _read(lines, problems, _from_arxiv)
