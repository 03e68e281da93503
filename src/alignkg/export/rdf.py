"""The knowledge graph as RDF: one block of triples per node, in IRI order.

What the triples mean is documented in ontology/README.md and declared in
ontology/alignkg.ttl. In short: every relation is a direct triple (head, property, tail)
and also an alignkg:Statement node (rdf:subject/predicate/object) whose alignkg:hasEvidence
links lead to alignkg:Evidence nodes (sentence, offsets, rule, confidence) that
prov:wasDerivedFrom their paper. Statement and evidence IRIs are hashes of what they
describe, so the same graph always gets the same IRIs and no blank nodes.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from decimal import Decimal
from functools import partial
from urllib.parse import quote

from alignkg.export.syntax import DUMP_FORMATS, Prefixes, TextSink
from alignkg.export.terms import (
    DATA_PREFIXES,
    NAMESPACES,
    RDF_TYPE,
    Block,
    Iri,
    Literal,
    Pair,
    block,
    iri_problem,
    typed,
    vocab,
)
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

DEFAULT_BASE_IRI = "https://w3id.org/alignkg/"
"""Where the data's resources live unless --base-iri says otherwise (ontology/README.md)."""

PAPER_CLASS = vocab("fabio", "ResearchPaper")
STATEMENT_CLASS = vocab("alignkg", "Statement")
EVIDENCE_CLASS = vocab("alignkg", "Evidence")
HAS_EVIDENCE = vocab("alignkg", "hasEvidence")
CONFIDENCE = vocab("alignkg", "confidence")
DERIVED_FROM = vocab("prov", "wasDerivedFrom")
MENTIONS = vocab("schema", "mentions")
SEE_ALSO = vocab("rdfs", "seeAlso")


def class_iri(entity_type: EntityType) -> Iri:
    return vocab("alignkg", entity_type.value)


def property_name(relation_type: RelationType) -> str:
    """EVALUATES_ON -> evaluatesOn."""
    first, *rest = relation_type.value.lower().split("_")
    return first + "".join(word.capitalize() for word in rest)


def property_iri(relation_type: RelationType) -> Iri:
    return vocab("alignkg", property_name(relation_type))


def _digest(*parts: object) -> str:
    text = "\x1f".join(str(part) for part in parts)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def _decimal(value: float) -> Literal:
    return typed(format(Decimal(repr(value)), "f"), "decimal")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(text: str | None) -> str | None:
    """`text` when it is a real YYYY-MM-DD date, else None."""
    if text is None or not _ISO_DATE.fullmatch(text):
        return None
    try:
        date.fromisoformat(text)
    except ValueError:
        return None
    return text


class Resources:
    """The IRIs of the graph's nodes under a base IRI (checked by the caller)."""

    def __init__(self, base: str = DEFAULT_BASE_IRI) -> None:
        self.base = base

    def node(self, node_id: str) -> Iri:
        """An entity ("method/dpo") or paper ("paper/2305.18290") by its node id."""
        return Iri(self.base + quote(node_id, safe="/-._~"))

    def paper(self, paper_id: str) -> Iri:
        return self.node(paper_node_id(paper_id))

    def statement(self, relation: Relation) -> Iri:
        return Iri(f"{self.base}statement/{_digest(*relation.key)}")

    def evidence(self, evidence: Evidence) -> Iri:
        e = evidence
        key = _digest(e.paper_id, e.start, e.end, e.rule, e.sentence, repr(e.confidence))
        return Iri(f"{self.base}evidence/{key}")

    def prefixes(self) -> Prefixes:
        """The vocabularies' prefixes and one per kind of node ("method:dpo", "paper:...")."""
        kinds = [t.value.lower() for t in EntityType] + ["paper", "statement", "evidence"]
        vocabularies = {prefix: NAMESPACES[prefix] for prefix in DATA_PREFIXES}
        return vocabularies | {kind: f"{self.base}{kind}/" for kind in sorted(kinds)}


# --- one node's triples ----------------------------------------------------------------


