"""A helper of the Neo4j tests (a plain module, not a pytest plugin)."""

from __future__ import annotations

from alignkg.records import KnowledgeGraph


def copy_graph(graph: KnowledgeGraph) -> KnowledgeGraph:
    """A copy of `graph` whose dicts can be changed without touching the original."""
    return KnowledgeGraph(
        papers=dict(graph.papers), entities=dict(graph.entities), relations=dict(graph.relations)
    )
