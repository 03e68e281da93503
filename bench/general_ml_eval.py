"""A general-ML proxy: the extractor's entities against SciREX's typed mentions.

The hidden general-ML set (Method/Model/Dataset/Task, annotated by others) cannot be
seen; SciREX (../shared/train/scirex-train-abstracts.jsonl, 300 ML abstracts, Apache-2.0)
is the nearest open stand-in. Its text is tokenised with spaces around punctuation;
training/prepare.py's `detokenise` maps it and its offsets onto raw-looking text, which
the pipeline reads as `title \\n\\n abstract` (Paper.text). Only the abstract is scored
(SciREX annotates no title mentions).

Types: SciREX Method = our Method or Model; Material = our Dataset; Task and Metric as
they are; our Organizations are not scored.

Split (fixed, the one of training/prepare.py): the 30 abstracts held out from the learned
model's training are the REPORT set; the other 270 the TUNE set. Look at errors only on
the tune set (`--errors`), quote figures from the report set.

Three views, each per type and micro (all four types, and without Metric as the hidden
set has none):

- `mentions`: every SciREX mention, exact span and overlapping span (same type);
- `named`: the mentions GUIDELINES.md would also count (training/prepare.py's
  `clean_mention`: named things, lexicon-known terms, multi-word tasks), the same two
  matches. SciREX also marks every generic mention ("pretrained networks", "memory"),
  which our guidelines do not count: against all mentions recall has a low ceiling;
- `names`: per paper, as `alignkg evaluate` scores a paper-level annotation: each of our
  entities is right when one of its surface forms is a gold name of its type; each
  distinct gold (type, normalised name) is found (TP) or missed (FN); an entity naming
  none is a FP.

    python bench/general_ml_eval.py [--split report|tune|all] [--pipeline default|accurate]
                                    [--errors N] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))

from prepare import DEV_FRACTION, SEED, FieldNames, clean_mention, detokenise, map_span  # noqa: E402

from alignkg.extract import Extractor  # noqa: E402
from alignkg.keys import match_key  # noqa: E402
from alignkg.records import Paper  # noqa: E402

SHARED = ROOT / ".." / "shared"
SCIREX = SHARED / "train" / "scirex-train-abstracts.jsonl"
FIELD_NAMES = SHARED / "lexicon" / "lexicon_merged.jsonl"
TYPES = ("Method", "Dataset", "Task", "Metric")
OURS = {
    "Method": "Method",
    "Model": "Method",
    "Dataset": "Dataset",
    "Task": "Task",
    "Metric": "Metric",
}


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Example:
    paper: Paper
    offset: int  # where the abstract starts in paper.text
    gold: list[tuple[int, int, str]]  # every SciREX mention, in paper.text offsets
    named: list[tuple[int, int, str]]  # those GUIDELINES.md would count


@dataclass
class View:
    by_type: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))

    def micro(self, types=TYPES) -> Counts:
        total = Counts()
        for t in types:
            total.add(self.by_type[t])
        return total


def split(records: list[dict], which: str) -> list[dict]:
    """training/prepare.py's split: sort by doc_id, shuffle with its seed, first 10% held out."""
    records = sorted(records, key=lambda r: r["doc_id"])
    random.Random(SEED).shuffle(records)
    n_report = round(len(records) * DEV_FRACTION)
    return {"report": records[:n_report], "tune": records[n_report:], "all": records}[which]


def example(record: dict, field_names: FieldNames) -> Example:
    title, _ = detokenise(record["title"])
    abstract, offsets = detokenise(record["abstract"])
    offset = len(title) + 2
    gold, named = [], []
    for mention in record["abstract_mentions"]:
        start, end = map_span(offsets, mention["start"], mention["end"])
        type_ = "Dataset" if mention["type"] == "Material" else mention["type"]
        gold.append((offset + start, offset + end, type_))
        kept = clean_mention(abstract[start:end], mention["type"], field_names)
        if kept is not None:
            named.append((offset + start, offset + start + len(kept[0]), kept[1]))
    named = [(s, e, "Method" if t == "Model" else t) for s, e, t in named]
    paper = Paper(id=record["doc_id"], title=title, abstract=abstract)
    return Example(paper, offset, gold, named)


def predicted(extraction_doc, offset: int) -> list[tuple[int, int, str]]:
    """Our entity mentions in the abstract, typed as SciREX types them."""
    spans = []
    for entity in extraction_doc._.alignkg_entities or []:
        type_ = OURS.get(entity.type.value)
        if type_ is None:
            continue
        spans.extend((s, e, type_) for s, e in entity.mentions if s >= offset)
    return sorted(set(spans))


