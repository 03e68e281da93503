"""The type of a name the lexicon does not know, from its spelled-out form or its context.

The cue words are data: data/type_cues.json. No evidence, no type: callers drop a name
these rules cannot type unless a naming pattern or a proposal cue typed it already.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from importlib.resources import files

from spacy.lang.en.stop_words import STOP_WORDS

from alignkg.records import EntityType

# Earlier items of a coordinated list before a mention: "ParCo, MoMask, and " before BAMM.
_ITEM = r"(?<![\w-])[A-Z0-9][\w.+*-]*(?:\s[A-Z0-9][\w.+*-]*)?"
_LIST_TAIL = re.compile(rf"(?:{_ITEM},\s*(?:and\s+|or\s+)?|{_ITEM}\s+(?:and|or)\s+)+$")
_LIST_ENDS = (",", "and", "or")  # how a _LIST_TAIL match ends: a quick check before it
_VERSION = re.compile(r"(?i:v?\d+(?:\.\d+)*[a-z]?|\(?\d{4}\)?)")
_QUOTES = "\"“'"
_PREPOSITIONS = frozenset({"with", "for", "of", "via", "from", "to", "in", "on", "by", "using"})


@cache
def _cues() -> dict:
    return json.loads((files("alignkg") / "data" / "type_cues.json").read_text(encoding="utf-8"))


@cache
def _head_words() -> dict[EntityType, frozenset[str]]:
    return {EntityType(t): frozenset(words) for t, words in _cues()["head_words"].items()}


@cache
def _generic_words() -> frozenset[str]:
    return frozenset(_cues()["generic_words"])


def _alternation(phrases: list[str], comma: str = "") -> str:
    """Longest first; `comma` may stand between words ("model, dubbed" as "model dubbed")."""
    return "|".join(
        re.escape(p).replace(r"\ ", comma + r"\s+") for p in sorted(phrases, key=len, reverse=True)
    )


@cache
def _context_regexes() -> tuple[
    tuple[tuple[EntityType, re.Pattern[str], tuple[str, ...]], ...],
    tuple[tuple[EntityType, re.Pattern[str], tuple[str, ...]], ...],
    re.Pattern[str],
    re.Pattern[str],
]:
    cues = _cues()
    # The word right after the name ("GLUE benchmark", "BLEU score"), not "-based" etc.
    after = tuple(
        (
            EntityType(t),
            re.compile(rf"^[-\s]?(?:{_alternation(words)})\b", re.I),
            tuple(sorted({w.split()[0].lower() for w in words})),  # a quick check first
        )
        for t, words in cues["after"].items()
    )
    # The words right before it ("the task of X", "datasets such as X, Y and"), with the
    # last words of those cues: a text that ends in none of them needs no search.
    before = tuple(
        (
            EntityType(t),
            re.compile(rf"\b(?:{_alternation(words, ',?')})\s*[{_QUOTES}]?$", re.I),
            tuple(sorted({w.split()[-1].lower() for w in words})),
        )
        for t, words in cues["before"].items()
    )
    nouns = _alternation(list(cues["appositive"]))
    appositive = re.compile(
        rf"^[,:]\s+(?:a|an|the|our)\s+(?:[\w-]+,?\s+){{0,6}}?(?P<noun>{nouns})s?\b", re.I
    )
    return after, before, appositive, re.compile(cues["model_size_after"])


def head_word(phrase: str) -> str:
    """The head of a name: the last word before a preposition ("Self-Alignment with ...")."""
    words = re.split(r"\s+", phrase.strip())
    for i, word in enumerate(words):
        if i > 0 and word.lower() in _PREPOSITIONS:
            words = words[:i]
            break
    while len(words) > 1 and _VERSION.fullmatch(words[-1]):
        words = words[:-1]  # "Voice Conversion Challenge 2020", "... Benchmark v2"
    last = words[-1].lower() if words else ""
    return last.split("-")[-1].strip(".,;:")


def type_from_phrase(phrase: str) -> EntityType | None:
    """The type a descriptive phrase gives: "... Network" -> Model, "... Benchmark" ->
    Dataset, "... Rate" -> Metric, "... Optimization" -> Method; None when it says nothing."""
    head = head_word(phrase)
    for type_, words in _head_words().items():
        if head in words or head.rstrip("s") in words:
            if type_ is EntityType.MODEL and phrase.islower():
                return EntityType.METHOD  # "process reward model": a technique, not a system
            return type_
    return None


def is_generic_phrase(phrase: str) -> bool:
    """ "large language models", "Vision-Language Models": names of no particular thing."""
    generic = _generic_words()
    words = phrase.lower().split()  # str.split's whitespace is the regexes' \s
    return bool(words) and all(w in generic or w.rstrip("s") in generic for w in words)


def type_from_context(before: str, after: str) -> EntityType | None:
    """Type cues right around a mention: an apposition ("X, the first open-source ...
    model"), a kind and a naming verb (explicit_type: "an approach, dubbed X"), a size or version
    ("X-7B", "X v2"), the word after ("X benchmark", "X score", "X algorithm"), the
    words before ("the task of X", "datasets such as X")."""
    after_cues, before_cues, appositive, model_size = _context_regexes()
    head = after[:120]
    if m := appositive.match(head):
        return _kind(m["noun"])
    if type_ := explicit_type(before):
        return type_
    if model_size.match(head):
        return EntityType.MODEL
    first = _first_words(head)
    for type_, cue, cue_starts in after_cues:
        if (first is None or first.startswith(cue_starts)) and cue.match(head):
            return type_
    tail = _before_list(before)[-40:]
    last = _last_words(tail)
    for type_, cue, cue_ends in before_cues:
        # The regexes try every position: first a check of the text's end (str.endswith).
        if (last is None or last.endswith(cue_ends)) and cue.search(tail):
            return type_
    return None


@cache
def _named_as() -> tuple[re.Pattern[str], tuple[str, ...], dict[str, str]]:
    """The regex of a kind noun and a naming verb, the verbs' last words, the nouns' types."""
    cues = _cues()
    kinds = {**cues["appositive"], **cues["naming_nouns"]}
    nouns, verbs = _alternation(list(kinds)), _alternation(cues["naming_verbs"])
    regex = re.compile(rf"\b(?P<noun>{nouns})s?,?\s+(?:{verbs})\s*[{_QUOTES}]?$", re.I)
    return regex, tuple(sorted({v.split()[-1] for v in cues["naming_verbs"]})), kinds


def explicit_type(before: str) -> EntityType | None:
    """What the text says a name is in so many words: a kind noun and a naming verb
    before it ("an approach, dubbed X", "an agent called X", "two datasets named A and
    X"). Evidence above a name's shape ("-QA") and a homonym's type."""
    regex, verb_ends, kinds = _named_as()
    tail = before[-40:]
    last = _last_words(tail)
    if last is not None and not last.endswith(verb_ends):  # most mentions: a quick no
        if not last.endswith(_LIST_ENDS):
            return None
        tail = _before_list(before)[-40:]
        last = _last_words(tail)
    m = regex.search(tail) if last is None or last.endswith(verb_ends) else None
    return EntityType(kinds[_noun_key(m["noun"])]) if m else None


def _kind(noun: str) -> EntityType:
    """The type an apposition's kind noun ("a benchmark", "an approach") says."""
    return EntityType(_cues()["appositive"][_noun_key(noun)])


def _noun_key(noun: str) -> str:
    """A matched kind noun as the cue tables spell it: "Large  Model" -> "large model"."""
    return re.sub(r"\s+", " ", noun.lower())


@cache
def list_types_first() -> frozenset[EntityType]:
    return frozenset(EntityType(t) for t in _cues()["list_types_first"])


def _before_list(before: str) -> str:
    """The text before a mention, through a list it ends ("such as A, B and " X)."""
    window = before[-160:]
    if window.rstrip().endswith(_LIST_ENDS):
        window = _LIST_TAIL.sub("", window)
    return window


_LIST_ITEM = re.compile(rf"({_ITEM})(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)")


def list_mates(before: str) -> list[str]:
    """The names listed right before a mention: "ImageNet" of "such as ImageNet and X"."""
    window = before[-160:]
    if not window.rstrip().endswith(_LIST_ENDS):
        return []
    m = _LIST_TAIL.search(window)
    return _LIST_ITEM.findall(m.group()) if m else []


def _first_words(head: str) -> str | None:
    """`head` lower-cased from where an after-cue would start (after one "-" or space),
    or None where lower-casing is not the regexes' case folding (non-ASCII text)."""
    start = head[1:21] if head[:1] == "-" or head[:1].isspace() else head[:20]
    return start.lower() if start.isascii() else None


def _last_words(tail: str) -> str | None:
    """`tail` lower-cased without the spaces and the quote a before-cue may end with
    (where a cue's last word stands), or None where lower-casing is not the regexes'
    case folding (non-ASCII text: "ſ" matches "s")."""
    end = tail.rstrip()
    if end.endswith(tuple(_QUOTES)):
        end = end[:-1].rstrip()
    return end.lower() if end.isascii() else None


@cache
def _task_phrase_parts() -> tuple[frozenset[str], frozenset[str]]:
    spec = _cues()["task_phrases"]
    return frozenset(spec["heads"]), frozenset(spec["not_modifiers"]) | STOP_WORDS


# Lower-case words that could be a head (every head is this long): a set lookup each, which
# is faster than an alternation of the heads tried at every character.
_LONG_WORD = re.compile(r"(?<![\w-])[a-z]{6,}(?![\w-])")


_MODIFIER_BEFORE = re.compile(r"(?<![\w-])([a-z][a-z-]*[a-z]|[23][dD])\s+$")


def task_phrases(text: str, task_words: frozenset[str] = frozenset()) -> Iterator[tuple[int, int]]:
    """Lower-case noun compounds that name a task ("sentiment classification", "3D human
    pose estimation"): a plain modifier before a task word (data/type_cues.json,
    task_phrases), and up to two more before it that known task names use as modifiers
    (`task_words`: "human", "3d"). Another word there ("contemporary program synthesis",
    "sleep stage classification") could be an adjective or the start of a longer compound:
    no phrase then. Each head is read with a bounded look back: linear in the text."""
    heads, not_modifiers = _task_phrase_parts()
    for m in _LONG_WORD.finditer(text):
        if m.group() not in heads:
            continue
        start, cut = m.start(), False
        for i in range(3):
            word = _MODIFIER_BEFORE.search(text, max(0, start - 40), start)
            if word is None:
                break
            w = word.group(1).lower()
            plural = w.endswith("s") and not w.endswith("ss")
            if (
                w in not_modifiers
                or plural
                or w.endswith(("ly", "ed", "ing", "able", "ible"))
                or w in heads
            ):
                break
            if i > 0 and w not in task_words:
                cut = True  # an adjective or a compound's first noun ("sleep stage ..."):
                break  # the phrase would be cut short or run long, so none
            start = word.start()
        if start < m.start() and not cut:
            yield start, m.end()
