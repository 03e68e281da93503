"""Stable paper ids: the arXiv id where known, else a slug of the normalised title."""

from __future__ import annotations

import re
import unicodedata

from alignkg.keys import slug

# New-style (2305.18290, optional version) and old-style (cs/0112017) arXiv ids.
_ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")


def normalise_title(title: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", title).split())


def arxiv_id(text: str | None) -> str | None:
    """The arXiv id in an id or URL ("2305.18290v2", "https://arxiv.org/abs/2305.18290")."""
    if not text:
        return None
    m = _ARXIV_ID.search(text)
    return m.group(1) if m else None


def paper_id_for(title: str, known_id: str | None = None) -> str:
    return arxiv_id(known_id) or slug(normalise_title(title))
