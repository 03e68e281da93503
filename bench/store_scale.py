"""The embedded store at scale: build time and peak memory, query latency, incremental add.

    python bench/store_scale.py [--sizes 1000,10000,50000,200000] [--work DIR]

Real abstracts (the bundled 55 alignment papers, which name DPO, then the 5,250 of
../shared/corpus/arxiv-ml-abstracts.jsonl) are extracted once with `alignkg extract`; a
corpus of N papers repeats those extractions with distinct paper ids and titles (" [k]"
appended to the k-th copy), so every size has the entity
names, relations and evidence of real text, and the hubs (DPO, RLHF, GPT-4...) grow with
N as they would. Builds run `alignkg build --from-extractions` (the extraction itself, a
map over papers, is measured once and its cost per paper reported beside), each in its own
process, so peak RSS is the build's own (wait4). Then, at each size:

- `alignkg neighborhood DPO` as a user runs it: wall and CPU time, peak RSS;
- in-process resolve + neighbourhood of 100 different names: the 100 most-cited entities
  (the hubs, the hardest) and 100 drawn at random: p50 and p95;
- at the largest size: `alignkg add` of 1,000 new papers vs the full build.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "arxiv-ml-abstracts.jsonl"
ALIGNKG = [sys.executable, "-m", "alignkg"]


def run_measured(args: list[str]) -> dict:
    """Run a command to completion; its wall time, CPU time and peak RSS (its own)."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed: {stderr.strip()}")
    return {
        "seconds": round(wall, 3),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
    }


def base_extractions(work: Path) -> tuple[list[dict], dict]:
    """Extractions of the 5,250 arXiv abstracts and of the bundled 55 alignment papers
    (where DPO is; the arXiv sample of machine learning never names it)."""
    lines = []
    for name, corpus in (("bundled", None), ("base", CORPUS)):
        path = work / f"{name}.extractions.jsonl"
        timing_file = work / f"{name}.timing.json"
        if not path.exists():
            source = [str(corpus)] if corpus else []
            timing = run_measured([*ALIGNKG, "extract", *source, "-o", str(path)])
            timing_file.write_text(json.dumps(timing))
        these = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        lines += these
        if name == "base":
            timing = json.loads(timing_file.read_text())
            timing["papers"] = len(these)
    return lines, timing


def copy_of(extraction: dict, k: int) -> dict:
    """The k-th copy of an extraction: a distinct paper id and title, same content."""
    if k == 0:
        return extraction
    paper_id = f"{extraction['paper_id']}-copy{k}"
    record = {**extraction["record"], "id": paper_id, "title": f"{extraction['paper']} [{k}]"}
    return {
        **extraction,
        "paper": record["title"],
        "paper_id": paper_id,
        "record": record,
        "relations": [
            {**r, "evidence": {**r["evidence"], "paper_id": paper_id}}
            for r in extraction["relations"]
        ],
    }


