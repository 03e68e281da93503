"""Benchmark: extraction time against the length of one abstract (issue 10.4: linear).

Builds abstracts of the given lengths from the fresh arXiv abstracts laid end to end, and
prints the seconds each takes and the seconds per 100,000 characters (flat when the time
is linear). Before: 100K characters 1.5 s, 300K 14 s, 990K 171 s.

    python bench/extract_length.py [--sizes 100000 300000 990000]
"""

from __future__ import annotations

import argparse
import time

from extract_speed import DEFAULT

from alignkg.extract import Extractor
from alignkg.ingest import read_corpus
from alignkg.records import Paper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 990_000])
    args = parser.parse_args()
    abstracts = [paper.abstract for paper in read_corpus(DEFAULT)]
    text = " ".join(abstracts)
    extractor = Extractor()
    extractor.extract(Paper(id="warm-up", title="Warm up", abstract=abstracts[0]))
    for size in args.sizes:
        paper = Paper(id=f"long-{size}", title="A long abstract", abstract=text[:size])
        start = time.perf_counter()
        extractor.extract(paper)
        seconds = time.perf_counter() - start
        print(f"{size:>9,} characters: {seconds:7.2f} s, {seconds / size * 1e5:.2f} s per 100K")


if __name__ == "__main__":
    main()
