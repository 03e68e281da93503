"""Benchmark: the default extraction pipeline against spaCy's blank("en") tokenizer alone.

Both read the same fresh abstracts (each text once: no repeated corpus to flatter the
caches), in one process, one after the other in the same run, and the script prints
abstracts per second of each and their ratio (issue 8.7 asks for >= 0.25). The tokenizer
and the pipeline each get their own `spacy.blank("en")`, so neither warms the other's
caches; the papers are read before timing starts.

    python bench/extract_speed.py [CORPUS] [--limit N] [--profile FILE]

CORPUS defaults to ../shared/corpus/arxiv-ml-abstracts.jsonl (5,250 arXiv abstracts).
`--profile FILE` also writes cProfile statistics of the pipeline run to FILE.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import spacy

from alignkg.extract import Extractor
from alignkg.ingest import read_corpus

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "arxiv-ml-abstracts.jsonl"


def tokenizer_rate(texts: list[str]) -> float:
    nlp = spacy.blank("en")
    start = time.perf_counter()
    for _ in nlp.tokenizer.pipe(texts, batch_size=64):
        pass
    return len(texts) / (time.perf_counter() - start)


def pipeline_rate(papers, profile: Path | None) -> float:
    extractor = Extractor()
    extractor.extract(papers[0])  # builds the matchers: not part of the per-text cost
    start = time.perf_counter()
    if profile is None:
        for _ in extractor.pipe(papers[1:]):
            pass
    else:
        import cProfile

        with cProfile.Profile() as prof:
            for _ in extractor.pipe(papers[1:]):
                pass
        prof.dump_stats(profile)
    return (len(papers) - 1) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args()
    papers = list(read_corpus(args.corpus))[: args.limit]
    texts = [paper.text for paper in papers]
    chars = sum(map(len, texts))
    print(f"{len(papers)} abstracts, {chars / len(papers):.0f} characters on average")
    tokens = tokenizer_rate(texts)
    print(f"spaCy blank('en') tokenizer alone: {tokens:8.0f} abstracts/s")
    pipeline = pipeline_rate(papers, args.profile)
    print(f"alignkg default pipeline:          {pipeline:8.0f} abstracts/s")
    print(f"ratio pipeline / tokenizer: {pipeline / tokens:.3f} (target >= 0.25)")


if __name__ == "__main__":
    main()
