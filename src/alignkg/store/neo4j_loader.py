"""Writing a KnowledgeGraph into Neo4j.

The loader applies cypher/schema.cypher, then writes with batched `UNWIND $rows ... MERGE`,
one managed transaction per batch (the driver retries transient errors), and finally
deletes what the graph no longer holds. Every write is a MERGE on ids followed by a SET of
all properties, so loading twice changes nothing and a load cut half-way, run again, ends
complete. Readers may see a half-written graph while a load runs: unlike the embedded
store, a Neo4j load is not all-or-nothing.

Labels, types and the property mapping are in store/neo4j_schema.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from neo4j import ManagedTransaction, Session

from alignkg.records import PAPER_LABEL, KnowledgeGraph
from alignkg.store import neo4j_schema as schema
from alignkg.store.base import StoreError
from alignkg.store.neo4j_schema import (
    ENTITY_LABEL,
    NODE_LABELS,
    RELATION_TYPES,
    SCHEMA_FILE,
    TYPE_LABELS,
    checked,
    label_of,
    match_by_id,
    schema_statements,
    split_by_label,
)

DEFAULT_BATCH_SIZE = 1000


# --- Cypher, from the fixed lists -----------------------------------------------------------


def merge_papers_query() -> str:
    return f"UNWIND $rows AS row MERGE {match_by_id('n', PAPER_LABEL, 'row.id')} SET n = row"


def merge_entities_query(type_: str) -> str:
    label = checked(type_, TYPE_LABELS)
    return (
        f"UNWIND $rows AS row MERGE {match_by_id('n', ENTITY_LABEL, 'row.id')} "
        f"SET n:{label} SET n = row"
    )


def merge_relations_query(type_: str, head_label: str, tail_label: str) -> str:
    rel = checked(type_, RELATION_TYPES)
    return (
        f"UNWIND $rows AS row MATCH {match_by_id('h', head_label, 'row.head')} "
        f"MATCH {match_by_id('t', tail_label, 'row.tail')} "
        f"MERGE (h)-[r:{rel}]->(t) SET r = row.props"
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


def write_plan(graph: KnowledgeGraph) -> dict[str, list[dict[str, Any]]]:
    """Each MERGE query with its rows, in writing order: papers, entities (one query per
    type, for its label), then relationships (one query per type and end labels)."""
    plan = {merge_papers_query(): [schema.paper_props(k, p) for k, p in graph.papers.items()]}
    by_type: dict[str, list[dict]] = defaultdict(list)
    for entity in graph.entities.values():
        by_type[entity.type.value].append(schema.entity_props(entity))
    for type_, rows in sorted(by_type.items()):
        plan[merge_entities_query(type_)] = rows
    for (type_, head_label, tail_label), pairs in _relation_groups(graph.relations).items():
        plan[merge_relations_query(type_, head_label, tail_label)] = [
            {"head": h, "tail": t, "props": schema.relation_props(graph.relations[(h, type_, t)])}
            for h, t in pairs
        ]
    return plan


class GraphLoader:
    """Writes graphs through one session, `batch_size` rows per transaction."""

    def __init__(
        self,
        session: Session,
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_batch: Callable[[str, int], None] | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.session = session
        self.batch_size = batch_size
        self.on_batch = on_batch  # told (query, rows) after each committed batch

    def write(self, query: str, rows: Sequence) -> None:
        for chunk in chunks(rows, self.batch_size):
            self.session.execute_write(_run_rows, query, chunk)
            if self.on_batch is not None:
                self.on_batch(query, len(chunk))

    def apply_schema(self, path: Path = SCHEMA_FILE) -> None:
        # Schema commands cannot share a transaction with writes: each runs on its own.
        for statement in schema_statements(path):
            self.session.run(statement).consume()
        self.session.run("CALL db.awaitIndexes(300)").consume()

    def save(self, graph: KnowledgeGraph) -> None:
        """Make the database hold exactly `graph` (alignkg's labels and types)."""
        self.apply_schema()
        for query, rows in write_plan(graph).items():
            self.write(query, rows)
        self.remove_stale(graph)
        self.verify(graph)

    # --- what the graph no longer holds ---------------------------------------------------

    def _scalar(self, query: str, **params) -> Any:
        return self.session.run(query, params).single(strict=True)[0]

    def node_count(self, label: str) -> int:
        return self._scalar(f"MATCH (n:{checked(label, NODE_LABELS)}) RETURN count(n)")

    def relation_counts(self) -> dict[str, int]:
        records = self.session.run(
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
                stored = self.session.run(
                    f"MATCH (n:{checked(label, NODE_LABELS)}) RETURN n.id AS id"
                ).value("id")
                self.write(delete_nodes_query(label), sorted(set(stored) - set(ids)))
        wanted = defaultdict(int)
        for _, type_, _ in graph.relations:
            wanted[type_] += 1
        for type_, count in sorted(self.relation_counts().items()):
            if count <= wanted[type_]:
                continue
            stored = self.session.run(
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
