"""Opening a corpus file: its first record for format detection, then every line, numbered.

The file is read once, front to back, through one buffered reader: the first non-blank
line is read whole (whatever its length) and handed on with the rest, so pipes
(`/dev/stdin`, `<(...)`) lose no byte and nothing ever seeks. Lines are decoded one by one,
so a UTF-8 error names its own line.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from alignkg.ingest.errors import CorpusError

_SNIFF_BYTES = 8192
_BOM = b"\xef\xbb\xbf"


def _line_breaks(raw: bytes) -> int:
    """How many lines `raw` holds with universal newlines (\\n, \\r\\n or a lone \\r)."""
    return max(1, raw.count(b"\n") + raw.count(b"\r") - raw.count(b"\r\n"))


def _universal(text: str) -> list[str]:
    """One physical line split at lone carriage returns, as text mode would."""
    if "\r" not in text:
        return [text]
    return io.StringIO(text, newline=None).readlines()


class CorpusSource:
    """A corpus file opened for one pass: `first_line` to detect the format, then `lines()`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = self._open()
        try:
            self._blank_lines, self._first = self._read_first_line()
        except BaseException:
            self._file.close()
            raise
        self.first_line = self._decode(self._first, self._blank_lines + 1).lstrip("\ufeff")

    def _open(self) -> BinaryIO:
        path = self.path
        if path.is_dir():
            raise CorpusError(path, "is a directory, not a corpus file")
        try:
            return path.open("rb")
        except FileNotFoundError:
            raise CorpusError(path, "no such file") from None
        except OSError as err:
            raise CorpusError(path, f"cannot read ({err.strerror})") from None

    def _read_first_line(self) -> tuple[int, bytes]:
        f = self._file
        try:
            if b"\x00" in f.peek(_SNIFF_BYTES)[:_SNIFF_BYTES]:
                raise CorpusError(self.path, "looks like a binary file, not a text corpus")
            blank = 0
            while line := f.readline():
                if blank == 0 and line.startswith(_BOM):
                    line = line[len(_BOM) :]
                if line.strip():
                    if b"\x00" in line:
                        raise CorpusError(self.path, "looks like a binary file, not a text corpus")
                    return blank, line
                blank += _line_breaks(line)
        except OSError as err:
            raise CorpusError(self.path, f"cannot read ({err.strerror})") from None
        raise CorpusError(self.path, "the file is empty")

    def _decode(self, raw: bytes, number: int) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise CorpusError(self.path, f"not valid UTF-8 ({err.reason})", number) from None

    def lines(self) -> Iterator[tuple[int, str]]:
        """(line number, text) of every line from the first non-blank one, then closes."""
        number = self._blank_lines
        try:
            raw, text = self._first, self.first_line
            while raw:
                if b"\x00" in raw:
                    raise CorpusError(self.path, "holds a NUL byte: a binary file?", number + 1)
                for part in _universal(text):
                    number += 1
                    yield number, part
                raw = self._file.readline()
                text = self._decode(raw, number + 1)
        except OSError as err:
            raise CorpusError(self.path, f"cannot read ({err.strerror})", number + 1) from None
        finally:
            self._file.close()

    def close(self) -> None:
        self._file.close()
