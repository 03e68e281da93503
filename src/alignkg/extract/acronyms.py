"""Acronym definitions: "Direct Preference Optimization (DPO)" and "SALMON (Self-ALignMent
with principle-fOllowiNg reward models)".

The long form is found with the Schwartz & Hearst (2003) algorithm: the shortest run of
words before the parenthesis whose letters spell the short form in order, its first
letter at the start of a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A short form: one word-like token with at least one capital letter ("DPO", "rDPO",
# "f-DPO", "LLaMA", "*PO"), or a few characters.
_PAREN = re.compile(r"\(([^()]{1,80})\)")
_SHORT = re.compile(r"^[*A-Za-z][\w*.+-]{0,14}$")
_WORD = re.compile(r"[\w*][\w*'’.+-]*")
_CLAUSE_BREAK = re.compile(r"[,;:.!?\"“”()\[\]{}\n]")
_PARTS = re.compile(r"[-/]")  # of a hyphenated word, for its initials
_SHORT_BEFORE = re.compile(r"([*A-Za-z][\w*.+-]{1,14})$")
_FUNCTION_WORDS = frozenset(
    {"of", "from", "with", "for", "the", "and", "to", "in", "on", "a", "via"}
)


@dataclass(frozen=True, slots=True)
class AcronymDefinition:
    short: str
    long: str
    short_start: int
    long_start: int
    long_end: int

    @property
    def short_end(self) -> int:
        return self.short_start + len(self.short)


def _looks_like_short_form(text: str) -> bool:
    return bool(_SHORT.match(text)) and any(map(str.isupper, text)) and len(text) >= 2


def _initials(word: str) -> list[str]:
    """What a word contributes to an acronym: its capitals when it is an acronym itself
    ("DPO" in "Multi-Action-Head DPO"), else its first letter, per hyphenated part."""
    letters = []
    for part in _PARTS.split(word):
        if not part:
            continue
        capitals = [c.lower() for c in part if c.isupper() or c.isdigit()]
        letters.extend(capitals if len(capitals) >= 2 else [part[0].lower()])
    return letters


def initials_long_form(short: str, candidate: str) -> str | None:
    """The shortest suffix of `candidate` whose word initials spell the short form
    (function words may or may not count): "Proximal Policy Optimization" for PPO."""
    letters = [c.lower() for c in short if c.isalnum()]
    if short.endswith("s") and len(letters) > 2 and short[:-1].isupper():
        letters = letters[:-1]  # plural: "LLMs"
    words = candidate.split()
    for k in range(1, len(words) + 1):
        tail = words[-k:]
        if tail[0].lower() in _FUNCTION_WORDS:
            continue
        if _spells(letters, tail):
            return " ".join(tail)
    return None


def _spells(letters: list[str], words: list[str]) -> bool:
    if not words:
        return not letters
    word, rest = words[0], words[1:]
    initials = _initials(word)
    if letters[: len(initials)] == initials and _spells(letters[len(initials) :], rest):
        return True
    return word.lower() in _FUNCTION_WORDS and _spells(letters, rest)


def schwartz_hearst_long_form(short: str, candidate: str) -> str | None:
    """The shortest suffix of `candidate` (whole words) that the short form abbreviates."""
    letters = [c.lower() for c in short if c.isalnum()]
    if not letters:
        return None
    s, i = len(letters) - 1, len(candidate) - 1
    while s >= 0:
        c = letters[s]
        while i >= 0 and (
            candidate[i].lower() != c or (s == 0 and i > 0 and candidate[i - 1].isalnum())
        ):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    start = candidate.rfind(" ", 0, i + 1) + 1
    long_form = candidate[start:].strip()
    if len(long_form) <= len(short) or " " not in long_form and "-" not in long_form:
        return None
    return long_form


def _window_before(text: str, end: int, max_words: int) -> tuple[int, str]:
    """Up to `max_words` words before `end`, not crossing a clause break."""
    lo = end
    preceding = reversed(list(_WORD.finditer(text, max(0, end - 200), end)))
    for count, m in enumerate(preceding):
        if _CLAUSE_BREAK.search(text[m.end() : lo]) or count >= max_words:
            break
        lo = m.start()
    return lo, text[lo:end]


def find_definitions(text: str) -> list[AcronymDefinition]:
    found = []
    for paren in _PAREN.finditer(text):
        inside = paren.group(1).strip()
        before_end = paren.start()
        while before_end > 0 and text[before_end - 1] == " ":
            before_end -= 1
        if _looks_like_short_form(inside):
            n = sum(c.isalnum() for c in inside)
            lo, window = _window_before(text, before_end, min(n + 5, n * 2))
            long_form = initials_long_form(inside, window) or schwartz_hearst_long_form(
                inside, window
            )
            if long_form:
                start = before_end - len(long_form)
                found.append(
                    AcronymDefinition(inside, long_form, paren.start(1), start, before_end)
                )
            continue
        # Reverse order: a short form followed by its long form in parentheses.
        # At most 15 characters end at the parenthesis: read no further back (linear).
        prev = _SHORT_BEFORE.search(text, max(0, before_end - 15), before_end)
        if prev and _looks_like_short_form(prev.group(1)) and " " in inside:
            long_form = schwartz_hearst_long_form(prev.group(1), inside)
            if long_form and long_form == inside and inside[0].lower() == prev.group(1)[0].lower():
                start = paren.start(1)
                found.append(
                    AcronymDefinition(prev.group(1), inside, prev.start(1), start, paren.end(1))
                )
    return found
