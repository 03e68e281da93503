"""Ingest: corpus files to Paper records, streamed.

Formats: the Daily Papers listing ("listing"), alignkg's JSON Lines ("jsonl") and arXiv
metadata JSON Lines ("arxiv"); detected from the first record unless given.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import unicodedata
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

from alignkg.ingest.errors import CorpusError, RecordProblems, WarningHandler
from alignkg.ingest.jsonlines import ARXIV_KEYS, read_arxiv_jsonl, read_papers_jsonl
from alignkg.ingest.listing import read_listing
from alignkg.records import Paper

__all__ = ["FORMATS", "CorpusError", "default_corpus", "detect_format", "read_corpus"]

FORMATS = ("listing", "jsonl", "arxiv")
_READERS = {"listing": read_listing, "jsonl": read_papers_jsonl, "arxiv": read_arxiv_jsonl}
_SNIFF_BYTES = 8192


def default_corpus() -> Path:
    """The bundled corpus: 55 alignment papers from the Daily Papers listing."""
    return Path(str(files("alignkg") / "data" / "corpus" / "hf-daily-papers-alignment.txt"))


def _warn_to_stderr(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _check_readable(path: Path) -> bytes:
    """The file's first bytes, after the checks that give a clear error up front."""
    if not path.exists():
        raise CorpusError(path, "no such file")
    if path.is_dir():
        raise CorpusError(path, "is a directory, not a corpus file")
    try:
        with path.open("rb") as f:
            head = f.read(_SNIFF_BYTES)
    except OSError as err:
        raise CorpusError(path, f"cannot read ({err.strerror})") from err
    if not head.strip():
        raise CorpusError(path, "the file is empty")
    if b"\x00" in head:
        raise CorpusError(path, "looks like a binary file, not a text corpus")
    return head


def detect_format(path: Path, head: bytes | None = None) -> str:
    head = head if head is not None else _check_readable(path)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first.lstrip().startswith("{"):
        return "listing"
    try:
        record = json.loads(first)
    except json.JSONDecodeError:
        return "jsonl"  # the reader reports the malformed line with its number
    return "arxiv" if isinstance(record, dict) and ARXIV_KEYS & record.keys() else "jsonl"


def _numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    number = 0
    try:
        with path.open(encoding="utf-8-sig", newline=None) as f:
            for number, line in enumerate(f, start=1):  # noqa: B007 - used after the loop
                yield number, line
    except UnicodeDecodeError as err:
        raise CorpusError(path, f"not valid UTF-8 ({err.reason})", number + 1) from err
    except OSError as err:
        raise CorpusError(path, f"cannot read ({err.strerror})", number + 1) from err


def _clean(text: str) -> str:
    """NFC, without control or invisible format characters (zero-width spaces, bidi marks)."""
    text = unicodedata.normalize("NFC", text)
    return "".join(
        c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf", "Co", "Cs")
    )


def read_corpus(
    path: Path | str,
    format: str | None = None,
    strict: bool = False,
    warn: WarningHandler = _warn_to_stderr,
) -> Iterator[Paper]:
    """Papers of a corpus file, each id once, in file order.

    Raises CorpusError for a file that cannot be read at all; a bad record is skipped
    with a warning, or raises CorpusError when `strict`.
    """
    path = Path(path)
    head = _check_readable(path)
    if format is None:
        format = detect_format(path, head)
    elif format not in _READERS:
        raise CorpusError(path, f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
    problems = RecordProblems(path, strict, warn)
    seen: set[str] = set()
    count = 0
    for paper in _READERS[format](_numbered_lines(path), problems):
        paper = dataclasses.replace(
            paper, title=_clean(paper.title), abstract=_clean(paper.abstract)
        )
        if paper.id in seen:
            continue
        seen.add(paper.id)
        count += 1
        yield paper
    if count == 0:
        raise CorpusError(path, f"no papers found (read as {format})")
