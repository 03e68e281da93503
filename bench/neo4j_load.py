"""Benchmark: rows per second into Neo4j: the batched loader, one MERGE per row, and
Neo4j's bulk importer (`neo4j-admin database import full`), in one run.

Not a test (nothing is timed in tests). Builds a synthetic graph (default 100,000 nodes and
300,000 relationships), then:

  batched   Neo4jStore.save into an empty database: the lock, the schema, `UNWIND $rows
            ... CREATE` (the database holds no alignkg nodes), --batch-size rows per
            transaction, --workers transactions in flight, and the count verification;
  reload    Neo4jStore.save of the same graph again: MERGE on ids, nothing changes;
  per row   the same MERGE statements without UNWIND (`WITH $row AS row ...`), one
            auto-commit transaction per row: the straightforward way to write a graph;
  import    `alignkg export neo4j-import` (the CSV files) and `neo4j-admin database import
            full` into a fresh, stopped server home sharing the running server's jars
            (scripts/neo4j-local admin); the figure is the importer's wall time, JVM start
            included, and the CSV writing is printed apart.

An untimed load of a graph a twentieth the size comes first: the first load after a
server start is several times slower while the server's JIT compiles (a long-running
server has had that). Rows are nodes + relationships. Prints the rates, each with the
machine's load average (the rates depend on it; the ratios in one run much less), and the
ratios to one MERGE per row.

    eval "$(scripts/neo4j-local start)"
    .venv/bin/python bench/neo4j_load.py [--nodes 100000] [--rels 300000] [--batch-size 5000]

The database must be empty, or pass --wipe to empty it (everything in it is deleted).
The per-row run takes many minutes at the default size, so it runs on a graph of the same
shape a tenth the size (--per-row-nodes/--per-row-rels; the rate is per row, so it stays
comparable). neo4j-rust-ext (`pip install 'alignkg[fast]'`) is used when installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from alignkg.records import (
    Entity,
    EntityType,
    Evidence,
    KnowledgeGraph,
    Paper,
    Relation,
    RelationType,
    paper_node_id,
)
from alignkg.store.base import StoreError
from alignkg.store.neo4j import Neo4jStore
from alignkg.store.neo4j_import import write_import_files
from alignkg.store.neo4j_loader import DEFAULT_BATCH_SIZE, DEFAULT_WORKERS, GraphLoader, write_plan

NEO4J_LOCAL = Path(__file__).resolve().parents[1] / "scripts" / "neo4j-local"

PAPER_SHARE = 0.1  # of the nodes
# Relation types by the kinds of their ends, as GUIDELINES.md has them.
FROM_PAPERS = {
    EntityType.METHOD: (RelationType.PROPOSES, RelationType.USES),
    EntityType.MODEL: (RelationType.PROPOSES, RelationType.USES),
    EntityType.DATASET: (RelationType.INTRODUCES, RelationType.EVALUATES_ON),
    EntityType.TASK: (RelationType.ADDRESSES,),
    EntityType.ORGANIZATION: (RelationType.AFFILIATED_WITH,),
}
BETWEEN_ENTITIES = {
    (EntityType.METHOD, EntityType.METHOD): (RelationType.EXTENDS, RelationType.OUTPERFORMS),
    (EntityType.MODEL, EntityType.MODEL): (RelationType.BASED_ON, RelationType.OUTPERFORMS),
    (EntityType.MODEL, EntityType.METHOD): (RelationType.TRAINED_WITH,),
}


def synthetic_graph(nodes: int, rels: int, seed: int = 7) -> KnowledgeGraph:
    """A random graph of the real graph's shape: papers pointing to entities, and entities
    extending, outperforming, based on or trained with each other; one evidence each."""
    rng = random.Random(seed)
    graph = KnowledgeGraph()
    n_papers = max(1, int(nodes * PAPER_SHARE))
    for i in range(n_papers):
        paper = Paper(
            id=f"synthetic-{i:07d}",
            title=f"Synthetic paper {i}",
            abstract=f"We study alignment method {i}. " * 5,
            date=f"{2019 + i % 7}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            authors=(f"Author {i}", f"Author {i + 1}"),
            author_count=2,
            upvotes=i % 100,
        )
        graph.papers[paper_node_id(paper.id)] = paper
    types = list(EntityType)
    by_type: dict[EntityType, list[str]] = {t: [] for t in types}
    for i in range(nodes - n_papers):
        type_ = types[i % len(types)]
        name = f"{type_.value} {i}"
        entity = Entity(
            id=f"{type_.value.lower()}/e{i}",
            name=name,
            type=type_,
            aliases=(f"{name} long form",) if i % 3 == 0 else (),
            papers=(rng.choice(list(graph.papers)),),
        )
        graph.entities[entity.id] = entity
        by_type[type_].append(entity.id)
    papers = list(graph.papers)
    pairs = list(BETWEEN_ENTITIES)
    while len(graph.relations) < rels:
        if rng.random() < 0.7:
            tail_type = rng.choice(list(FROM_PAPERS))
            head, tail = rng.choice(papers), rng.choice(by_type[tail_type])
            type_ = rng.choice(FROM_PAPERS[tail_type])
        else:
            head_type, tail_type = rng.choice(pairs)
            head, tail = rng.choice(by_type[head_type]), rng.choice(by_type[tail_type])
            type_ = rng.choice(BETWEEN_ENTITIES[(head_type, tail_type)])
        if head == tail:
            continue
        sentence = f"{head} {type_.value.lower()} {tail}."
        evidence = Evidence(
            papers[len(graph.relations) % len(papers)].removeprefix("paper/"),
            sentence,
            0,
            len(sentence),
            "synthetic",
            0.5,
        )
        graph.relations.setdefault(
            (head, type_.value, tail), Relation(head, type_, tail, (evidence,))
        )
    return graph


def load_average() -> str:
    """The machine's load average (1, 5, 15 min) and cores: the rates depend on it."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} cores"


