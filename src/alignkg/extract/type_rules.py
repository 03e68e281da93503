"""The type of a name the lexicon does not know, from its spelled-out form or its context."""

from __future__ import annotations

import re

from alignkg.records import EntityType

_HEAD_WORDS: dict[EntityType, frozenset[str]] = {
    EntityType.DATASET: frozenset(
        {
            "benchmark",
            "dataset",
            "corpus",
            "suite",
            "bench",
            "collection",
            "testbed",
            "arena",
            "leaderboard",
            "database",
            "inventories",
            "inventory",
            "conversations",
            "evaluation",
        }
    ),
    EntityType.TASK: frozenset(
        {
            "task",
            "answering",
            "retrieval",
            "classification",
            "detection",
            "segmentation",
            "generation",
            "synthesis",
            "editing",
            "captioning",
            "translation",
            "summarization",
            "recognition",
            "problem",
            "problems",
            "perceptions",
            "perception",
        }
    ),
    EntityType.METRIC: frozenset(
        {
            "rate",
            "score",
            "error",
            "accuracy",
            "distance",
            "metric",
            "gap",
            "precision",
            "recall",
            "ratio",
            "divergence",
        }
    ),
    EntityType.MODEL: frozenset(
        {"network", "model", "assistant", "agent", "chatbot", "transformer"}
    ),
    EntityType.ORGANIZATION: frozenset(
        {"university", "institute", "lab", "laboratory", "inc", "corporation", "company"}
    ),
}

_GENERIC_WORDS = frozenset(
    {
        "large",
        "language",
        "languages",
        "vision",
        "visual",
        "multimodal",
        "multi-modal",
        "model",
        "models",
        "foundation",
        "artificial",
        "intelligence",
        "general",
        "natural",
        "processing",
        "machine",
        "learning",
        "neural",
        "network",
        "networks",
        "generative",
        "pretrained",
        "pre-trained",
        "human",
        "computer",
        "interaction",
        "vision-language",
        "world",
        "agents",
        "out-of-distribution",
        "diffusion",
        "text-to-image",
        "small",
        "big",
        "reward",
    }
)


def head_word(phrase: str) -> str:
    """The head of a name: the last word before a preposition ("Self-Alignment with ...")."""
    words = re.split(r"\s+", phrase.strip())
    for i, word in enumerate(words):
        if i > 0 and word.lower() in {"with", "for", "of", "via", "from", "to", "in", "on", "by"}:
            words = words[:i]
            break
    last = words[-1].lower() if words else ""
    return last.split("-")[-1].strip(".,;:")


def type_from_phrase(phrase: str) -> EntityType | None:
    """The type a descriptive phrase gives: "... Network" -> Model, "... Benchmark" ->
    Dataset, "... Rate" -> Metric; None when it says nothing."""
    head = head_word(phrase)
    for type_, words in _HEAD_WORDS.items():
        if head in words or head.rstrip("s") in words:
            if type_ is EntityType.MODEL and phrase.islower():
                return EntityType.METHOD  # "process reward model": a technique, not a system
            return type_
    return None


def is_generic_phrase(phrase: str) -> bool:
    """ "large language models", "Vision-Language Models": names of no particular thing."""
    words = [w.lower() for w in re.split(r"[\s]+", phrase) if w]
    return bool(words) and all(
        w in _GENERIC_WORDS or w.rstrip("s") in _GENERIC_WORDS for w in words
    )


_CONTEXT_CUES: tuple[tuple[EntityType, re.Pattern[str]], ...] = (
    (
        EntityType.DATASET,
        re.compile(r"\b(?:benchmarks?|datasets?|corpus|corpora|suite|testbed)\b", re.I),
    ),
    (
        EntityType.MODEL,
        re.compile(
            r"\b(?:assistant|chatbot"
            r"|(?:language |base |foundation )?models? (?:named|called|dubbed))\b",
            re.I,
        ),
    ),
)


_APPOSITIVE = re.compile(
    r"^,\s+(?:a|an|the|our)\s+(?:[\w-]+\s+){0,6}?(?P<noun>benchmark|dataset|corpus|model"
    r"|assistant|chatbot|method|framework|algorithm|approach|technique|metric|task|platform"
    r"|leaderboard|suite|question set|test set)s?\b",
    re.I,
)
_APPOSITIVE_TYPES = {
    "benchmark": EntityType.DATASET,
    "dataset": EntityType.DATASET,
    "corpus": EntityType.DATASET,
    "platform": EntityType.DATASET,
    "leaderboard": EntityType.DATASET,
    "suite": EntityType.DATASET,
    "question set": EntityType.DATASET,
    "test set": EntityType.DATASET,
    "model": EntityType.MODEL,
    "assistant": EntityType.MODEL,
    "chatbot": EntityType.MODEL,
    "metric": EntityType.METRIC,
    "task": EntityType.TASK,
}


def type_from_context(before: str, after: str) -> EntityType | None:
    """Type cues right around a name: "X, the first open-source ... model" (an apposition
    says what X is), then "a benchmark, X," / "X dataset" / "an assistant named X"."""
    if m := _APPOSITIVE.match(after[:120]):
        return _APPOSITIVE_TYPES.get(m.group("noun").lower(), EntityType.METHOD)
    near = f"{before[-40:]} {after[:25]}"
    for type_, cue in _CONTEXT_CUES:
        if cue.search(near):
            return type_
    return None
