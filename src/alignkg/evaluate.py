"""Precision, recall and F1 against gold annotations, with GUIDELINES.md's matching rules.

An entity matches when the types are equal and a predicted name or alias equals a gold
name or alias after match_key normalisation; a relation matches when its type is equal
and both ends match (`@paper` matches `@paper`). Each gold item is matched at most once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from alignkg.ingest import CorpusError, read_corpus
from alignkg.ingest.jsonlines import parse_record
from alignkg.keys import match_key
from alignkg.pipeline import extract_papers
from alignkg.records import PAPER_REF, PaperExtraction


@dataclass(frozen=True)
class _Entity:
    type: str
    keys: frozenset[str]


@dataclass(frozen=True)
class _Annotation:
    entities: tuple[_Entity, ...]
    relations: tuple[tuple[str, str, str], ...]  # (head name, type, tail name)
    names: dict = field(default_factory=dict, compare=False)  # name -> _Entity


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    papers: int
    entities: dict[str, Counts]  # by type, plus "micro"
    relations: dict[str, Counts]


def _annotation(entities: list[dict], relations: list[dict]) -> _Annotation:
    names = {}
    items = []
    for e in entities:
        item = _Entity(
            e["type"], frozenset(match_key(f) for f in [e["name"], *e.get("aliases", [])])
        )
        items.append(item)
        for form in [e["name"], *e.get("aliases", [])]:
            names.setdefault(form, item)
    rels = tuple((r["head"], r["type"], r["tail"]) for r in relations)
    return _Annotation(tuple(items), rels, names)


def _prediction(extraction: PaperExtraction) -> _Annotation:
    return _annotation(
        [{"name": e.name, "type": e.type.value, "aliases": e.aliases} for e in extraction.entities],
        [{"head": r.head, "type": r.type.value, "tail": r.tail} for r in extraction.relations],
    )


def _match_entities(gold: _Annotation, pred: _Annotation) -> dict[int, int]:
    """Gold index -> predicted index, greedy one-to-one."""
    matched: dict[int, int] = {}
    used: set[int] = set()
    for gi, g in enumerate(gold.entities):
        for pi, p in enumerate(pred.entities):
            if pi not in used and p.type == g.type and p.keys & g.keys:
                matched[gi] = pi
                used.add(pi)
                break
    return matched


def _end_matches(gold_end: str, pred_end: str, gold: _Annotation, pred: _Annotation) -> bool:
    if PAPER_REF in (gold_end, pred_end):
        return gold_end == pred_end
    g = gold.names.get(gold_end)
    p = pred.names.get(pred_end)
    g_keys = g.keys if g else frozenset({match_key(gold_end)})
    p_keys = p.keys if p else frozenset({match_key(pred_end)})
    return bool(g_keys & p_keys)


def score_paper(gold: _Annotation, pred: _Annotation, report: Report) -> None:
    matched = _match_entities(gold, pred)
    for gi, g in enumerate(gold.entities):
        counts = report.entities[g.type]
        if gi in matched:
            counts.tp += 1
        else:
            counts.fn += 1
    for pi, p in enumerate(pred.entities):
        if pi not in matched.values():
            report.entities[p.type].fp += 1
    used: set[int] = set()
    for g_head, g_type, g_tail in gold.relations:
        hit = next(
            (
                i
                for i, (p_head, p_type, p_tail) in enumerate(pred.relations)
                if i not in used
                and p_type == g_type
                and _end_matches(g_head, p_head, gold, pred)
                and _end_matches(g_tail, p_tail, gold, pred)
            ),
            None,
        )
        if hit is None:
            report.relations[g_type].fn += 1
        else:
            used.add(hit)
            report.relations[g_type].tp += 1
    for i, (_, p_type, _) in enumerate(pred.relations):
        if i not in used:
            report.relations[p_type].fp += 1


def _micro(by_type: dict[str, Counts]) -> Counts:
    total = Counts()
    for c in by_type.values():
        total.tp, total.fp, total.fn = total.tp + c.tp, total.fp + c.fp, total.fn + c.fn
    return total


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _check_gold(record: object) -> None:
    """ValueError unless `record` has the shape of GUIDELINES.md's gold records."""
    if not isinstance(record, dict):
        raise ValueError("expected a JSON object")
    if not isinstance(record.get("paper"), str):
        raise ValueError("'paper' must be the paper's title")
    entities, relations = record.get("entities"), record.get("relations")
    if not isinstance(entities, list) or not isinstance(relations, list):
        raise ValueError("'entities' and 'relations' must be lists")
    for e in entities:
        if not (
            isinstance(e, dict)
            and isinstance(e.get("name"), str)
            and isinstance(e.get("type"), str)
            and _strings(e.get("aliases", []))
        ):
            raise ValueError("an entity needs a 'name', a 'type' and a list of 'aliases'")
    for r in relations:
        if not (isinstance(r, dict) and _strings([r.get("head"), r.get("type"), r.get("tail")])):
            raise ValueError("a relation needs a 'head', a 'type' and a 'tail'")


