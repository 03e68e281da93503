"""Naming patterns: how the field spells the names of new things.

Each finder yields (start, end, type or None) character spans of a text; None means the
type is left to the context (see type_rules.py). Where the DPO acronym is recognised: the
lexicon (lexicon.json) and acronyms.py; where "f-DPO" is: `method_variants` below.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache

from alignkg.keys import has_two_capitals
from alignkg.records import EntityType

Span = tuple[int, int, EntityType | None]

_EDGE_L = r"(?<![\w\-*])"
_EDGE_R = r"(?![\w\-]*\w)"
_EDGE_CHAR = re.compile(r"[\w\-*]")  # what may not stand right before a name (_EDGE_L)


def matches_where(
    regex: re.Pattern[str], quick: re.Pattern[str], text: str, haystack: str | None = None
) -> Iterator[re.Match[str]]:
    """`regex.finditer(text)` for a regex each of whose matches starts where `quick` (a
    regex with a literal start, which `re` skips ahead to) matches `haystack` (the text,
    or its lower case where that keeps every offset): `regex` is tried only there, at
    every such place (overlapping ones too), not at every position of the text."""
    haystack = text if haystack is None else haystack
    end, hint = 0, quick.search(haystack)
    while hint is not None:
        if hint.start() >= end and (m := regex.match(text, hint.start())):
            yield m
            end = m.end()
        hint = quick.search(haystack, hint.start() + 1)


def _at_edges(regex: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """`regex.finditer` as if the regex began with _EDGE_L, for a regex that starts with
    literal letters (model family names): without a look-behind in front, `re` skips
    ahead to those letters instead of trying every position. A match the look-behind
    would refuse is tried again one character on, as the look-behind would have."""
    pos = 0
    while (m := regex.search(text, pos)) is not None:
        if m.start() and _EDGE_CHAR.match(text, m.start() - 1):
            pos = m.start() + 1
            continue
        yield m
        pos = m.end()


# Parts that may follow a model family's name: versions, sizes, and release words.
_SIZE = r"\d+(?:\.\d+)?[BbMmKk]"
_VERSION = r"(?:v?\d+(?:\.\d+)*[a-z]?)"
_RELEASE = (
    r"(?:[Cc]hat|[Ii]nstruct|[Bb]ase|[Tt]urbo|[Mm]ini|[Pp]ro|[Mm]ax|[Ll]arge|[Ss]mall|[Mm]edium"
    r"|XL|[Oo]pus|[Ss]onnet|[Hh]aiku|[Uu]ltra|[Ff]lash|[Pp]review|[Vv]ision|[Cc]oder|[Mm]ath|hf|it)"
)
# After a space only capitalised release names join the name ("Claude 3 Opus", not "base").
_SPACED_RELEASE = r"(?:Opus|Sonnet|Haiku|Ultra|Flash|Turbo|Pro|XL|Chat|Instruct)"
_MODEL_PART = rf"(?:{_SIZE}|{_VERSION}|{_RELEASE}|[A-Z][A-Za-z]*[A-Z][A-Za-z]*|[A-Z][a-z]+)"


@cache
def _model_regex(families: tuple[str, ...]) -> re.Pattern[str]:
    stems = "|".join(re.escape(f) for f in sorted(families, key=len, reverse=True))
    return re.compile(  # _EDGE_L in front: see _at_edges
        rf"(?:{stems})(?:\d+(?:\.\d+)?[a-z]?)?"
        rf"(?:-{_MODEL_PART}"
        rf"|[ ](?:{_SIZE}|v\d+(?:\.\d+)*|\d+(?:\.\d+)+|{_SPACED_RELEASE}"
        rf"|\d+(?:\.\d+)*(?![\w%]|\.\d|,\d)))*{_EDGE_R}"
    )


def model_names(text: str, families: tuple[str, ...]) -> Iterator[Span]:
    """ "LLaMA-2-Chat-70b", "Qwen2-72B", "Claude-4-Opus", "SD v1.5", "GPT-4o"; a family's
    bare name too ("Baichuan"), unless it is a short all-capitals stem ("GPT", "OPT")."""
    for m in _at_edges(_model_regex(families), text):
        name = m.group(0)
        bare = not (any(ch.isdigit() for ch in name) or "-" in name or " " in name)
        if bare and (name.isupper() and len(name) <= 4):
            continue
        yield m.start(), m.end(), EntityType.MODEL


def model_stem(name: str) -> str:
    """A model's family and version, without sizes and release words:
    "Llama-3-70B" and "Llama3-PBM-Nova-70B" -> "llama3"."""
    parts = re.split(r"[- ]", name)
    stem = parts[0]
    if len(parts) > 1 and re.fullmatch(r"\d+(?:\.\d+)*", parts[1]):
        stem += parts[1]
    return re.sub(r"[^0-9a-z]", "", stem.lower())


def name_parts(name: str) -> set[str]:
    return {p.lower() for p in re.split(r"[- ]", name) if p}


RELEASE_WORDS = frozenset(
    {
        "chat",
        "instruct",
        "base",
        "turbo",
        "mini",
        "pro",
        "max",
        "large",
        "small",
        "medium",
        "xl",
        "opus",
        "sonnet",
        "haiku",
        "ultra",
        "flash",
        "preview",
        "vision",
        "coder",
        "math",
        "hf",
        "it",
    }
)


_SIZED = re.compile(rf"{_EDGE_L}[A-Z][\w.]*(?:-[\w.]+)*-{_SIZE}(?:-[\w.]+)*{_EDGE_R}")
_SIZED_HINT = re.compile(rf"-{_SIZE}")  # in every match of _SIZED; a quick search


def sized_models(text: str) -> Iterator[Span]:
    """Any hyphenated name with a parameter count: "Foo-Chat-13B", "UltraLM-13B-PPO"."""
    if not _SIZED_HINT.search(text):
        return  # the regex tries every position; most texts have no "-7B" at all
    for m in _SIZED.finditer(text):
        yield m.start(), m.end(), EntityType.MODEL


_BENCH = re.compile(
    rf"{_EDGE_L}(?:[A-Za-z][\w.]*-?(?:Bench|BENCH)|[A-Z][\w]*(?:QA|Eval))(?:-[\w.]+)?{_EDGE_R}"
)


_BENCH_WORDS = ("Bench", "BENCH", "QA", "Eval")  # one is in every match of _BENCH


def benchmark_names(text: str) -> Iterator[Span]:
    """ "MMHAL-BENCH", "LLaVA-Bench", "HumanAgencyBench", "TruthfulQA", "AlpacaEval"."""
    if not any(word in text for word in _BENCH_WORDS):
        return  # the regex tries every position; most texts name no benchmark this way
    for m in _BENCH.finditer(text):
        yield m.start(), m.end(), EntityType.DATASET


_VARIANT_SUFFIX_STOP = frozenset(
    {
        "based",
        "style",
        "like",
        "trained",
        "aligned",
        "tuned",
        "free",
        "only",
        "type",
        "related",
        "specific",
        "driven",
        "generated",
        "guided",
        "level",
        "wise",
        "aware",
        "optimized",
        "loss",
        "objective",
        "objectives",
        "data",
        "training",
        "pipeline",
        "pipelines",
    }
)
_VARIANT_PREFIX_STOP = frozenset({"non", "pre", "post", "anti", "multi", "vs", "via"})


_GREEK = r"[α-ωΑ-Ω\U0001D6A8-\U0001D7C9]"  # a one-letter prefix: "βDPO"
_PREFIX = rf"(?P<pre>[A-Za-z0-9]{{1,5}}|{_GREEK})(?P<dash>-?)"
_SUFFIX = rf"(?:-(?P<post>[A-Za-z0-9]+))?{_EDGE_R}"


@cache
def _variant_regex(parent: str) -> re.Pattern[str]:
    """A variant of one parent, for the rare window that holds the parent twice."""
    return re.compile(rf"{_EDGE_L}(?:{_PREFIX})?{re.escape(parent)}{_SUFFIX}")


# _variant_regex in two halves around an occurrence of its parent, for any parent: no
# regex to compile per parent (that cost 0.24 ms for each new acronym).
_PREFIX_BEFORE = re.compile(rf"{_EDGE_L}{_PREFIX}\Z")  # searched up to the parent
_SUFFIX_AFTER = re.compile(_SUFFIX)  # matched right after it
_AT_EDGE = re.compile(_EDGE_L)


_WORD_REST = re.compile(r"[\w\-]*")


_CHUNK = re.compile(r"[\w*+]+")
SHORT_TEXT = 20_000  # characters; above, one pass over the words instead of a search per name


def occurrences(text: str, names: Iterable[str]) -> dict[str, list[int]]:
    """Where each name stands in the text as a word, a hyphenated part of one, or the end
    of a part after a prefix of up to 5 characters ("rDPO"): one pass over the words,
    however many names (names with a hyphen are looked for one by one)."""
    wanted = set(names)
    found: dict[str, list[int]] = {}
    if len(text) < SHORT_TEXT:  # an abstract: the C search per name is faster
        for name in wanted:
            at = text.find(name)
            while at >= 0:
                found.setdefault(name, []).append(at)
                at = text.find(name, at + 1)
        return found
    for m in _CHUNK.finditer(text):
        word, at = m.group(), m.start()
        for k in range(min(6, len(word))):
            if word[k:] in wanted:
                found.setdefault(word[k:], []).append(at + k)
    for name in (n for n in wanted if "-" in n or not _CHUNK.fullmatch(n)):
        at = text.find(name)
        while at >= 0:
            found.setdefault(name, []).append(at)
            at = text.find(name, at + 1)
    return {name: sorted(set(where)) for name, where in found.items()}


def method_variants(
    text: str, parents: Iterable[str], where: dict[str, list[int]] | None = None
) -> Iterator[tuple[int, int, str]]:
    """Named variants of a known method: "f-DPO", "LN-DPO", "rDPO", "TDPO", "PPO-max".

    Yields (start, end, parent name). Each occurrence of a parent (`where`, from
    `occurrences`) is read in a window around it, so the time is linear in the text,
    whatever the number of parents."""
    if where is None:
        where = occurrences(text, parents)
    for parent in sorted(where):
        end = 0
        for at in where[parent]:
            if at >= end:
                word_end = _WORD_REST.match(text, at + len(parent)).end()
                found = _variant_at(text, parent, at, max(end, at - 6), word_end)
                if found is not None:
                    start, end, variant = found
                    if variant:
                        yield start, end, parent


def _variant_at(text: str, parent: str, at: int, lo: int, hi: int) -> tuple[int, int, bool] | None:
    """Where `_variant_regex(parent).search(text, lo, hi)` matches over the parent's
    occurrence at `at` (start, end, whether it names a variant), or None."""
    if text.find(parent, lo, hi) != at or text.find(parent, at + 1, hi) >= 0:
        m = _variant_regex(parent).search(text, lo, hi)
        if m is None or not m.start() <= at < m.end():
            return None
        return m.start(), m.end(), _variant(m.group("pre"), m.group("dash"), m.group("post"))
    # The parent once in the window: the leftmost prefix that ends at it, else none.
    suffix = _SUFFIX_AFTER.match(text, at + len(parent), hi)
    if suffix is None:
        return None
    post = suffix.group("post")
    if prefix := _PREFIX_BEFORE.search(text, lo, at):
        return prefix.start(), suffix.end(), _variant(prefix["pre"], prefix["dash"], post)
    if _AT_EDGE.match(text, at):
        return at, suffix.end(), _variant(None, None, post)
    return None


def _variant(pre: str | None, dash: str | None, post: str | None) -> bool:
    if not pre and not post:
        return False
    if pre and (pre.lower() in _VARIANT_PREFIX_STOP or (pre.islower() and len(pre) > 1)):
        return False
    if pre and not dash and not (pre.isupper() or len(pre) == 1):
        return False
    return not (post and post.lower() in _VARIANT_SUFFIX_STOP)


# One pass for the four shapes: each match is a whole word (_EDGE_L to _EDGE_R), and no
# word has two of them (they differ in the first two characters or in a hyphen), so one
# alternation finds what four passes over the text would. The possessive `*+` and `{1,3}+`
# give nothing back where giving back could not help (what follows them is a character
# they do not take): a plain lower-case word fails at once instead of letter by letter.
_COINED = re.compile(
    rf"{_EDGE_L}(?:[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+[A-Z0-9]*"  # CamelCase
    r"|[a-z]{1,3}+[A-Z][A-Za-z0-9]+"  # rDPO, iGPT
    r"|[A-Z][A-Z0-9]{2,}s?"  # capitals
    rf"|(?P<hyphenated>[A-Za-z][A-Za-z0-9]*+(?:-[A-Za-z0-9]+)+)){_EDGE_R}"
)


def _has_acronym_part(word: str) -> bool:
    return any(has_two_capitals(part) for part in word.split("-"))


def coined_names(text: str) -> Iterator[Span]:
    """Names that look made up for a paper: CamelCase ("CycleAlign"), capitals ("MNPO",
    "SALMON"), hyphenated with an acronym part ("Alt-MoE", "SELF-ALIGN", "PG-Follow")."""
    for m in _COINED.finditer(text):
        if m.group("hyphenated") is None or _has_acronym_part(m.group(0)):
            yield m.start(), m.end(), None


_DESCRIBED = re.compile(
    r"\b(?:the|a|an|our)\s+(?P<name>(?:[A-Z][\w-]*\s){1,4})"
    r"(?P<noun>technique|method|algorithm|framework|approach|strategy|model|benchmark|dataset"
    r"|metric|task|paradigm)\b"
)
_DESCRIBED_START = re.compile(r"(?:the|an?|our)\s+[A-Z]")  # where a match of _DESCRIBED starts
_DESCRIBED_TYPES = {
    "benchmark": EntityType.DATASET,
    "dataset": EntityType.DATASET,
    "metric": EntityType.METRIC,
    "task": EntityType.TASK,
    "model": EntityType.MODEL,
}


def described_names(text: str) -> Iterator[Span]:
    """A capitalised name before what it is: "the Dromedary model", "the SPIN method";
    Title-Case words ("the Partial Occlusion technique") describe, they do not name."""
    for m in matches_where(_DESCRIBED, _DESCRIBED_START, text):
        name = m.group("name").rstrip()
        words = name.split()
        if len(words) > 1 and not any(re.search(r"\w[A-Z]|\d|^[A-Z]{2}", w) for w in words):
            continue
        yield (
            m.start("name"),
            m.start("name") + len(name),
            _DESCRIBED_TYPES.get(m.group("noun"), EntityType.METHOD),
        )


_URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|io|ai|net)/\S*")
_URL_HINT = re.compile(r"https?://|www\.|\.(?:com|org|io|ai|net)/")  # in every match of _URL


def url_spans(text: str) -> list[tuple[int, int]]:
    """Addresses in the text: names inside them ("github.com/X/Y") are not entities."""
    if not _URL_HINT.search(text):
        return []  # a quick search first: most abstracts give no address
    return [(m.start(), m.end()) for m in _URL.finditer(text)]


_QUOTED = re.compile(r"[\"“'‘]([A-Z][\w-]*(?:[ -][\w-]+){0,4})[\"”'’]")


def quoted_names(text: str) -> Iterator[Span]:
    """A capitalised name in quotes: 'a framework of "Bidirectional Human-AI Alignment"'."""
    for m in _QUOTED.finditer(text):
        words = m.group(1).split()
        if sum(w[0].isupper() for w in words) >= max(1, len(words) - 1):
            yield m.start(1), m.end(1), None
