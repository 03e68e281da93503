"""Names as keys: the bottom layer that ingest, extract, canonicalize, the stores and the
CLI all share. Nothing here imports from the rest of the package."""

from __future__ import annotations

import re
import unicodedata

_NOT_ALNUM = re.compile(r"[^0-9a-z*]+")


def match_key(name: str) -> str:
    """Case-folded, with hyphens, spaces and punctuation removed (GUIDELINES.md).

    `*` is kept: "*PO" names a family of methods and is not "PO".
    """
    folded = unicodedata.normalize("NFKC", name).casefold()
    return _NOT_ALNUM.sub("", folded)


def slug(text: str, max_length: int | None = 80) -> str:
    """A readable, URL- and IRI-safe id fragment (cut at `max_length` unless None)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^0-9a-z]+", "-", ascii_text.lower()).strip("-")
    if max_length is not None:
        words = words[:max_length].rstrip("-")
    return words or "x"
