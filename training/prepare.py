"""Training data for the learned entity recognizer, as spaCy DocBin files.

    ../shared/train/scirex-train-abstracts.jsonl  (SciREX, Apache-2.0), a seeded 90/10 split
        -> OUT/train/scirex.spacy, OUT/train-scirex/scirex.spacy, OUT/dev/scirex.spacy
    ../shared/eval/seed-gold.jsonl + the bundled corpus's Paper.text (title, blank line, abstract)
        -> OUT/train/gold.spacy   (the development gold, located in the text)

OUT/train trains the shipped model; OUT/train-scirex, without the gold, the variant that
is measured on the gold as unseen text; OUT/dev is spacy train's evaluation set.

SciREX text is tokenised with spaces around punctuation ("state - of - the - art ,"):
`detokenise` removes those spaces and maps every mention offset onto the new text. Types
follow GUIDELINES.md: Material becomes Dataset, a Method the field's model lists call a
model becomes Model, and generic mentions the guidelines do not count ("pretrained
networks", "memory", "large text corpus") are dropped, so they train as non-entities.

Run by scripts/train-model; `python training/prepare.py --help` for the paths.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin
from spacy.util import filter_spans

from alignkg.extract.entities import _occurrences as whole_word_occurrences
from alignkg.extract.learned import load_filter
from alignkg.ingest import read_corpus
from alignkg.keys import match_key, written_as_name

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
LABELS = ("Method", "Model", "Dataset", "Task", "Metric")
SEED = 13
DEV_FRACTION = 0.1

# --- detokenisation ---------------------------------------------------------------------

# No space before these tokens, none after the opening ones; hyphens and slashes join
# the words on both sides ("state - of - the - art" -> "state-of-the-art").
_NO_SPACE_BEFORE = frozenset({",", ".", ";", ":", "?", "!", ")", "]", "}", "%", "'s", "n't", "'"})
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "$"})
_JOINERS = frozenset({"-", "/", "–"})


def detokenise(text: str) -> tuple[str, list[int]]:
    """Raw-looking text from SciREX's space-separated tokens, and for every character
    offset of the input (and its end) the offset in the output."""
    tokens = text.split(" ")
    out: list[str] = []
    offsets: list[int] = []
    position = 0
    previous = None
    for token in tokens:
        if previous is not None:
            joined = (
                token in _NO_SPACE_BEFORE
                or token in _JOINERS
                or previous in _JOINERS
                or previous in _NO_SPACE_AFTER
                or token == ""
                or previous == ""
            )
            offsets.append(position)  # the separating space maps onto the next character
            if not joined:
                out.append(" ")
                position += 1
        for char in token:
            offsets.append(position)
            out.append(char)
            position += 1
        previous = token
    offsets.append(position)
    return "".join(out), offsets


def map_span(offsets: list[int], start: int, end: int) -> tuple[int, int]:
    """A [start, end) span of the tokenised text in the detokenised one."""
    return offsets[start], offsets[end - 1] + 1 if end > start else offsets[start]


# --- types and generic mentions ---------------------------------------------------------


@dataclass(frozen=True)
class FieldNames:
    """What the field's open lists (../shared/lexicon, Papers with Code and Hugging Face)
    call a name: used to keep named lower-case mentions and to tell models from methods."""

    types: dict[str, frozenset[str]]

    @classmethod
    def load(cls, path: Path) -> FieldNames:
        types: dict[str, set[str]] = {}
        # SciREX's own names would vouch for themselves; leaderboard rows are system
        # descriptions; only curated list entries count.
        trusted = ("pwc-methods", "pwc-datasets", "pwc-tasks-2025", "hf-transformers")
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                entry = json.loads(line)
                if not entry["source"].startswith(trusted):
                    continue
                for form in (entry["name"], *entry["aliases"]):
                    types.setdefault(match_key(form), set()).add(entry["type"])
        return cls({key: frozenset(value) for key, value in types.items()})

    def has(self, name: str, type_: str) -> bool:
        return type_ in self.types.get(match_key(name), ())


_FILTER = load_filter()
_TRIM_TAIL = re.compile(r"\s+(?:" + "|".join(map(re.escape, _FILTER["trim_tails"])) + ")$")


def clean_mention(text: str, type_: str, field: FieldNames) -> tuple[str, str] | None:
    """The mention as the guidelines would annotate it (trimmed text, type), or None when
    they would not count it."""
    if type_ == "Material":
        type_ = "Dataset"
    if (
        not text
        or not text[0].isalnum()
        or not text[-1].isalnum()
        or text.count("(") != text.count(")")
    ):
        return None  # fragments: "- shot", "ordinary differential equation (ODE"
    trimmed = _TRIM_TAIL.sub("", text)
    if trimmed != text and (written_as_name(trimmed) or not written_as_name(text)):
        text = trimmed  # "Pascal VOC 2012 dataset" -> "Pascal VOC 2012"
    if written_as_name(text):
        if type_ == "Method" and field.has(text, "Model") and not field.has(text, "Method"):
            type_ = "Model"
        return text, type_
    if len(text.split()) > 5:
        return None
    words = text.lower().split()
    if field.has(text, type_) or (type_ == "Method" and field.has(text, "Model")):
        return text, type_ if field.has(text, type_) else "Model"
    if type_ == "Task":
        generic = words[-1] in _FILTER["generic_heads"]
        return (text, type_) if len(words) >= 2 and not generic else None
    if type_ == "Metric":
        return (text, type_) if words[-1] in _FILTER["metric_heads"] else None
    return None  # lower-case methods and datasets nobody names: "pretrained networks"


# --- documents ----------------------------------------------------------------------------


def _doc(nlp, text: str, spans: list[tuple[int, int, str]]) -> tuple[Doc, int]:
    """A Doc with these entity spans; spans that do not fall on token edges are dropped
    (counted)."""
    doc = nlp.make_doc(text)
    found, lost = [], 0
    for start, end, label in spans:
        span = doc.char_span(start, end, label=label, alignment_mode="strict")
        if span is None:
            span = doc.char_span(start, end, label=label, alignment_mode="contract")
        if span is None or not span.text:
            lost += 1
            continue
        found.append(span)
    doc.ents = filter_spans(found)
    return doc, lost


def scirex_example(record: dict, field: FieldNames) -> tuple[str, list[tuple[int, int, str]]]:
    """The detokenised abstract and its kept mentions as (start, end, label)."""
    text, offsets = detokenise(record["abstract"])
    spans = []
    for mention in record["abstract_mentions"]:
        start, end = map_span(offsets, mention["start"], mention["end"])
        kept = clean_mention(text[start:end], mention["type"], field)
        if kept is None:
            continue
        trimmed, label = kept
        spans.append((start, start + len(trimmed), label))
    return text, spans


def _occurrences(text: str, form: str) -> list[int]:
    """Whole-word occurrences, as the extractor finds a name's repeated mentions:
    acronym-like forms as spelled, others in any case."""
    exact = " " not in form and sum(c.isupper() for c in form) >= 2
    haystack, needle = (text, form) if exact else (text.lower(), form.lower())
    if len(haystack) != len(text):
        haystack, needle = text, form
    return list(whole_word_occurrences(haystack, needle))


def gold_example(text: str, entities: list[dict]) -> list[tuple[int, int, str]]:
    """Every occurrence of a gold entity's name or alias in the paper's text, longest first."""
    spans = []
    for entity in entities:
        if entity["type"] not in LABELS:
            continue  # organizations come from the listing, not the text
        for form in {entity["name"], *entity.get("aliases", [])}:
            spans.extend((s, s + len(form), entity["type"]) for s in _occurrences(text, form))
    spans.sort(key=lambda s: (s[0] - s[1], s[0]))
    chosen: list[tuple[int, int, str]] = []
    for span in spans:
        if not any(span[0] < e and s < span[1] for s, e, _ in chosen):
            chosen.append(span)
    return sorted(chosen)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scirex", type=Path, default=SHARED / "train/scirex-train-abstracts.jsonl"
    )
    parser.add_argument("--gold", type=Path, default=SHARED / "eval/seed-gold.jsonl")
    parser.add_argument(
        "--corpus", type=Path, default=SHARED / "corpus/hf-daily-papers-alignment.txt"
    )
    parser.add_argument("--field-names", type=Path, default=SHARED / "lexicon/lexicon_merged.jsonl")
    parser.add_argument("--out", type=Path, default=Path("training/corpus"))
    args = parser.parse_args(argv)

    nlp = spacy.blank("en")
    field = FieldNames.load(args.field_names)
    for split in ("train", "train-scirex", "dev"):
        (args.out / split).mkdir(parents=True, exist_ok=True)

    records = [json.loads(line) for line in args.scirex.open(encoding="utf-8")]
    records.sort(key=lambda r: r["doc_id"])
    random.Random(SEED).shuffle(records)
    n_dev = round(len(records) * DEV_FRACTION)
    stats = {}
    for split, part in (("dev", records[:n_dev]), ("train", records[n_dev:])):
        bin_, kept, lost = DocBin(), 0, 0
        for record in part:
            doc, dropped = _doc(nlp, *scirex_example(record, field))
            bin_.add(doc)
            kept += len(doc.ents)
            lost += dropped
        bin_.to_disk(args.out / split / "scirex.spacy")
        if split == "train":
            bin_.to_disk(args.out / "train-scirex" / "scirex.spacy")
        stats[f"scirex-{split}"] = {"docs": len(part), "entities": kept, "misaligned": lost}

    papers = {paper.title: paper for paper in read_corpus(args.corpus)}
    bin_, kept, lost, missing, docs = DocBin(), 0, 0, 0, 0
    for line in args.gold.open(encoding="utf-8"):
        gold = json.loads(line)
        paper = papers.get(gold["paper"])
        if paper is None:
            missing += 1
            continue
        doc, dropped = _doc(nlp, paper.text, gold_example(paper.text, gold["entities"]))
        bin_.add(doc)
        docs += 1
        kept += len(doc.ents)
        lost += dropped
    bin_.to_disk(args.out / "train" / "gold.spacy")
    stats["gold"] = {"docs": docs, "missing": missing, "entities": kept, "misaligned": lost}
    json.dump(stats, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
