"""Naming patterns: how the field spells the names of new things.

Each finder yields (start, end, type or None) character spans of a text; None means the
type is left to the context (see type_rules.py). Where the DPO acronym is recognised: the
lexicon (lexicon.json) and acronyms.py; where "f-DPO" is: `method_variants` below.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache

from alignkg.records import EntityType

Span = tuple[int, int, EntityType | None]

_EDGE_L = r"(?<![\w\-*])"
_EDGE_R = r"(?![\w\-]*\w)"

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
    return re.compile(
        rf"{_EDGE_L}(?:{stems})(?:\d+(?:\.\d+)?[a-z]?)?"
        rf"(?:-{_MODEL_PART}"
        rf"|[ ](?:{_SIZE}|v\d+(?:\.\d+)*|\d+(?:\.\d+)+|{_SPACED_RELEASE}"
        rf"|\d+(?:\.\d+)*(?![\w%]|\.\d|,\d)))*{_EDGE_R}"
    )


def model_names(text: str, families: tuple[str, ...]) -> Iterator[Span]:
    """ "LLaMA-2-Chat-70b", "Qwen2-72B", "Claude-4-Opus", "SD v1.5", "GPT-4o"; a family's
    bare name too ("Baichuan"), unless it is a short all-capitals stem ("GPT", "OPT")."""
    for m in _model_regex(families).finditer(text):
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


def sized_models(text: str) -> Iterator[Span]:
    """Any hyphenated name with a parameter count: "Foo-Chat-13B", "UltraLM-13B-PPO"."""
    for m in _SIZED.finditer(text):
        yield m.start(), m.end(), EntityType.MODEL


_BENCH = re.compile(
    rf"{_EDGE_L}(?:[A-Za-z][\w.]*-?(?:Bench|BENCH)|[A-Z][\w]*(?:QA|Eval))(?:-[\w.]+)?{_EDGE_R}"
)


def benchmark_names(text: str) -> Iterator[Span]:
    """ "MMHAL-BENCH", "LLaVA-Bench", "HumanAgencyBench", "TruthfulQA", "AlpacaEval"."""
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


@cache
def _variant_regex(parent: str) -> re.Pattern[str]:
    return re.compile(
        rf"{_EDGE_L}(?:(?P<pre>[A-Za-z0-9]{{1,5}}|[α-ωΑ-Ω\U0001D6A8-\U0001D7C9])(?P<dash>-?))?{re.escape(parent)}"
        rf"(?:-(?P<post>[A-Za-z0-9]+))?{_EDGE_R}"
    )


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


def method_variants(text: str, parents: Iterable[str]) -> Iterator[tuple[int, int, str]]:
    """Named variants of a known method: "f-DPO", "LN-DPO", "rDPO", "TDPO", "PPO-max".

    Yields (start, end, parent name). Each occurrence of a parent is read in a window
    around it, so the time is linear in the text, whatever the number of parents."""
    where = occurrences(text, parents)
    for parent in sorted(where):
        end = 0
        regex = _variant_regex(parent)
        for at in where[parent]:
            if at >= end:
                word_end = _WORD_REST.match(text, at + len(parent)).end()
                m = regex.search(text, max(end, at - 6), word_end)
                if m and m.start() <= at < m.end():
                    end = m.end()
                    variant = _variant(m)
                    if variant:
                        yield m.start(), m.end(), parent


def _variant(m: re.Match[str]) -> bool:
    pre, post = m.group("pre"), m.group("post")
    if not pre and not post:
        return False
    if pre and (pre.lower() in _VARIANT_PREFIX_STOP or (pre.islower() and len(pre) > 1)):
        return False
    if pre and not m.group("dash") and not (pre.isupper() or len(pre) == 1):
        return False
    return not (post and post.lower() in _VARIANT_SUFFIX_STOP)


_CAMEL = re.compile(rf"{_EDGE_L}[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+[A-Z0-9]*{_EDGE_R}")
_MIXED = re.compile(rf"{_EDGE_L}[a-z]{{1,3}}[A-Z][A-Za-z0-9]+{_EDGE_R}")  # rDPO, iGPT
_CAPS = re.compile(rf"{_EDGE_L}[A-Z][A-Z0-9]{{2,}}s?{_EDGE_R}")
_HYPHENATED = re.compile(rf"{_EDGE_L}[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+{_EDGE_R}")


def _has_acronym_part(word: str) -> bool:
    return any(sum(c.isupper() for c in part) >= 2 for part in word.split("-"))


def coined_names(text: str) -> Iterator[Span]:
    """Names that look made up for a paper: CamelCase ("CycleAlign"), capitals ("MNPO",
    "SALMON"), hyphenated with an acronym part ("Alt-MoE", "SELF-ALIGN", "PG-Follow")."""
    for regex in (_CAMEL, _MIXED, _CAPS):
        for m in regex.finditer(text):
            yield m.start(), m.end(), None
    for m in _HYPHENATED.finditer(text):
        if _has_acronym_part(m.group(0)):
            yield m.start(), m.end(), None


_DESCRIBED = re.compile(
    r"\b(?:the|a|an|our)\s+(?P<name>(?:[A-Z][\w-]*\s){1,4})"
    r"(?P<noun>technique|method|algorithm|framework|approach|strategy|model|benchmark|dataset"
    r"|metric|task|paradigm)\b"
)
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
    for m in _DESCRIBED.finditer(text):
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


def url_spans(text: str) -> list[tuple[int, int]]:
    """Addresses in the text: names inside them ("github.com/X/Y") are not entities."""
    return [(m.start(), m.end()) for m in _URL.finditer(text)]


_QUOTED = re.compile(r"[\"“'‘]([A-Z][\w-]*(?:[ -][\w-]+){0,4})[\"”'’]")


def quoted_names(text: str) -> Iterator[Span]:
    """A capitalised name in quotes: 'a framework of "Bidirectional Human-AI Alignment"'."""
    for m in _QUOTED.finditer(text):
        words = m.group(1).split()
        if sum(w[0].isupper() for w in words) >= max(1, len(words) - 1):
            yield m.start(1), m.end(1), None