def write_corpus(base: list[dict], path: Path, start: int, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(start, start + count):
            extraction = copy_of(base[i % len(base)], i // len(base))
            out.write(json.dumps(extraction, ensure_ascii=False) + "\n")


def query_latency(data_dir: Path, names: int) -> dict:
    """resolve + neighborhood, in one process, of the `names` most-cited entities (the
    hubs, the hardest) and of `names` others drawn at random (seeded)."""
    import random

    from alignkg.store.embedded import EmbeddedStore

    store = EmbeddedStore(data_dir)
    hubs = [
        row[0]
        for row in store.db.execute(
            "SELECT name FROM entities ORDER BY paper_count DESC, id LIMIT ?", (names,)
        )
    ]
    everyone = [row[0] for row in store.db.execute("SELECT name FROM entities ORDER BY id")]
    drawn = random.Random(1).sample(everyone, min(names, len(everyone)))
    result = {}
    for label, chosen in (("hubs", hubs), ("random", drawn)):
        times = []
        for name in chosen:
            started = time.perf_counter()
            entity = store.resolve(name)
            store.neighborhood(entity.id)
            times.append((time.perf_counter() - started) * 1000)
        quantiles = statistics.quantiles(times, n=20)
        result[label] = {
            "names": len(chosen),
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(quantiles[18], 2),
            "max_ms": round(max(times), 2),
        }
    store.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000,200000")
    parser.add_argument("--work", type=Path, default=Path("/tmp/alignkg-store-scale"))
    parser.add_argument("--names", type=int, default=100)
    parser.add_argument("--add", type=int, default=1000)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    args.work.mkdir(parents=True, exist_ok=True)
    base, extraction = base_extractions(args.work)
    per_paper = extraction["seconds"] / extraction["papers"]
    print(
        f"extraction of {extraction['papers']} real abstracts: {extraction['seconds']:.1f}s "
        f"({extraction['papers'] / extraction['seconds']:.0f}/s), "
        f"peak {extraction['peak_rss_mib']} MiB",
        flush=True,
    )
    results = {"extraction": extraction, "sizes": {}}
    for size in sizes:
        corpus = args.work / f"corpus-{size}.jsonl"
        if not corpus.exists():
            write_corpus(base, corpus, 0, size)
        data_dir = args.work / f"store-{size}"
        shutil.rmtree(data_dir, ignore_errors=True)
        build = run_measured(
            [*ALIGNKG, "build", "--from-extractions", str(corpus), "--data-dir", str(data_dir)]
        )
        query = run_measured([*ALIGNKG, "neighborhood", "DPO", "--data-dir", str(data_dir)])
        latency = query_latency(data_dir, args.names)
        size_mib = (data_dir / "graph.sqlite").stat().st_size / 2**20
        row = {"build": build, "neighborhood_dpo": query, "latency": latency}
        row["store_mib"] = round(size_mib, 1)
        results["sizes"][size] = row
        print(
            f"{size:>7} papers: build {build['seconds']:.1f}s peak {build['peak_rss_mib']} MiB, "
            f"store {size_mib:.0f} MiB; neighborhood DPO {query['seconds']:.2f}s "
            f"(cpu {query['cpu_seconds']:.2f}s, {query['peak_rss_mib']} MiB); "
            f"100 hubs p50 {latency['hubs']['p50_ms']} ms p95 {latency['hubs']['p95_ms']} ms, "
            f"100 random p50 {latency['random']['p50_ms']} ms p95 {latency['random']['p95_ms']} ms",
            flush=True,
        )
    largest = max(sizes)
    new = args.work / f"add-{args.add}.jsonl"
    write_corpus(base, new, largest, args.add)
    added_dir = args.work / f"store-{largest}-add"
    shutil.rmtree(added_dir, ignore_errors=True)
    shutil.copytree(args.work / f"store-{largest}", added_dir)
    add = run_measured(
        [*ALIGNKG, "add", "--from-extractions", str(new), "--data-dir", str(added_dir)]
    )
    rebuild = results["sizes"][largest]["build"]["seconds"]
    with_extraction = rebuild + per_paper * largest
    add_with_extraction = add["seconds"] + per_paper * args.add
    results["add"] = {**add, "papers": args.add, "to": largest}
    print(
        f"add {args.add} papers to {largest}: {add['seconds']:.1f}s, peak "
        f"{add['peak_rss_mib']} MiB = {add['seconds'] / rebuild:.1%} of the full build from "
        f"extractions ({rebuild:.1f}s); with extraction "
        f"{add_with_extraction:.1f}s vs {with_extraction:.0f}s = "
        f"{add_with_extraction / with_extraction:.1%}",
        flush=True,
    )
    ten_k = results["sizes"].get(10000, {}).get("build")
    if ten_k:
        ratio = results["sizes"][largest]["build"]["peak_rss_mib"] / ten_k["peak_rss_mib"]
        print(f"build peak RSS at {largest} / at 10000: {ratio:.2f}x", flush=True)
    (args.work / "results.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
