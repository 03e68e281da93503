"""Benchmark: abstracts per second of `alignkg extract`, and its peak memory.

Makes a JSON Lines corpus of N abstracts (the bundled corpus repeated, each copy a new
paper), runs `alignkg extract` on it in a child process with 1 and with 2 workers, and
prints abstracts/s and peak RSS. Peak RSS at two sizes shows whether memory grows with
the corpus (it should not: extract streams). Figures are from one run on a shared
machine: compare them as ratios.

    python bench/extract_throughput.py [--sizes 10000 50000] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from alignkg.ingest import default_corpus, read_corpus


def make_corpus(path: Path, size: int) -> None:
    papers = list(read_corpus(default_corpus()))
    with path.open("w", encoding="utf-8") as out:
        for i in range(size):
            paper = papers[i % len(papers)]
            record = {
                "id": f"bench-{i}",
                "title": f"{paper.title} ({i})",
                "abstract": paper.abstract,
            }
            out.write(json.dumps(record) + "\n")


def run_extract(corpus: Path, workers: int) -> tuple[float, float]:
    """Seconds and peak RSS (MiB, largest single process) of one `alignkg extract`."""
    command = [
        sys.executable,
        "-m",
        "alignkg",
        "extract",
        str(corpus),
        "-o",
        os.devnull,
        "--workers",
        str(workers),
    ]
    # Each measurement in a fresh child so ru_maxrss is this run's alone.
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True)\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *command], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), float(out[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            corpus = Path(tmp) / f"corpus-{size}.jsonl"
            make_corpus(corpus, size)
            for workers in args.workers:
                seconds, rss = run_extract(corpus, workers)
                rows.append((size, workers, seconds, size / seconds, rss))
                print(
                    f"{size:>7} abstracts, {workers} worker(s): {seconds:7.1f} s, "
                    f"{size / seconds:7.0f} abstracts/s, peak RSS {rss:6.0f} MiB",
                    flush=True,
                )
    base = {(s, w): r for s, w, _, r, _ in rows}
    for size in args.sizes:
        if (size, 1) in base and (size, 2) in base:
            print(f"speed-up with 2 workers at {size}: {base[(size, 2)] / base[(size, 1)]:.2f}x")
    rss = {(s, w): m for s, w, _, _, m in rows}
    lo, hi = min(args.sizes), max(args.sizes)
    if lo != hi and (lo, 1) in rss and (hi, 1) in rss:
        print(f"peak RSS ratio {hi}/{lo} abstracts (1 worker): {rss[(hi, 1)] / rss[(lo, 1)]:.2f}")


if __name__ == "__main__":
    main()
