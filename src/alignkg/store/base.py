"""The query contract every store honours, embedded or Neo4j.

The contract tests in tests/test_store_contract.py run against each implementation, so
the CLI, the renderer and the exporters never need to know which store they talk to.
"""

from __future__ import annotations

from typing import Protocol

from alignkg.errors import AlignkgError
from alignkg.records import Entity, EntityDetail, GraphStats, KnowledgeGraph, Subgraph

DEFAULT_NODE_CAP = 250
"""Neighbourhoods larger than this are cut (Subgraph.truncated) so pages stay readable."""


class StoreError(AlignkgError):
    """A store cannot be reached or read; the message is one line, for the user."""

    exit_code = 2


class GraphStore(Protocol):
    def save(self, graph: KnowledgeGraph) -> None:
        """Replace the stored graph by `graph`, all or nothing."""

    def load_graph(self) -> KnowledgeGraph:
        """The whole stored graph."""

    def is_empty(self) -> bool: ...

    def resolve(self, name: str) -> Entity | None:
        """The entity named `name` through its name or any alias, case- and punctuation-
        insensitively (see keys.match_key)."""

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        """Names closest to an unknown `name`, best first."""

    def neighborhood(
        self, entity_id: str, depth: int = 1, node_cap: int = DEFAULT_NODE_CAP
    ) -> Subgraph:
        """Nodes within `depth` hops of the entity (either direction, papers included)
        and every relation among them."""

    def detail(self, entity_id: str) -> EntityDetail: ...

    def search(self, text: str, limit: int = 20) -> list[Entity]:
        """Entities whose name or alias contains `text`, case-insensitively."""

    def stats(self) -> GraphStats: ...

    def close(self) -> None: ...
