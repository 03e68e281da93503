"""Benchmark: rows per second written by the batched loader versus one MERGE per row.

Not a test (nothing is timed in tests). Builds a synthetic graph (default 100,000 nodes and
300,000 relationships), then into an empty Neo4j database:

  batched  Neo4jStore.save: `UNWIND $rows ... MERGE`, --batch-size rows per transaction,
           including the schema, the stale-data check and the count verification;
  per row  the same MERGE statements without UNWIND (`WITH $row AS row ...`), one
           auto-commit transaction per row: the straightforward way to write a graph.

Rows are nodes + relationships. Prints both rates and their ratio.

    eval "$(scripts/neo4j-local start)"
    .venv/bin/python bench/neo4j_load.py [--nodes 100000] [--rels 300000] [--batch-size 1000]

The database must be empty, or pass --wipe to empty it (everything in it is deleted).
The per-row run takes minutes at the default size; --per-row-nodes/--per-row-rels time it on
a smaller graph of the same shape instead (the rate is per row, so it stays comparable).
"""

from __future__ import annotations

import argparse
import random
import sys
import time

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
from alignkg.store.neo4j_loader import GraphLoader, write_plan

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


def wipe(store: Neo4jStore) -> None:
    """Empty the database in transactions of 1,000 nodes (one would need a large heap)."""
    with store.session() as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS").consume()


def count_nodes(store: Neo4jStore) -> int:
    records, _, _ = store.driver.execute_query("MATCH (n) RETURN count(n) AS n")
    return records[0]["n"]


def batched(store: Neo4jStore, graph: KnowledgeGraph) -> float:
    """Seconds for Neo4jStore.save into an empty database."""
    wipe(store)
    started = time.perf_counter()
    store.save(graph)
    return time.perf_counter() - started


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
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--per-row-nodes", type=int, help="per-row run on this many nodes")
    parser.add_argument("--per-row-rels", type=int, help="per-row run on this many relations")
    parser.add_argument("--wipe", action="store_true", help="empty a non-empty database first")
    args = parser.parse_args(argv)

    try:
        store = Neo4jStore.from_env(batch_size=args.batch_size)
    except StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    with store:
        if count_nodes(store) and not args.wipe:
            print(
                "error: the database is not empty; pass --wipe to delete everything in it",
                file=sys.stderr,
            )
            return 2
        graph = synthetic_graph(args.nodes, args.rels)
        rows = len(graph.papers) + len(graph.entities) + len(graph.relations)
        print(
            f"synthetic graph: {len(graph.papers) + len(graph.entities):,} nodes, "
            f"{len(graph.relations):,} relationships ({rows:,} rows); "
            f"Neo4j at {store.uri}",
            flush=True,
        )

        seconds = batched(store, graph)
        batched_rate = rows / seconds
        print(
            f"batched (UNWIND, {args.batch_size} rows/transaction): {rows:,} rows in "
            f"{seconds:.1f} s = {batched_rate:,.0f} rows/s",
            flush=True,
        )

        small = graph
        if args.per_row_nodes or args.per_row_rels:
            small = synthetic_graph(
                args.per_row_nodes or args.nodes, args.per_row_rels or args.rels
            )
        small_rows = len(small.papers) + len(small.entities) + len(small.relations)
        seconds = per_row(store, small)
        per_row_rate = small_rows / seconds
        print(
            f"per row (one MERGE, one transaction each): {small_rows:,} rows in "
            f"{seconds:.1f} s = {per_row_rate:,.0f} rows/s",
            flush=True,
        )
        print(f"ratio: batched is {batched_rate / per_row_rate:.1f}x faster")
        wipe(store)
    return 0


if __name__ == "__main__":
    sys.exit(main())
