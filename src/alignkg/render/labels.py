"""Short, readable names for papers, shared by the text output and the pages.

A paper's title can run to 200 characters; where a list or a canvas names it, it shows
as its first words (or the part before a colon, when that is short) and its year:
"Beyond Reverse KL (2023)". The full title stays in tooltips and in --json.
"""

from __future__ import annotations

import re

TITLE_WORDS = 6  # words kept of a title without a short part before its colon
MAX_HEAD = 40  # a part before a colon longer than this is not a short title

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with control characters (terminal escapes included) shown as U+FFFD."""
    return _CONTROL.sub("\ufffd", text)


def year_of(date: str | None) -> str | None:
    if date and re.match(r"\d{4}(?:-|$)", date):
        return date[:4]
    return None


def short_title(title: str, date: str | None = None, words: int = TITLE_WORDS) -> str:
    """ "Beyond Reverse KL: Generalizing ..." (2023-09-26) -> "Beyond Reverse KL (2023)"."""
    text = " ".join(printable(title).split())
    head, colon, _ = text.partition(":")
    if colon and 0 < len(head) <= MAX_HEAD:
        short = head.rstrip()
    else:
        parts = text.split(" ")
        short = " ".join(parts[:words]) + ("…" if len(parts) > words else "")
    year = year_of(date)
    return f"{short} ({year})" if year else short
