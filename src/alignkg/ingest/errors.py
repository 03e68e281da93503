"""Errors and warnings of the readers: always one line, naming the file and the line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alignkg.errors import AlignkgError


class CorpusError(AlignkgError):
    """The input cannot be read; the message is one line, for the user."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


WarningHandler = Callable[[str], None]


class RecordProblems:
    """Decides what a bad record does: skipped with a warning, or (strict) an error."""

    def __init__(self, path: Path | str, strict: bool, warn: WarningHandler) -> None:
        self.path = path
        self.strict = strict
        self.warn = warn
        self.skipped = 0

    def bad_record(self, message: str, line: int) -> None:
        if self.strict:
            raise CorpusError(self.path, message, line)
        self.skipped += 1
        self.warn(f"{self.path}:{line}: {message}; record skipped")
