"""Paper identity: two records are one paper exactly when their ids are equal.

A paper's id is, in this order:

1. its arXiv id, when the record's id, url or DOI is one (matched whole, never inside
   another number; the version is dropped): "2305.18290", "hep-th/9901001";
2. else the record's own id as given, under "id:" ("id:doi:10.1/abc", "id:S2:123");
3. else a slug of the whole normalised title and a short hash of title and abstract
   ("direct-preference-optimization-3f2a9c01b7"), the hash alone for a title with no
   Latin letters.

The three kinds cannot collide: arXiv ids hold a dot or a slash and no colon, own ids
start with "id:", slugs are lowercase letters, digits and hyphens. Ids may hold any
character; the RDF export percent-encodes them into IRIs (reversibly).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from alignkg.keys import slug

OWN_ID_PREFIX = "id:"
_HASH_LENGTH = 10

_MONTH = r"(?:0[1-9]|1[0-2])"
# New style (0704.0001, 2305.18290) and old style (hep-th/9901001, math.GT/0309136).
_ID = rf"(?P<id>\d\d{_MONTH}\.\d{{4,5}}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{{2}})?/\d\d{_MONTH}\d{{3}})"
_VERSION = r"(?:v\d+)?"
_FORMS = [
    re.compile(rf"(?i:arxiv:)?{_ID}{_VERSION}"),
    re.compile(
        rf"(?i:https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/){_ID}{_VERSION}"
        r"(?i:\.pdf)?/?(?:[?#].*)?"
    ),
    re.compile(rf"(?i:(?:doi:|https?://(?:dx\.)?doi\.org/)?10\.48550/arxiv\.){_ID}{_VERSION}/?"),
]


def normalise_title(title: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", title).split())


def arxiv_id(text: str | None) -> str | None:
    """The arXiv id that `text` is ("2305.18290v2", "arXiv:2305.18290",
    "https://arxiv.org/abs/2305.18290", "10.48550/arXiv.2305.18290"), without version;
    None for anything else, such as the DOI 10.1145/3442188.3445922."""
    if not text:
        return None
    text = text.strip()
    for form in _FORMS:
        if m := form.fullmatch(text):
            return m.group("id")
    return None


def _digest(title: str, abstract: str) -> str:
    text = f"{title}\x1f{' '.join(abstract.split())}"
    return hashlib.sha256(text.encode()).hexdigest()[:_HASH_LENGTH]


def paper_id_for(
    title: str, abstract: str, own_id: str | None = None, links: tuple[str | None, ...] = ()
) -> str:
    """The id of a paper (see the module's docstring). `own_id` and `links` (url, DOI)
    are the record's, already cleaned of control characters."""
    for candidate in (own_id, *links):
        if found := arxiv_id(candidate):
            return found
    if own_id:
        return OWN_ID_PREFIX + own_id
    title = normalise_title(title)
    digest = _digest(title, unicodedata.normalize("NFKC", abstract))
    words = slug(title, max_length=None)
    has_latin = any(c.isascii() and c.isalnum() for c in unicodedata.normalize("NFKD", title))
    return f"{words}-{digest}" if has_latin else digest
