"""Writing a KnowledgeGraph into Neo4j.

The loader takes the database's load lock (store/neo4j_lock.py), applies
cypher/schema.cypher, then writes with batched `UNWIND $rows ...` statements, one managed
transaction per batch (the driver retries transient errors, deadlocks included), `workers`
transactions at a time, and finally deletes what the graph no longer holds and checks the
counts. Into a database without alignkg nodes the statements CREATE (no lookup before each
write); otherwise every write is a MERGE on ids followed by a SET of all properties, so
loading twice changes nothing and a load cut half-way, run again, ends complete. Readers
may see a half-written graph while a load runs: unlike the embedded store, a Neo4j load is
not all-or-nothing.

Nodes are written before relationships, relationships one type (and pair of end labels)
at a time, sorted by their ends, so the batches running together touch mostly different
nodes. Labels, types and the property mapping are in store/neo4j_schema.py.
"""

from __future__ import annotations

import gc
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from neo4j import Driver, ManagedTransaction

from alignkg.records import PAPER_LABEL, KnowledgeGraph
from alignkg.store import neo4j_schema as schema
from alignkg.store.base import StoreError
from alignkg.store.neo4j_lock import load_lock
from alignkg.store.neo4j_schema import (
    ENTITY_LABEL,
    NODE_LABELS,
    RELATION_PROPERTIES,
    RELATION_TYPES,
    SCHEMA_FILE,
    TYPE_LABELS,
    checked,
    label_of,
    match_by_id,
    schema_statements,
    split_by_label,
)

DEFAULT_BATCH_SIZE = 5000
DEFAULT_WORKERS = 2
"""Transactions in flight: one is packed by the client while the server runs the other."""


# --- Cypher, from the fixed lists -----------------------------------------------------------


def papers_query(create: bool = False) -> str:
    if create:
        return f"UNWIND $rows AS row CREATE (n:{PAPER_LABEL}) SET n = row"
    return f"UNWIND $rows AS row MERGE {match_by_id('n', PAPER_LABEL, 'row.id')} SET n = row"


def entities_query(type_: str, create: bool = False) -> str:
    label = checked(type_, TYPE_LABELS)
    if create:
        return f"UNWIND $rows AS row CREATE (n:{ENTITY_LABEL}:{label}) SET n = row"
    return (
        f"UNWIND $rows AS row MERGE {match_by_id('n', ENTITY_LABEL, 'row.id')} "
        f"SET n:{label} SET n = row"
    )


# A relationship row is a list: [head id, tail id, *the values of RELATION_PROPERTIES].
_RELATION_MAP = ", ".join(f"{name}: row[{i}]" for i, name in enumerate(RELATION_PROPERTIES, 2))


def relations_query(type_: str, head_label: str, tail_label: str, create: bool = False) -> str:
    rel = checked(type_, RELATION_TYPES)
    return (
        f"UNWIND $rows AS row MATCH {match_by_id('h', head_label, 'row[0]')} "
        f"MATCH {match_by_id('t', tail_label, 'row[1]')} "
        f"{'CREATE' if create else 'MERGE'} (h)-[r:{rel}]->(t) SET r = {{{_RELATION_MAP}}}"
    )


def delete_nodes_query(label: str) -> str:
    return f"UNWIND $rows AS row MATCH {match_by_id('n', label, 'row')} DETACH DELETE n"


def delete_relations_query(type_: str, head_label: str, tail_label: str) -> str:
    rel = checked(type_, RELATION_TYPES)
    return (
        f"UNWIND $rows AS row MATCH {match_by_id('h', head_label, 'row.head')}"
        f"-[r:{rel}]->{match_by_id('t', tail_label, 'row.tail')} DELETE r"
    )


# --- the loader -----------------------------------------------------------------------------


