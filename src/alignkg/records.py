"""Plain typed records passed between the pipeline stages.

ingest -> Paper; extract -> PaperExtraction; canonicalize -> KnowledgeGraph.
No stage passes dicts around: these records are the contract between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

PAPER_REF = "@paper"
"""How an extraction names the paper whose abstract it is (as in the gold files)."""


class EntityType(StrEnum):
    METHOD = "Method"
    DATASET = "Dataset"
    MODEL = "Model"
    TASK = "Task"
    METRIC = "Metric"
    ORGANIZATION = "Organization"


class RelationType(StrEnum):
    PROPOSES = "PROPOSES"
    INTRODUCES = "INTRODUCES"
    EVALUATES_ON = "EVALUATES_ON"
    USES = "USES"
    ADDRESSES = "ADDRESSES"
    EXTENDS = "EXTENDS"
    BASED_ON = "BASED_ON"
    TRAINED_WITH = "TRAINED_WITH"
    OUTPERFORMS = "OUTPERFORMS"
    AFFILIATED_WITH = "AFFILIATED_WITH"


PAPER_LABEL = "Paper"
"""The node kind of papers, beside the entity types."""


def paper_node_id(paper_id: str) -> str:
    """Papers and entities share one id space in the graph; this prefix keeps them apart."""
    return f"paper/{paper_id}"


@dataclass(frozen=True, slots=True)
class Paper:
    id: str
    title: str
    abstract: str
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) when known
    authors: tuple[str, ...] = ()
    author_count: int | None = None
    organization: str | None = None
    url: str | None = None
    upvotes: int | None = None

    @property
    def text(self) -> str:
        """The text the extractor reads; evidence offsets point into it."""
        return f"{self.title}\n\n{self.abstract}"


@dataclass(frozen=True, slots=True)
class Evidence:
    paper_id: str
    sentence: str
    start: int  # character offsets of the sentence in Paper.text
    end: int
    rule: str  # the extraction rule that produced the statement
    confidence: float


@dataclass(frozen=True, slots=True)
class ExtractedEntity:
    name: str
    type: EntityType
    aliases: tuple[str, ...] = ()
    links: tuple[str, ...] = ()  # pages describing it, from the lexicon (Papers with Code)


@dataclass(frozen=True, slots=True)
class ExtractedRelation:
    head: str  # an entity name, or PAPER_REF
    type: RelationType
    tail: str
    evidence: Evidence


@dataclass(slots=True)
class PaperExtraction:
    paper: Paper
    entities: list[ExtractedEntity] = field(default_factory=list)
    relations: list[ExtractedRelation] = field(default_factory=list)


# --- the canonical graph -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entity:
    id: str  # stable: "<type>/<key>", e.g. "method/dpo"
    name: str
    type: EntityType
    aliases: tuple[str, ...] = ()
    papers: tuple[str, ...] = ()  # node ids of the papers that mention it
    links: tuple[str, ...] = ()  # pages describing it (lexicon sources), sorted


@dataclass(frozen=True, slots=True)
class Relation:
    head: str  # node id: an entity id or a paper id
    type: RelationType
    tail: str
    evidence: tuple[Evidence, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.head, self.type.value, self.tail)

    @property
    def confidence(self) -> float:
        return max((e.confidence for e in self.evidence), default=0.0)


@dataclass(slots=True)
class KnowledgeGraph:
    papers: dict[str, Paper] = field(default_factory=dict)  # by node id, "paper/<Paper.id>"
    entities: dict[str, Entity] = field(default_factory=dict)
    relations: dict[tuple[str, str, str], Relation] = field(default_factory=dict)


# --- query results shared by every store ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    """A node as queries return it: a paper or an entity."""

    id: str
    label: str  # entity name or paper title
    kind: str  # an EntityType value, or PAPER_LABEL
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Subgraph:
    """The neighbourhood of an entity: nodes within `depth` hops and the relations among them."""

    focus: Entity
    depth: int
    nodes: tuple[Node, ...]
    relations: tuple[Relation, ...]
    truncated: bool = False  # True when the node cap cut the neighbourhood


@dataclass(frozen=True, slots=True)
class EntityDetail:
    entity: Entity
    papers: tuple[Paper, ...]
    relations: tuple[Relation, ...]  # every relation touching the entity
    neighbours: tuple[Node, ...]  # the other end of each of those relations


@dataclass(frozen=True, slots=True)
class GraphStats:
    papers: int
    entities_by_type: dict[str, int]
    relations_by_type: dict[str, int]

    @property
    def entities(self) -> int:
        return sum(self.entities_by_type.values())

    @property
    def relations(self) -> int:
        return sum(self.relations_by_type.values())
