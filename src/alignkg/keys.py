"""Names as keys: the bottom layer that ingest, extract, canonicalize, the stores and the
CLI all share. Nothing here imports from the rest of the package."""

from __future__ import annotations

import re
import unicodedata

_NOT_ALNUM = re.compile(r"(?:[^\w*]|_)+")  # letters of any script stay: "β-DPO" is not "DPO"


def has_two_capitals(word: str) -> bool:
    """Whether `word` has two capital letters or more, as acronyms do ("DPO", "LoRA",
    "f-DPO"): the test for acronym-like spellings wherever names are read."""
    return sum(map(str.isupper, word)) >= 2


def written_as_name(text: str) -> bool:
    """Capitals beyond a sentence-initial one, or digits: "ResNet", "CIFAR-10", "text8"."""
    return any(c.isdigit() for c in text) or any(c.isupper() for c in text[1:])


def match_key(name: str) -> str:
    """Case-folded, with hyphens, spaces and punctuation removed (GUIDELINES.md).

    `*` is kept: "*PO" names a family of methods and is not "PO"; so are letters of any
    script (NFKC first: U+1D6FD "𝛽" is "β"): "β-DPO" is not "DPO".
    """
    folded = unicodedata.normalize("NFKC", name).casefold()
    return _NOT_ALNUM.sub("", folded)


# Greek letters as the field also spells them: "β-DPO" / "beta-DPO" (after NFKC, which maps
# the mathematical alphanumerics, U+1D6FC "𝛼" and kin, to plain Greek).
GREEK_NAMES = {
    ord(c): unicodedata.name(c).rsplit(" ", 1)[-1].lower()
    for c in "αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ"
}


def slug(text: str, max_length: int | None = 80) -> str:
    """A readable, URL- and IRI-safe id fragment (cut at `max_length` unless None);
    Greek letters spelled out ("β-DPO" -> "beta-dpo")."""
    spelled = unicodedata.normalize("NFKC", text).translate(GREEK_NAMES)
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    words = re.sub(r"[^0-9a-z]+", "-", ascii_text.lower()).strip("-")
    if max_length is not None:
        words = words[:max_length].rstrip("-")
    return words or "x"
