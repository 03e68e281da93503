"""The embedded default store: one JSON file under the data directory, queried with networkx.

Writes go to a temporary file in the same directory and are renamed over the old one,
so an interrupted build leaves the previous graph intact, never a broken one.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cached_property
from pathlib import Path

import networkx as nx

from alignkg.files import write_atomically
from alignkg.keys import match_key
from alignkg.records import (
    PAPER_LABEL,
    Entity,
    EntityDetail,
    GraphStats,
    KnowledgeGraph,
    Node,
    Subgraph,
)
from alignkg.serialize import graph_from_dict, graph_to_dict
from alignkg.store.base import DEFAULT_NODE_CAP, StoreError
from alignkg.store.ranking import (
    breadth_first,
    closest_names,
    matches_search,
    pick_resolution,
    search_rank,
)

GRAPH_FILE = "graph.json"


class EmbeddedStore:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / GRAPH_FILE

    # --- writing -----------------------------------------------------------------

    def save(self, graph: KnowledgeGraph) -> None:
        text = json.dumps(graph_to_dict(graph), ensure_ascii=False, indent=1) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, text)
        except OSError as err:
            raise StoreError(f"cannot write {self.path}: {err.strerror}") from err
        self.__dict__.pop("graph", None)
        self.__dict__.pop("_index", None)
        self.__dict__.pop("_nx", None)

    # --- reading -----------------------------------------------------------------

    def is_empty(self) -> bool:
        return not self.path.exists()

    @cached_property
    def graph(self) -> KnowledgeGraph:
        if not self.path.exists():
            return KnowledgeGraph()
        try:
            return graph_from_dict(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise StoreError(
                f"{self.path}: not a readable alignkg graph ({err}); run 'alignkg build' again"
            ) from err

    def load_graph(self) -> KnowledgeGraph:
        return self.graph

    @cached_property
    def _index(self) -> dict[str, list[Entity]]:
        index: dict[str, list[Entity]] = defaultdict(list)
        for entity in self.graph.entities.values():
            for form in {entity.name, *entity.aliases}:
                index[match_key(form)].append(entity)
        return index

    @cached_property
    def _nx(self) -> nx.MultiDiGraph:
        g = nx.MultiDiGraph()
        g.add_nodes_from(self.graph.papers)
        g.add_nodes_from(self.graph.entities)
        for key, rel in self.graph.relations.items():
            g.add_edge(rel.head, rel.tail, key=key)
        return g

    def resolve(self, name: str) -> Entity | None:
        return pick_resolution(self._index.get(match_key(name), ()), name)

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        forms = {f for e in self.graph.entities.values() for f in (e.name, *e.aliases)}
        return closest_names(name, forms, limit)

    def _node(self, node_id: str) -> Node:
        graph = self.graph
        if node_id in graph.papers:
            return Node(id=node_id, label=graph.papers[node_id].title, kind=PAPER_LABEL)
        entity = graph.entities[node_id]
        return Node(id=node_id, label=entity.name, kind=entity.type.value, aliases=entity.aliases)

    def neighborhood(
        self, entity_id: str, depth: int = 1, node_cap: int = DEFAULT_NODE_CAP
    ) -> Subgraph:
        undirected = self._nx.to_undirected(as_view=True)
        order, truncated = breadth_first(
            entity_id,
            depth,
            node_cap,
            lambda frontier: {node: list(undirected.neighbors(node)) for node in frontier},
        )
        seen = set(order)
        relations = tuple(
            rel
            for key, rel in sorted(self.graph.relations.items())
            if rel.head in seen and rel.tail in seen
        )
        return Subgraph(
            focus=self.graph.entities[entity_id],
            depth=depth,
            nodes=tuple(self._node(n) for n in order),
            relations=relations,
            truncated=truncated,
        )

    def detail(self, entity_id: str) -> EntityDetail:
        entity = self.graph.entities[entity_id]
        relations = tuple(
            rel
            for _, rel in sorted(self.graph.relations.items())
            if entity_id in (rel.head, rel.tail)
        )
        papers = tuple(self.graph.papers[p] for p in entity.papers)
        others = sorted(({r.head for r in relations} | {r.tail for r in relations}) - {entity_id})
        return EntityDetail(
            entity=entity,
            papers=papers,
            relations=relations,
            neighbours=tuple(self._node(n) for n in others),
        )

    def search(self, text: str, limit: int = 20) -> list[Entity]:
        hits = [e for e in self.graph.entities.values() if matches_search(e, text)]
        return sorted(hits, key=lambda e: search_rank(e, text))[:limit]

    def stats(self) -> GraphStats:
        entities: dict[str, int] = defaultdict(int)
        relations: dict[str, int] = defaultdict(int)
        for entity in self.graph.entities.values():
            entities[entity.type.value] += 1
        for rel in self.graph.relations.values():
            relations[rel.type.value] += 1
        return GraphStats(
            papers=len(self.graph.papers),
            entities_by_type=dict(sorted(entities.items())),
            relations_by_type=dict(sorted(relations.items())),
        )

    def close(self) -> None:
        pass