def score_spans(gold, pred, view_exact: View, view_overlap: View) -> tuple[list, list]:
    """Exact and overlapping one-to-one matches; returns the unmatched (overlap) sides."""
    exact_gold = set(gold)
    for s, e, t in pred:
        if (s, e, t) in exact_gold:
            view_exact.by_type[t].tp += 1
        else:
            view_exact.by_type[t].fp += 1
    for *_, t in exact_gold - set(pred):
        view_exact.by_type[t].fn += 1
    used: set[int] = set()
    missed_pred = []
    for p in pred:
        hit = next(
            (
                i
                for i, g in enumerate(gold)
                if i not in used and g[2] == p[2] and g[0] < p[1] and p[0] < g[1]
            ),
            None,
        )
        if hit is None:
            view_overlap.by_type[p[2]].fp += 1
            missed_pred.append(p)
        else:
            used.add(hit)
            view_overlap.by_type[p[2]].tp += 1
    missed_gold = [g for i, g in enumerate(gold) if i not in used]
    for g in missed_gold:
        view_overlap.by_type[g[2]].fn += 1
    return missed_gold, missed_pred


def name_set(text: str, spans) -> set[tuple[str, str]]:
    return {(t, match_key(text[s:e])) for s, e, t in spans if match_key(text[s:e])}


def score_names(text: str, gold, doc, offset: int, view: View) -> None:
    """Paper level, as alignkg evaluate matches: one of our entities (all its surface
    forms in the abstract) is right when one form names a gold mention of its type; each
    distinct gold name (type, normalised text) is found or missed."""
    gold_names = name_set(text, gold)
    found: set[tuple[str, str]] = set()
    for entity in doc._.alignkg_entities or []:
        type_ = OURS.get(entity.type.value)
        forms = name_set(text, [(s, e, type_) for s, e in entity.mentions if s >= offset])
        if type_ is None or not forms:
            continue
        hits = forms & gold_names
        view.by_type[type_].fp += not hits
        found |= hits
    for t, _ in found:
        view.by_type[t].tp += 1
    for t, _ in gold_names - found:
        view.by_type[t].fn += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("report", "tune", "all"), default="report")
    parser.add_argument("--pipeline", choices=("default", "accurate"), default="default")
    parser.add_argument("--scirex", type=Path, default=SCIREX)
    parser.add_argument("--errors", type=int, default=0, help="print N of each error kind (tune!)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    records = [json.loads(line) for line in args.scirex.open(encoding="utf-8")]
    field_names = FieldNames.load(FIELD_NAMES)
    examples = [example(r, field_names) for r in split(records, args.split)]
    extractor = Extractor(pipeline=args.pipeline)
    docs = extractor.nlp.pipe(
        (extractor.nlp.make_doc(x.paper.text) for x in examples), batch_size=32
    )
    views = {
        k: View()
        for k in ("mentions-exact", "mentions-overlap", "named-exact", "named-overlap", "names")
    }
    kinds = ("false-positive", "wrong-type", "generic", "missed-named")
    errors: dict[str, Counter] = {k: Counter() for k in kinds}
    for x, doc in zip(examples, docs, strict=True):
        text = x.paper.text
        pred = predicted(doc, x.offset)
        score_spans(x.gold, pred, views["mentions-exact"], views["mentions-overlap"])
        missed, extra = score_spans(x.named, pred, views["named-exact"], views["named-overlap"])
        score_names(text, x.named, doc, x.offset, views["names"])
        for s, e, t in extra:
            overlapping = [g for g in x.gold if g[0] < e and s < g[1]]
            if any(g[2] == t for g in overlapping):
                kind, label = "generic", f"{text[s:e]!r} {t}"  # SciREX has it; not a name
            elif overlapping:
                kind, label = "wrong-type", f"{text[s:e]!r} ours {t}, SciREX {overlapping[0][2]}"
            else:
                kind, label = "false-positive", f"{text[s:e]!r} ours {t}"
            errors[kind][label] += 1
        for s, e, t in missed:
            errors["missed-named"][f"{text[s:e]!r} {t}"] += 1

    if args.json:
        out = {
            name: {
                t: dict(zip(("p", "r", "f1"), view.by_type[t].prf(), strict=True)) for t in TYPES
            }
            | {"micro": dict(zip(("p", "r", "f1"), view.micro().prf(), strict=True))}
            | {
                "micro-no-metric": dict(
                    zip(("p", "r", "f1"), view.micro(TYPES[:3]).prf(), strict=True)
                )
            }
            for name, view in views.items()
        }
        print(json.dumps({"split": args.split, "papers": len(examples), **out}, indent=1))
        return 0
    print(f"SciREX {args.split} split: {len(examples)} abstracts, pipeline {args.pipeline}")
    print(f"{'':28}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}")
    for name, view in views.items():
        print(name)
        rows = [(t, view.by_type[t]) for t in TYPES]
        rows += [("micro", view.micro()), ("micro without Metric", view.micro(TYPES[:3]))]
        for label, c in rows:
            p, r, f = c.prf()
            print(f"  {label:26}{p:7.3f}{r:7.3f}{f:7.3f}{c.tp:6}{c.fp:6}{c.fn:6}")
    for kind, counter in errors.items():
        if args.errors:
            print(f"\n{kind} (most frequent {args.errors}):")
            for label, n in counter.most_common(args.errors):
                print(f"  {n:3} {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
