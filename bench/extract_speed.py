"""Benchmark: the default extraction pipeline against spaCy's blank("en") tokenizer alone.

Both read the same fresh abstracts (each text once: no repeated corpus to flatter the
caches), in one process, in the same run, and the script prints abstracts per second of
each and their ratio (issue 8.7 asks for >= 0.25). The tokenizer and the pipeline each get
their own `spacy.blank("en")`, so neither warms the other's caches; the papers are read
before timing starts.

The two take turns, chunk by chunk (`--chunk` abstracts each: the tokenizer on a chunk,
then the pipeline on the same chunk), so that both see the same load on a shared machine:
one after the other, a burst of other jobs during either moved the ratio by 2x. The ratio
is printed from wall-clock time and from CPU time (time.process_time: what the process
itself spent, which other jobs barely move).

    python bench/extract_speed.py [CORPUS] [--limit N] [--chunk N] [--profile FILE]

CORPUS defaults to ../shared/corpus/arxiv-ml-abstracts.jsonl (5,250 arXiv abstracts).
`--profile FILE` also writes cProfile statistics of the pipeline's turns to FILE.
"""

from __future__ import annotations

import argparse
import cProfile
import time
from dataclasses import dataclass
from pathlib import Path

import spacy

from alignkg.extract import Extractor
from alignkg.ingest import read_corpus

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "arxiv-ml-abstracts.jsonl"


@dataclass
class Clock:
    """Wall-clock and CPU seconds spent in one side's turns."""

    wall: float = 0.0
    cpu: float = 0.0

    def time(self, work, *args) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        work(*args)
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--chunk", type=int, default=100, help="abstracts per turn")
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args()
    papers = list(read_corpus(args.corpus))[: args.limit]
    chars = sum(len(paper.text) for paper in papers)
    print(f"{len(papers)} abstracts, {chars / len(papers):.0f} characters on average")

    nlp = spacy.blank("en")
    extractor = Extractor()
    extractor.extract(papers[0])  # builds the matchers: not part of the per-text cost
    papers = papers[1:]

    def tokenize(chunk) -> None:
        for _ in nlp.tokenizer.pipe([paper.text for paper in chunk], batch_size=64):
            pass

    def extract(chunk) -> None:
        for _ in extractor.pipe(chunk):
            pass

    profile = cProfile.Profile() if args.profile else None
    tokenizer, pipeline = Clock(), Clock()
    for i in range(0, len(papers), args.chunk):
        chunk = papers[i : i + args.chunk]
        tokenizer.time(tokenize, chunk)
        if profile:
            profile.enable()
        pipeline.time(extract, chunk)
        if profile:
            profile.disable()
    if profile:
        profile.dump_stats(args.profile)

    n = len(papers)
    print(f"turns of {args.chunk} abstracts, tokenizer then pipeline on each")
    print("                                    wall clock      CPU time")
    print(
        f"spaCy blank('en') tokenizer alone: {n / tokenizer.wall:8.0f}/s    "
        f"{n / tokenizer.cpu:8.0f}/s"
    )
    print(
        f"alignkg default pipeline:          {n / pipeline.wall:8.0f}/s    "
        f"{n / pipeline.cpu:8.0f}/s"
    )
    print(
        f"ratio pipeline / tokenizer: {tokenizer.wall / pipeline.wall:.3f} wall clock, "
        f"{tokenizer.cpu / pipeline.cpu:.3f} CPU time (target >= 0.25)"
    )


if __name__ == "__main__":
    main()