def wipe(store: Neo4jStore) -> None:
    """Empty the database in transactions of 1,000 nodes (one would need a large heap)."""
    with store.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS").consume()


def count_nodes(store: Neo4jStore) -> int:
    records, _, _ = store.driver.execute_query("MATCH (n) RETURN count(n) AS n")
    return records[0]["n"]


def batched(store: Neo4jStore, graph: KnowledgeGraph, fresh: bool = True) -> float:
    """Seconds for Neo4jStore.save, into an empty database unless not `fresh`."""
    if fresh:
        wipe(store)
    started = time.perf_counter()
    store.save(graph)
    return time.perf_counter() - started


def bulk_import(graph: KnowledgeGraph) -> tuple[float, float, str]:
    """(seconds writing the CSV files, seconds of neo4j-admin import, its own summary)."""
    jars = (
        Path(os.environ.get("ALIGNKG_NEO4J_HOME") or Path.home() / ".cache/alignkg/neo4j-5.26")
        / "lib"
    )
    with tempfile.TemporaryDirectory(prefix="alignkg-import-") as tmp:
        started = time.perf_counter()
        files = write_import_files(graph, Path(tmp) / "csv")
        exported = time.perf_counter() - started
        home = Path(tmp) / "home"
        home.mkdir()
        (home / "lib").symlink_to(jars)
        env = {**os.environ, "ALIGNKG_NEO4J_HOME": str(home), "NEO4J_HEAP": "1g"}
        started = time.perf_counter()
        done = subprocess.run(
            [str(NEO4J_LOCAL), "admin", "database", "import", "full", "neo4j"]
            + [f"@{files.args_file}"],
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        output = done.stdout + done.stderr
        if done.returncode != 0 or "IMPORT DONE" not in output:
            raise SystemExit(f"neo4j-admin import failed:\n{output[-3000:]}")
        summary = " ".join(
            re.findall(r"IMPORT DONE in [^.]*\.|\d+ (?:nodes|relationships)", output)
        )
    return exported, seconds, summary


def per_row(store: Neo4jStore, graph: KnowledgeGraph) -> float:
    """Seconds to write the same rows one MERGE statement (and transaction) per row."""
    wipe(store)
    loader = GraphLoader(store.driver, store.database)
    loader.apply_schema()
    with store.session() as session:
        plan = write_plan(graph)
        started = time.perf_counter()
        for query, rows in plan:
            single = query.replace("UNWIND $rows AS row", "WITH $row AS row", 1)
            for row in rows:
                session.run(single, row=row).consume()
        seconds = time.perf_counter() - started
    loader.verify(graph)
    loader.close()
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--rels", type=int, default=300_000)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--per-row-nodes", type=int, help="per-row graph nodes [nodes/10]")
    parser.add_argument("--per-row-rels", type=int, help="per-row graph relations [rels/10]")
    parser.add_argument("--skip", nargs="*", default=[], choices=["reload", "per-row", "import"])
    parser.add_argument("--wipe", action="store_true", help="empty a non-empty database first")
    args = parser.parse_args(argv)

    try:
        store = Neo4jStore.from_env(batch_size=args.batch_size)
    except StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    store.workers = args.workers
    with store:
        if count_nodes(store) and not args.wipe:
            print(
                "error: the database is not empty; pass --wipe to delete everything in it",
                file=sys.stderr,
            )
            return 2
        graph = synthetic_graph(args.nodes, args.rels)
        rows = len(graph.papers) + len(graph.entities) + len(graph.relations)
        rust = importlib.util.find_spec("neo4j._rust") is not None
        print(
            f"synthetic graph: {len(graph.papers) + len(graph.entities):,} nodes, "
            f"{len(graph.relations):,} relationships ({rows:,} rows); Neo4j at {store.uri}; "
            f"neo4j-rust-ext {'installed' if rust else 'not installed'}",
            flush=True,
        )
        rates: dict[str, float] = {}

        def report(name: str, n: int, seconds: float, note: str = "") -> None:
            rates[name] = n / seconds
            print(
                f"{name}: {n:,} rows in {seconds:.1f} s = {rates[name]:,.0f} rows/s{note}; "
                f"{load_average()}",
                flush=True,
            )

        # The server's JIT compiles the load's code paths on first use (the first load
        # after a start is several times slower): an untimed small load first, as a
        # long-running server has had. The per-row run comes later, so it is warm too.
        warm = synthetic_graph(max(1, args.nodes // 20), args.rels // 20, seed=11)
        started = time.perf_counter()
        batched(store, warm)
        print(
            f"warm-up (untimed): batched save of {len(warm.relations):,} relationships "
            f"in {time.perf_counter() - started:.1f} s; {load_average()}",
            flush=True,
        )

        report(
            "batched",
            rows,
            batched(store, graph),
            f" ({args.batch_size} rows/transaction, {args.workers} in flight, CREATE)",
        )
        if "reload" not in args.skip:
            report("reload", rows, batched(store, graph, fresh=False), " (MERGE, no changes)")
        if "per-row" not in args.skip:
            small = synthetic_graph(
                args.per_row_nodes or args.nodes // 10, args.per_row_rels or args.rels // 10
            )
            small_rows = len(small.papers) + len(small.entities) + len(small.relations)
            report("per row", small_rows, per_row(store, small), " (one MERGE per transaction)")
        if "import" not in args.skip:
            exported, seconds, summary = bulk_import(graph)
            report(
                "neo4j-admin import",
                rows,
                seconds,
                f" ({summary}; CSV written in {exported:.1f} s)",
            )
        wipe(store)
        if "per row" in rates:
            for name in ("batched", "reload", "neo4j-admin import"):
                if name in rates:
                    print(
                        f"ratio: {name} is {rates[name] / rates['per row']:.1f}x one MERGE per row"
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
