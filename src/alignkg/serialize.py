"""Records to and from JSON-ready values, in one place.

Used by `extract`'s JSON Lines, the embedded store's file and `--json` output. Key order
is fixed and collections are sorted upstream, so the same graph gives the same bytes.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from alignkg.records import (
    Entity,
    EntityType,
    Evidence,
    ExtractedEntity,
    ExtractedRelation,
    KnowledgeGraph,
    Paper,
    PaperExtraction,
    Relation,
    RelationType,
)

GRAPH_FORMAT_VERSION = 1


def paper_to_dict(paper: Paper) -> dict[str, Any]:
    data = asdict(paper)
    data["authors"] = list(paper.authors)
    return data


def paper_from_dict(data: dict[str, Any]) -> Paper:
    return Paper(**{**data, "authors": tuple(data.get("authors", ()))})


def evidence_to_dict(evidence: Evidence) -> dict[str, Any]:
    return asdict(evidence)


def entity_to_dict(entity: Entity) -> dict[str, Any]:
    return {
        "id": entity.id,
        "name": entity.name,
        "type": entity.type.value,
        "aliases": list(entity.aliases),
        "papers": list(entity.papers),
        "links": list(entity.links),
    }


def entity_from_dict(data: dict[str, Any]) -> Entity:
    return Entity(
        id=data["id"],
        name=data["name"],
        type=EntityType(data["type"]),
        aliases=tuple(data["aliases"]),
        papers=tuple(data["papers"]),
        links=tuple(data.get("links", ())),
    )


def relation_to_dict(relation: Relation) -> dict[str, Any]:
    return {
        "head": relation.head,
        "type": relation.type.value,
        "tail": relation.tail,
        "evidence": [evidence_to_dict(e) for e in relation.evidence],
    }


def relation_from_dict(data: dict[str, Any]) -> Relation:
    return Relation(
        head=data["head"],
        type=RelationType(data["type"]),
        tail=data["tail"],
        evidence=tuple(Evidence(**e) for e in data["evidence"]),
    )


def extraction_to_dict(extraction: PaperExtraction) -> dict[str, Any]:
    """The shape of the gold files, plus ids, evidence and the whole paper record (so
    `alignkg build --from-extractions` can build from it alone)."""
    paper = extraction.paper
    return {
        "paper": paper.title,
        "paper_id": paper.id,
        "record": paper_to_dict(paper),
        "entities": [
            {"name": e.name, "type": e.type.value, "aliases": list(e.aliases)}
            | ({"links": list(e.links)} if e.links else {})
            for e in extraction.entities
        ],
        "relations": [
            {
                "head": r.head,
                "type": r.type.value,
                "tail": r.tail,
                "evidence": evidence_to_dict(r.evidence),
            }
            for r in extraction.relations
        ],
    }


def extraction_from_dict(data: dict[str, Any]) -> PaperExtraction:
    """The inverse of extraction_to_dict; KeyError, TypeError or ValueError when `data`
    is not an extraction of this version."""
    return PaperExtraction(
        paper=paper_from_dict(data["record"]),
        entities=[
            ExtractedEntity(
                e["name"], EntityType(e["type"]), tuple(e["aliases"]), tuple(e.get("links", ()))
            )
            for e in data["entities"]
        ],
        relations=[
            ExtractedRelation(
                r["head"], RelationType(r["type"]), r["tail"], Evidence(**r["evidence"])
            )
            for r in data["relations"]
        ],
    )


def graph_to_dict(graph: KnowledgeGraph) -> dict[str, Any]:
    return {
        "format": GRAPH_FORMAT_VERSION,
        "papers": {node_id: paper_to_dict(p) for node_id, p in sorted(graph.papers.items())},
        "entities": [entity_to_dict(e) for _, e in sorted(graph.entities.items())],
        "relations": [relation_to_dict(r) for _, r in sorted(graph.relations.items())],
    }


def graph_from_dict(data: dict[str, Any]) -> KnowledgeGraph:
    if data.get("format") != GRAPH_FORMAT_VERSION:
        raise ValueError(f"unsupported graph format {data.get('format')!r}")
    relations = [relation_from_dict(r) for r in data["relations"]]
    return KnowledgeGraph(
        papers={node_id: paper_from_dict(p) for node_id, p in data["papers"].items()},
        entities={e["id"]: entity_from_dict(e) for e in data["entities"]},
        relations={r.key: r for r in relations},
    )
