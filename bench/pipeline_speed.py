"""Benchmark: abstracts per second of the `default` and `accurate` extraction pipelines
against spaCy's blank("en") tokenizer alone, on the same fresh abstracts, in one process.

Reads the corpus once (../shared/corpus/arxiv-ml-abstracts.jsonl: 5,250 real arXiv ML
abstracts, each seen once), then times, in turn, the tokenizer, `Extractor(pipeline=
"default")` and `Extractor(pipeline="accurate")` over the same Paper.text. Building each
pipeline (loading the lexicon, the trained model) is timed apart. On a shared machine
compare the ratios, not the absolute figures.

    python bench/pipeline_speed.py [CORPUS] [--limit N] [--pipelines default accurate]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import spacy

from alignkg.extract import PIPELINES, Extractor
from alignkg.ingest import read_corpus

FRESH = Path(__file__).resolve().parents[1] / ".." / "shared/corpus/arxiv-ml-abstracts.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=FRESH)
    parser.add_argument("--limit", type=int, default=0, help="Only the first N papers.")
    parser.add_argument("--pipelines", nargs="+", default=list(PIPELINES), choices=PIPELINES)
    args = parser.parse_args()

    papers = list(read_corpus(args.corpus))
    if args.limit:
        papers = papers[: args.limit]
    n = len(papers)
    print(f"{n} abstracts from {args.corpus}\n")
    print("| what | build s | abstracts/s | x tokenizer |\n|---|---:|---:|---:|")

    tokenizer = spacy.blank("en").tokenizer
    start = time.perf_counter()
    for _ in tokenizer.pipe(paper.text for paper in papers):
        pass
    baseline = n / (time.perf_counter() - start)
    print(f"| blank('en') tokenizer alone | - | {baseline:,.0f} | 1.00 |")

    for name in args.pipelines:
        start = time.perf_counter()
        extractor = Extractor(pipeline=name)
        built = time.perf_counter() - start
        start = time.perf_counter()
        for _ in extractor.pipe(papers):
            pass
        rate = n / (time.perf_counter() - start)
        ratio = rate / baseline
        print(f"| alignkg extract, pipeline {name} | {built:.1f} | {rate:,.0f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
