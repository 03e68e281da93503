"""Errors and warnings of the readers: always one line, naming the file and the line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alignkg.errors import AlignkgError


def printable_path(path: Path | str) -> str:
    """A path as one line of plain text (a file name may hold newlines or escapes)."""
    text = str(path)
    return text if text.isprintable() else repr(text)[1:-1]


class CorpusError(AlignkgError):
    """The input cannot be read; the message is one line, for the user."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        where = printable_path(path) + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {message}")


WarningHandler = Callable[[str], None]


class RecordProblems:
    """Decides what a bad record does: skipped with a warning, or (strict) an error.

    A bad optional field (a date that is no date, a url that is no url) only costs the
    field, with a warning."""

    def __init__(self, path: Path | str, strict: bool, warn: WarningHandler) -> None:
        self.path = printable_path(path)
        self.strict = strict
        self.warn = warn
        self.skipped = 0

    def bad_record(self, message: str, line: int) -> None:
        if self.strict:
            raise CorpusError(self.path, message, line)
        self.skipped += 1
        self.warn(f"{self.path}:{line}: {message}; record skipped")

    def bad_field(self, message: str, line: int) -> None:
        self.warn(f"{self.path}:{line}: {message}")