def read_gold(path: Path) -> dict[str, _Annotation]:
    gold = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise CorpusError(path, f"cannot read gold file ({err.strerror})") from None
    except UnicodeDecodeError as err:
        raise CorpusError(path, f"gold file is not valid UTF-8 ({err.reason})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = parse_record(line)
            _check_gold(record)
        except ValueError as err:
            raise CorpusError(path, f"not a gold record: {err}", number) from None
        gold[record["paper"]] = _annotation(record["entities"], record["relations"])
    if not gold:
        raise CorpusError(path, "no gold records")
    return gold


def evaluate_extractions(
    gold: dict[str, _Annotation], extractions: list[PaperExtraction]
) -> Report:
    report = Report(0, defaultdict(Counts), defaultdict(Counts))
    by_title = {x.paper.title: x for x in extractions}
    for title, annotation in gold.items():
        extraction = by_title.get(title)
        pred = _prediction(extraction) if extraction else _annotation([], [])
        score_paper(annotation, pred, report)
        report.papers += 1
    report.entities = dict(sorted(report.entities.items())) | {"micro": _micro(report.entities)}
    report.relations = dict(sorted(report.relations.items())) | {"micro": _micro(report.relations)}
    return report


def evaluate_corpus(
    gold_path: Path, corpus: Path, format: str | None = None, pipeline: str = "default"
) -> Report:
    gold = read_gold(gold_path)
    wanted = set(gold)
    papers = [p for p in read_corpus(corpus, format=format) if p.title in wanted]
    if not papers:
        raise CorpusError(gold_path, f"none of its papers is in the corpus {corpus}")
    return evaluate_extractions(gold, list(extract_papers(papers, pipeline=pipeline)))


def report_to_dict(report: Report) -> dict:
    def table(by_type: dict[str, Counts]) -> dict:
        return {
            t: {
                "precision": round(c.precision, 4),
                "recall": round(c.recall, 4),
                "f1": round(c.f1, 4),
                "tp": c.tp,
                "fp": c.fp,
                "fn": c.fn,
            }
            for t, c in by_type.items()
        }

    return {
        "papers": report.papers,
        "entities": table(report.entities),
        "relations": table(report.relations),
    }


def format_report(report: Report) -> str:
    lines = [f"Evaluated on {report.papers} papers."]
    for title, by_type in (("Entities", report.entities), ("Relations", report.relations)):
        lines.append(f"\n{title:<16} {'P':>6} {'R':>6} {'F1':>6} {'TP':>5} {'FP':>5} {'FN':>5}")
        for type_, c in by_type.items():
            lines.append(
                f"  {type_:<14} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} "
                f"{c.tp:5d} {c.fp:5d} {c.fn:5d}"
            )
    return "\n".join(lines)
