"""What the built lexicon (data/lexicon-sources.json, ~7,000 entries) costs extraction.

The same pipeline twice in one process, on the same fresh abstracts: with the hand
lexicon alone and with the hand + built lexicon, alternating, CPU time per pass; plus
spaCy's blank("en") tokenizer alone as the baseline, and each pipeline's start-up time.

    python bench/lexicon_cost.py [CORPUS.jsonl] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import spacy

import alignkg.extract.lexicon as lexicon_module
from alignkg.extract import Extractor, build_nlp
from alignkg.records import Paper

CORPUS = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "arxiv-ml-abstracts.jsonl"
)


def papers(path: Path, limit: int) -> list[Paper]:
    out = []
    with path.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i == limit:
                break
            d = json.loads(line)
            out.append(Paper(id=str(i), title=d["title"], abstract=d["abstract"]))
    return out


def extractor(with_built: bool) -> tuple[Extractor, float]:
    lexicon_module.load_lexicon.cache_clear()
    original = lexicon_module._read
    if not with_built:
        lexicon_module._read = lambda name: (
            {"entities": []} if name == lexicon_module.BUILT else original(name)
        )
    start = time.process_time()
    try:
        ex = Extractor(build_nlp())
    finally:
        lexicon_module._read = original
        lexicon_module.load_lexicon.cache_clear()
    return ex, time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    docs = papers(args.corpus, args.limit)
    hand, hand_start = extractor(False)
    full, full_start = extractor(True)
    blank = spacy.blank("en")
    print(f"{len(docs)} abstracts of {args.corpus.name}; CPU seconds per pass")
    print(f"start-up: hand lexicon {hand_start:.2f} s, hand + built {full_start:.2f} s")
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, run in (
            ("blank tokenizer", lambda: list(blank.pipe(p.text for p in docs))),
            ("hand lexicon", lambda: list(hand.pipe(docs))),
            ("hand + built lexicon", lambda: list(full.pipe(docs))),
        ):
            start = time.process_time()
            run()
            best[name] = min(best.get(name, float("inf")), time.process_time() - start)
    base = best["blank tokenizer"]
    for name, seconds in best.items():
        rate = len(docs) / seconds
        print(f"{name:22} {seconds:7.2f} s  {rate:8.0f}/s  {base / seconds:5.2f}x blank")
    print(f"built lexicon costs {best['hand + built lexicon'] / best['hand lexicon'] - 1:+.1%}")


if __name__ == "__main__":
    main()