def chunks(rows: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _run_rows(tx: ManagedTransaction, query: str, rows: Sequence) -> None:
    tx.run(query, rows=list(rows)).consume()


def _relation_groups(
    keys: Iterable[tuple[str, str, str]],
) -> dict[tuple[str, str, str], list[tuple[str, str]]]:
    """(type, head label, tail label) -> [(head, tail)], so each group has one query."""
    groups: dict[tuple[str, str, str], list[tuple[str, str]]] = defaultdict(list)
    for head, type_, tail in sorted(keys):
        groups[(type_, label_of(head), label_of(tail))].append((head, tail))
    return groups


def node_plan(graph: KnowledgeGraph, create: bool = False) -> Iterator[tuple[str, list]]:
    """Papers, then entities (one query per type, for its label), each query with its
    rows, made as they are asked for. `create`: CREATE instead of MERGE."""
    yield papers_query(create), [schema.paper_props(k, p) for k, p in graph.papers.items()]
    by_type: dict[str, list] = defaultdict(list)
    for entity in graph.entities.values():
        by_type[entity.type.value].append(entity)
    for type_, entities in sorted(by_type.items()):
        yield entities_query(type_, create), [schema.entity_props(e) for e in entities]


def relation_plan(graph: KnowledgeGraph, create: bool = False) -> Iterator[tuple[str, list]]:
    """Relationships: one query per type and end labels, rows sorted by head and tail."""
    for (type_, head_label, tail_label), pairs in _relation_groups(graph.relations).items():
        rows = [[h, t, *schema.relation_values(graph.relations[(h, type_, t)])] for h, t in pairs]
        yield relations_query(type_, head_label, tail_label, create), rows


def write_plan(graph: KnowledgeGraph, create: bool = False) -> list[tuple[str, list[dict]]]:
    """Each query with its rows, in writing order: the nodes, then the relationships."""
    return [*node_plan(graph, create), *relation_plan(graph, create)]


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration. Making a load's rows
    allocates millions of small lists and dicts, which trigger collections that walk the
    whole graph in memory again and again: more than half the client's time (measured in
    bench/neo4j_load.py). The rows hold no reference cycles, so reference counting frees
    every batch once it is sent."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class GraphLoader:
    """Writes graphs into one database, `batch_size` rows per transaction, `workers`
    transactions at a time (each worker thread has its own session)."""

    def __init__(
        self,
        driver: Driver,
        database: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_batch: Callable[[str, int], None] | None = None,
        workers: int = DEFAULT_WORKERS,
        where: str = "Neo4j",
    ) -> None:
        if batch_size < 1 or workers < 1:
            raise ValueError("batch_size and workers must be at least 1")
        self.driver = driver
        self.database = database
        self.batch_size = batch_size
        self.on_batch = on_batch  # told (query, rows) after each committed batch
        self.workers = workers
        self.where = where  # for messages: the server (and database)
        self._local = threading.local()
        self._sessions: list = []
        self._guard = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def _session(self):
        """This thread's session, opened on first use."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = self.driver.session(database=self.database)
            with self._guard:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        for session in self._sessions:
            session.close()
        self._sessions.clear()
        self._local = threading.local()

    def _write_batch(self, query: str, rows: Sequence) -> None:
        self._session().execute_write(_run_rows, query, rows)
        if self.on_batch is not None:
            self.on_batch(query, len(rows))

    def write(self, query: str, rows: Sequence) -> None:
        """All `rows` through `query`, in batches; the first failure stops the rest."""
        self.write_phase([(query, rows)])

    def write_phase(self, plan: Iterable[tuple[str, Sequence]]) -> None:
        """Every query of `plan` with its rows, in batches, `workers` at a time; the plan's
        next rows are made while earlier batches are written. Returns when all are
        written; the first failure cancels the batches not yet started."""
        if self.workers == 1:
            for query, rows in plan:
                for batch in chunks(rows, self.batch_size):
                    self._write_batch(query, batch)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="alignkg-load")
        futures: list[Future] = []
        try:
            for query, rows in plan:
                for batch in chunks(rows, self.batch_size):
                    futures.append(self._pool.submit(self._write_batch, query, batch))
                if any(f.done() and f.exception() for f in futures):
                    break
        finally:
            _, pending = wait(futures, return_when=FIRST_EXCEPTION)
            for future in pending:
                future.cancel()
            wait(futures)  # the batches already running end before the error is told
        for future in futures:
            if not future.cancelled():
                future.result()  # raises the first failure

    def _run(self, query: str, **params) -> list:
        return list(self._session().run(query, params))

    def apply_schema(self, path: Path = SCHEMA_FILE) -> None:
        # Schema commands cannot share a transaction with writes: each runs on its own.
        for statement in schema_statements(path):
            self._session().run(statement).consume()
        self._session().run("CALL db.awaitIndexes(300)").consume()

    def holds_nothing(self) -> bool:
        """No alignkg node in the database (so nodes and relationships can be CREATEd)."""
        return all(self.node_count(label) == 0 for label in NODE_LABELS)

    def save(self, graph: KnowledgeGraph) -> None:
        """Make the database hold exactly `graph` (alignkg's labels and types); one load
        at a time per database (the lock)."""
        try:
            with load_lock(self.driver, self.database, self.where), cyclic_gc_paused():
                self.apply_schema()
                create = self.holds_nothing()
                # Nodes first: a relationship's ends must exist when it is written.
                self.write_phase(node_plan(graph, create))
                self.write_phase(relation_plan(graph, create))
                if not create:
                    self.remove_stale(graph)
                self.verify(graph)
        finally:
            self.close()

    # --- what the graph no longer holds ---------------------------------------------------

    def _scalar(self, query: str, **params) -> Any:
        return self._run(query, **params)[0][0]

    def node_count(self, label: str) -> int:
        return self._scalar(f"MATCH (n:{checked(label, NODE_LABELS)}) RETURN count(n)")

    def relation_counts(self) -> dict[str, int]:
        records = self._run(
            "MATCH ()-[r]->() WHERE type(r) IN $types RETURN type(r) AS type, count(r) AS n",
            types=list(RELATION_TYPES),
        )
        return {r["type"]: r["n"] for r in records}

    def remove_stale(self, graph: KnowledgeGraph) -> None:
        """Delete nodes and relationships absent from `graph`. After the merges the
        database holds all of `graph`, so a count equal to the graph's means nothing is
        stale and no ids need fetching."""
        wanted_nodes = split_by_label([*graph.papers, *graph.entities])
        for label, ids in wanted_nodes.items():
            if self.node_count(label) > len(ids):
                stored = [
                    r["id"]
                    for r in self._run(f"MATCH (n:{checked(label, NODE_LABELS)}) RETURN n.id AS id")
                ]
                self.write(delete_nodes_query(label), sorted(set(stored) - set(ids)))
        wanted = defaultdict(int)
        for _, type_, _ in graph.relations:
            wanted[type_] += 1
        for type_, count in sorted(self.relation_counts().items()):
            if count <= wanted[type_]:
                continue
            stored = self._run(
                f"MATCH (h)-[:{checked(type_, RELATION_TYPES)}]->(t) "
                "RETURN h.id AS head, t.id AS tail"
            )
            stale = {(r["head"], type_, r["tail"]) for r in stored} - set(graph.relations)
            for (_, head_label, tail_label), pairs in _relation_groups(stale).items():
                rows = [{"head": h, "tail": t} for h, t in pairs]
                self.write(delete_relations_query(type_, head_label, tail_label), rows)

    def verify(self, graph: KnowledgeGraph) -> None:
        """Counts must now equal the graph's; a mismatch means rows were not written."""
        expected = {
            PAPER_LABEL: len(graph.papers),
            ENTITY_LABEL: len(graph.entities),
            "relationships": len(graph.relations),
        }
        found = {label: self.node_count(label) for label in NODE_LABELS}
        found["relationships"] = sum(self.relation_counts().values())
        if found != expected:
            raise StoreError(
                f"Neo4j holds {found} after the load but the graph has {expected}; load again"
            )
