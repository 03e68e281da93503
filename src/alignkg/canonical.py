"""Canonicalization: one node per real thing.

Per-paper extractions are merged into a KnowledgeGraph. Two extracted entities of the
same type are the same thing when a name or alias of one has the match key of a name or
alias of the other ("DPO" / "Direct Preference Optimization", "Dromedary 2" /
"Dromedary-2"). Sizes and versions survive the key (LLaMA-2-70b vs LLaMA-2-Chat-70b,
GPT-4 vs GPT-4o), so they stay apart.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from alignkg.keys import match_key, slug
from alignkg.records import (
    PAPER_REF,
    Entity,
    EntityType,
    Evidence,
    KnowledgeGraph,
    PaperExtraction,
    Relation,
    RelationType,
    paper_node_id,
)


def _is_acronym(name: str) -> bool:
    return len(name) <= 8 and " " not in name and sum(c.isupper() for c in name) >= 2


class _Cluster:
    """Extracted entities of one type believed to be the same thing."""

    def __init__(self, type_: EntityType) -> None:
        self.type = type_
        self.names: Counter[str] = Counter()  # surface form used as the extraction's name
        self.aliases: set[str] = set()
        self.papers: set[str] = set()
        self.merged_into: _Cluster | None = None  # union-find: set when absorbed

    def representative(self) -> _Cluster:
        """The cluster this one was folded into (itself when it was not)."""
        root = self
        while root.merged_into is not None:
            root = root.merged_into
        node = self
        while node.merged_into is not None:  # path compression
            node.merged_into, node = root, node.merged_into
        return root

    @property
    def surface_forms(self) -> set[str]:
        return set(self.names) | self.aliases

    @property
    def expansions(self) -> set[str]:
        return {match_key(a) for a in self.surface_forms if not _is_acronym(a)}

    def absorb(self, other: _Cluster) -> None:
        self.names.update(other.names)
        self.aliases |= other.aliases
        self.papers |= other.papers

    def canonical_name(self) -> str:
        # The form most papers use as the name; ties go to the shorter, the one without
        # spaces ("Dromedary-2"), then the alphabetical first.
        return min(self.names, key=lambda n: (-self.names[n], len(n), " " in n, n))


def _compatible(a: _Cluster, b: _Cluster, shared_keys: set[str]) -> bool:
    """Same acronym, different spelled-out meanings ("PAS" for two unrelated systems) is
    a collision, not an identity; any shared non-acronym form is an identity."""
    if shared_keys - {match_key(n) for n in a.surface_forms | b.surface_forms if _is_acronym(n)}:
        return True
    return not (a.expansions and b.expansions) or bool(a.expansions & b.expansions)


def build_graph(extractions: Iterable[PaperExtraction]) -> KnowledgeGraph:
    """Merge per-paper extractions into one graph, deterministically."""
    graph = KnowledgeGraph()
    clusters: list[_Cluster] = []
    by_key: dict[tuple[EntityType, str], _Cluster] = {}
    local_refs: list[tuple[str, dict[str, _Cluster], PaperExtraction]] = []

    for extraction in extractions:
        paper = extraction.paper
        node_id = paper_node_id(paper.id)
        if node_id in graph.papers:
            continue  # the same paper twice is one paper
        graph.papers[node_id] = paper
        in_paper: dict[str, _Cluster] = {}
        for extracted in extraction.entities:
            cluster = _Cluster(extracted.type)
            cluster.names[extracted.name] += 1
            cluster.aliases.update(extracted.aliases)
            cluster.papers.add(node_id)
            cluster = _merge_into_existing(cluster, by_key, clusters)
            for form in cluster.surface_forms:
                by_key[(cluster.type, match_key(form))] = cluster
            for form in (extracted.name, *extracted.aliases):
                in_paper[form] = cluster
        local_refs.append((paper.id, in_paper, extraction))

    ids = _assign_ids(clusters)
    for cluster in clusters:
        entity_id = ids[id(cluster)]
        name = cluster.canonical_name()
        graph.entities[entity_id] = Entity(
            id=entity_id,
            name=name,
            type=cluster.type,
            aliases=_distinct_aliases(cluster.surface_forms, name),
            papers=tuple(sorted(cluster.papers)),
        )

    evidence: dict[tuple[str, str, str], list[Evidence]] = defaultdict(list)
    for paper_id, in_paper, extraction in local_refs:
        for rel in extraction.relations:
            head = _node_id(rel.head, paper_id, in_paper, ids)
            tail = _node_id(rel.tail, paper_id, in_paper, ids)
            if head is None or tail is None or head == tail:
                continue
            evidence[(head, rel.type.value, tail)].append(rel.evidence)

    for key in sorted(evidence):
        head, type_, tail = key
        items = sorted(set(evidence[key]), key=lambda e: (e.paper_id, e.start, e.rule))
        rel = Relation(head=head, type=RelationType(type_), tail=tail, evidence=tuple(items))
        graph.relations[key] = rel
    graph.entities = dict(sorted(graph.entities.items()))
    graph.papers = dict(sorted(graph.papers.items()))
    return graph


def _merge_into_existing(
    cluster: _Cluster,
    by_key: dict[tuple[EntityType, str], _Cluster],
    clusters: list[_Cluster],
) -> _Cluster:
    """Fold `cluster` into every compatible known cluster sharing one of its keys."""
    keys = {match_key(f) for f in cluster.surface_forms}
    target: _Cluster | None = None
    for key in sorted(keys):
        known = by_key.get((cluster.type, key))
        if known is None or known is target:
            continue
        shared = keys & {match_key(f) for f in known.surface_forms}
        if not _compatible(known, cluster, shared):
            continue
        if target is None:
            known.absorb(cluster)
            target = known
        else:  # the new entity bridges two known clusters: join them
            target.absorb(known)
            known.merged_into = target  # papers that saw `known` now resolve to `target`
            clusters.remove(known)
            for form in known.surface_forms:
                by_key[(known.type, match_key(form))] = target
    if target is None:
        clusters.append(cluster)
        return cluster
    return target


def _distinct_aliases(forms: set[str], name: str) -> tuple[str, ...]:
    """Other surface forms, one per case-insensitive spelling (the sorted-first wins)."""
    chosen: dict[str, str] = {name.casefold(): name}
    for form in sorted(forms):
        chosen.setdefault(form.casefold(), form)
    return tuple(sorted((f for f in chosen.values() if f != name), key=str.casefold))


def _assign_ids(clusters: list[_Cluster]) -> dict[int, str]:
    """Stable ids: "<type>/<slug of canonical name>", numbered on collision in a fixed order."""
    ids: dict[int, str] = {}
    taken: Counter[str] = Counter()
    ordered = sorted(
        clusters,
        key=lambda c: (c.type.value, c.canonical_name(), sorted(c.surface_forms)),
    )
    for cluster in ordered:
        base = f"{cluster.type.value.lower()}/{slug(cluster.canonical_name())}"
        taken[base] += 1
        ids[id(cluster)] = base if taken[base] == 1 else f"{base}-{taken[base]}"
    return ids


def _node_id(
    ref: str, paper_id: str, in_paper: dict[str, _Cluster], ids: dict[int, str]
) -> str | None:
    if ref == PAPER_REF:
        return paper_node_id(paper_id)
    cluster = in_paper.get(ref)
    return ids[id(cluster.representative())] if cluster is not None else None