def _paper_pairs(paper: Paper, links: list[Pair]) -> Iterator[Pair]:
    yield RDF_TYPE, PAPER_CLASS
    yield vocab("dcterms", "identifier"), Literal(paper.id)
    yield vocab("dcterms", "title"), Literal(paper.title)
    yield vocab("dcterms", "abstract"), Literal(paper.abstract)
    if day := iso_date(paper.date):
        yield vocab("dcterms", "date"), typed(day, "date")
    if paper.url:
        yield vocab("schema", "url"), typed(paper.url, "anyURI")
    for author in paper.authors:
        yield vocab("dc", "creator"), Literal(author)
    if paper.author_count is not None:
        yield vocab("alignkg", "authorCount"), typed(paper.author_count, "integer")
    if paper.upvotes is not None:
        yield vocab("alignkg", "upvotes"), typed(paper.upvotes, "integer")
    yield from links


def _entity_pairs(entity: Entity, links: list[Pair]) -> Iterator[Pair]:
    yield RDF_TYPE, class_iri(entity.type)
    yield vocab("skos", "prefLabel"), Literal(entity.name)
    for alias in entity.aliases:
        yield vocab("skos", "altLabel"), Literal(alias)
    # The page a lexicon source has about it (Papers with Code): a pointer, not identity
    # (ontology/README.md, "Links out").
    for link in entity.links:
        if iri_problem(link) is None:
            yield SEE_ALSO, Iri(link)
    yield from links


def _statement_pairs(relation: Relation, iris: Resources) -> Iterator[Pair]:
    yield RDF_TYPE, STATEMENT_CLASS
    yield vocab("rdf", "subject"), iris.node(relation.head)
    yield vocab("rdf", "predicate"), property_iri(relation.type)
    yield vocab("rdf", "object"), iris.node(relation.tail)
    yield CONFIDENCE, _decimal(relation.confidence)
    for evidence in relation.evidence:
        yield HAS_EVIDENCE, iris.evidence(evidence)
        yield DERIVED_FROM, iris.paper(evidence.paper_id)


def _evidence_pairs(evidence: Evidence, iris: Resources) -> Iterator[Pair]:
    yield RDF_TYPE, EVIDENCE_CLASS
    yield vocab("prov", "value"), Literal(evidence.sentence)
    yield vocab("alignkg", "startOffset"), typed(evidence.start, "integer")
    yield vocab("alignkg", "endOffset"), typed(evidence.end, "integer")
    yield vocab("alignkg", "extractionRule"), Literal(evidence.rule)
    yield CONFIDENCE, _decimal(evidence.confidence)
    yield DERIVED_FROM, iris.paper(evidence.paper_id)


# --- the whole graph -------------------------------------------------------------------


def graph_blocks(graph: KnowledgeGraph, base: str = DEFAULT_BASE_IRI) -> Iterator[Block]:
    """Every node's block, sorted by subject IRI; blocks are built one at a time as the
    writer asks for them, so only an index of the graph is held beside it."""
    iris = Resources(base)
    links: dict[str, list[Pair]] = defaultdict(list)  # node id -> its outgoing edges
    for relation in graph.relations.values():
        links[relation.head].append((property_iri(relation.type), iris.node(relation.tail)))
    for entity in graph.entities.values():
        for paper_id in entity.papers:
            links[paper_id].append((MENTIONS, iris.node(entity.id)))

    describe: list[tuple[Iri, Callable[[], Iterable[Pair]]]] = []
    for node_id, paper in graph.papers.items():
        describe.append((iris.node(node_id), partial(_paper_pairs, paper, links[node_id])))
    for entity in graph.entities.values():
        describe.append((iris.node(entity.id), partial(_entity_pairs, entity, links[entity.id])))
    evidence: dict[Iri, Evidence] = {}
    for relation in graph.relations.values():
        describe.append((iris.statement(relation), partial(_statement_pairs, relation, iris)))
        for item in relation.evidence:
            evidence.setdefault(iris.evidence(item), item)
    for iri, item in evidence.items():
        describe.append((iri, partial(_evidence_pairs, item, iris)))

    describe.sort(key=lambda entry: entry[0].value)
    for subject, pairs in describe:
        yield block(subject, pairs())


def write_dump(graph: KnowledgeGraph, format_name: str, out: TextSink, base: str) -> None:
    """The whole graph in one of DUMP_FORMATS, streamed to `out`."""
    DUMP_FORMATS[format_name].write(graph_blocks(graph, base), out, Resources(base).prefixes())
