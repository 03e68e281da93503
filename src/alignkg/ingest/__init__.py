"""Ingest: corpus files to Paper records, streamed.

Formats: the Daily Papers listing ("listing"), alignkg's JSON Lines ("jsonl") and arXiv
metadata JSON Lines ("arxiv"); detected from the first record unless given. The readers
parse; this module cleans every text field, checks dates and urls, bounds the length of
titles and abstracts, names each paper (`ids.py`) and keeps each id once.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

from alignkg.ingest.clean import (
    DEFAULT_MAX_CHARS,
    clean_line,
    clean_text,
    is_iso_date,
    is_web_url,
    shorten,
    shown,
)
from alignkg.ingest.errors import CorpusError, RecordProblems, WarningHandler, printable_path
from alignkg.ingest.ids import paper_id_for
from alignkg.ingest.jsonlines import ARXIV_KEYS, parse_record, read_arxiv_jsonl, read_papers_jsonl
from alignkg.ingest.latex import plain_text
from alignkg.ingest.listing import read_listing
from alignkg.ingest.raw import RawRecord
from alignkg.ingest.source import CorpusSource
from alignkg.records import Paper

__all__ = [
    "DEFAULT_MAX_CHARS",
    "FORMATS",
    "CorpusError",
    "default_corpus",
    "detect_format",
    "read_corpus",
]

FORMATS = ("listing", "jsonl", "arxiv")
_READERS = {"listing": read_listing, "jsonl": read_papers_jsonl, "arxiv": read_arxiv_jsonl}


def default_corpus() -> Path:
    """The bundled corpus: 55 alignment papers from the Daily Papers listing."""
    return Path(str(files("alignkg") / "data" / "corpus" / "hf-daily-papers-alignment.txt"))


def _warn_to_stderr(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _format_of(first_line: str) -> str:
    if not first_line.lstrip().startswith("{"):
        return "listing"
    try:
        record = parse_record(first_line)
    except ValueError:
        return "jsonl"  # the reader reports the malformed line with its number
    return "arxiv" if isinstance(record, dict) and ARXIV_KEYS & record.keys() else "jsonl"


def detect_format(path: Path | str) -> str:
    """The format of a corpus file, from its first non-blank line (read whole)."""
    source = CorpusSource(Path(path))
    source.close()
    return _format_of(source.first_line)


def _bounded(text: str, field: str, limit: int, line: int, problems: RecordProblems) -> str:
    if len(text) <= limit:
        return text
    problems.bad_field(f"{field} of {len(text):,} characters cut to {limit:,} (--max-chars)", line)
    return shorten(text, limit)


def _paper(raw: RawRecord, problems: RecordProblems, max_chars: int) -> Paper | None:
    """The clean Paper of a record, or None (with a warning) when it has no text left."""
    line = raw.line
    title = " ".join(plain_text(clean_text(raw.title)).split())
    abstract = plain_text(clean_text(raw.abstract)).strip()
    if not title or not abstract:
        problems.bad_record("a paper needs a non-empty 'title' and 'abstract'", line)
        return None
    paper_id = paper_id_for(
        title, abstract, clean_line(raw.own_id), tuple(clean_line(x) for x in raw.links)
    )
    date, url = clean_line(raw.date), clean_line(raw.url)
    if date is not None and not is_iso_date(date):
        problems.bad_field(f"date {shown(date)} is not YYYY-MM-DD; date ignored", line)
        date = None
    if url is not None and not is_web_url(url):
        problems.bad_field(f"url {shown(url)} is not an http(s) URL; url ignored", line)
        url = None
    authors = tuple(a for a in map(clean_line, raw.authors) if a)
    return Paper(
        id=paper_id,
        title=_bounded(title, "title", max_chars, line, problems),
        abstract=_bounded(abstract, "abstract", max_chars, line, problems),
        date=date,
        authors=authors,
        author_count=raw.author_count,
        organization=clean_line(raw.organization),
        url=url,
        upvotes=raw.upvotes,
    )


def read_corpus(
    path: Path | str,
    format: str | None = None,
    strict: bool = False,
    warn: WarningHandler = _warn_to_stderr,
    max_chars: int = DEFAULT_MAX_CHARS,
    verbose: bool = False,
) -> Iterator[Paper]:
    """Papers of a corpus file, each id once, in file order.

    Raises CorpusError for a file that cannot be read at all; a bad record is skipped
    with a warning, or raises CorpusError when `strict`. A title or abstract longer than
    `max_chars` is cut, with a warning. Records with the id of an earlier one are merged
    into it (the first wins); their number is reported, and with `verbose` each of them.
    """
    path = Path(path)
    if format is not None and format not in _READERS:
        raise CorpusError(path, f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
    source = CorpusSource(path)
    format = format or _format_of(source.first_line)
    problems = RecordProblems(path, strict, warn)
    first_line: dict[str, int] = {}  # paper id -> line of its first record
    merged = 0
    for raw in _READERS[format](source.lines(), problems):
        paper = _paper(raw, problems, max_chars)
        if paper is None:
            continue
        if paper.id in first_line:
            merged += 1
            if verbose:
                warn(
                    f"{problems.path}:{raw.line}: same paper id {shown(paper.id)} as line "
                    f"{first_line[paper.id]}; merged into it"
                )
            continue
        first_line[paper.id] = raw.line
        yield paper
    if merged:
        hint = "" if verbose else " (--verbose lists them)"
        warn(
            f"{printable_path(path)}: {merged} duplicate record{'s' if merged > 1 else ''} "
            f"merged into earlier ones with the same paper id{hint}"
        )
    if not first_line:
        raise CorpusError(path, f"no papers found (read as {format})")
