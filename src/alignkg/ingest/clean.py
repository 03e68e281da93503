"""Cleaning a record's text before it becomes a Paper: no control characters (terminal
escapes), no invisible format characters (zero-width spaces, bidi overrides), no lone
surrogates; dates and urls of the right shape; bounded lengths."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from urllib.parse import urlsplit

DEFAULT_MAX_CHARS = 100_000
"""A title or abstract longer than this is cut (`--max-chars`)."""
MAX_CHARS_LIMIT = 400_000
"""The highest `--max-chars`: title and abstract together stay under spaCy's 1,000,000."""

_DROPPED = frozenset({"Cc", "Cf", "Co", "Cs"})
# Whole terminal escape sequences (ECMA-48): CSI "ESC [ ... m", OSC "ESC ] ... BEL",
# the 8-bit CSI, and two-character escapes; dropping only the ESC would leave "[31m".
_TERMINAL_ESCAPE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]"
)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NOT_IN_URL = re.compile(r'[\s<>"{}|\\^`]')


def clean_text(text: str) -> str:
    """NFC, without terminal escape sequences, control or invisible format characters
    (newlines and tabs stay)."""
    text = unicodedata.normalize("NFC", text)
    if text.isascii() and text.isprintable():
        return text
    if "\x1b" in text or "\x9b" in text or "\x9d" in text:
        text = _TERMINAL_ESCAPE.sub("", text)
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in _DROPPED)


def clean_line(text: str | None) -> str | None:
    """One line of clean text, whitespace collapsed; None when nothing is left."""
    if text is None:
        return None
    return " ".join(clean_text(text).split()) or None


def is_iso_date(text: str) -> bool:
    if not _ISO_DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def is_web_url(text: str) -> bool:
    """An absolute http(s) URL with a host and nothing that needs escaping."""
    if _NOT_IN_URL.search(text):
        return False
    try:
        parts = urlsplit(text)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. "https://[::1/" (a bad IPv6 host)
        return False


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a space when one is near the end."""
    cut = text[:limit]
    space = cut.rfind(" ", max(0, limit - 200))
    return cut[:space] if space > 0 else cut


def shown(value: object, limit: int = 60) -> str:
    """A user's value as a warning shows it: quoted, escaped, and short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
