"""A VoID/DCAT description of the dumps: what they hold, when, under which terms.

The figures are measured, not estimated: the triple and class counts come from the same
blocks the dumps are written from, and each distribution's size and SHA-256 come from
rendering that dump. The creation date comes from an option, SOURCE_DATE_EPOCH or the
newest paper, never the clock, so the description is as reproducible as the dumps.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from alignkg import __version__
from alignkg.export.errors import ExportError
from alignkg.export.rdf import graph_blocks, iso_date, property_iri, write_dump
from alignkg.export.syntax import DUMP_FORMATS, TextSink, write_turtle
from alignkg.export.terms import (
    NAMESPACES,
    ONTOLOGY_IRI,
    RDF_TYPE,
    SHAPES_IRI,
    Block,
    Iri,
    Literal,
    Pair,
    block,
    typed,
    vocab,
)
from alignkg.records import KnowledgeGraph, RelationType

METADATA_FILE = "alignkg.void.ttl"
DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
TITLE = "alignkg: a knowledge graph of AI-alignment research"
DESCRIPTION = (
    "Methods, datasets, models, tasks, metrics and organizations extracted from the "
    "abstracts of AI-alignment papers, with the relations between them; every relation "
    "carries the sentence, paper and extraction rule it came from."
)
RIGHTS = (
    "Paper titles, abstracts and quoted evidence sentences remain the work of the papers' "
    "authors, under the terms of their original publication."
)
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


@dataclass(slots=True)
class Census:
    """What a dump holds, counted from its blocks."""

    triples: int = 0
    subjects: int = 0
    classes: Counter[Iri] = field(default_factory=Counter)
    properties: Counter[Iri] = field(default_factory=Counter)

    @classmethod
    def of(cls, blocks: Iterable[Block]) -> Census:
        census = cls()
        for _, pairs in blocks:
            census.subjects += 1
            census.triples += len(pairs)
            for predicate, obj in pairs:
                census.properties[predicate] += 1
                if predicate == RDF_TYPE:
                    census.classes[obj] += 1
        return census


class _Digest:
    """A text sink that keeps only the size and SHA-256 of the UTF-8 bytes."""

    def __init__(self) -> None:
        self.size = 0
        self.sha256 = hashlib.sha256()

    def write(self, text: str) -> None:
        data = text.encode()
        self.size += len(data)
        self.sha256.update(data)


def check_date(text: str) -> str:
    if iso_date(text) is None:
        raise ExportError(f"invalid --date {text!r}: expected a date as YYYY-MM-DD", 2)
    return text


def _paper_dates(graph: KnowledgeGraph) -> list[str]:
    return sorted(filter(None, (iso_date(p.date) for p in graph.papers.values())))


def creation_date(graph: KnowledgeGraph, explicit: str | None = None) -> str | None:
    """--date, else SOURCE_DATE_EPOCH, else the newest paper's date (None if undated)."""
    if explicit is not None:
        return check_date(explicit)
    if epoch := os.environ.get("SOURCE_DATE_EPOCH"):
        try:
            return datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
        except (ValueError, OverflowError):
            raise ExportError(f"invalid SOURCE_DATE_EPOCH {epoch!r}: expected seconds", 2) from None
    dates = _paper_dates(graph)
    return dates[-1] if dates else None


def _local(iri: Iri) -> str:
    return iri.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def metadata_blocks(
    graph: KnowledgeGraph,
    base: str,
    license: str = DEFAULT_LICENSE,
    created: str | None = None,
    source: str | None = None,
) -> Iterator[Block]:
    """The description of the dataset, its partitions, distributions and source corpus."""
    census = Census.of(graph_blocks(graph, base))
    kg = f"{base}kg"
    dataset, corpus = Iri(kg), Iri(f"{kg}/source")
    about: list[Pair] = [
        (RDF_TYPE, vocab("void", "Dataset")),
        (RDF_TYPE, vocab("dcat", "Dataset")),
        (vocab("dcterms", "title"), Literal(TITLE)),
        (vocab("dcterms", "description"), Literal(DESCRIPTION)),
        (vocab("dcterms", "license"), Iri(license)),
        (vocab("dcterms", "rights"), Literal(RIGHTS)),
        (vocab("dcat", "version"), Literal(__version__)),
        (vocab("dcterms", "source"), corpus),
        (vocab("prov", "wasDerivedFrom"), corpus),
        (vocab("dcterms", "conformsTo"), Iri(ONTOLOGY_IRI)),
        (vocab("dcterms", "conformsTo"), Iri(SHAPES_IRI)),
        (vocab("void", "uriSpace"), Literal(base)),
        (vocab("void", "triples"), typed(census.triples, "integer")),
        (vocab("void", "entities"), typed(census.subjects, "integer")),
        (vocab("void", "classes"), typed(len(census.classes), "integer")),
        (vocab("void", "properties"), typed(len(census.properties), "integer")),
    ]
    if created:
        about.append((vocab("dcterms", "created"), typed(created, "date")))
    used = {*census.classes, *census.properties}
    about += [
        (vocab("void", "vocabulary"), Iri(ns))
        for ns in NAMESPACES.values()
        if any(term.value.startswith(ns) for term in used)
    ]

    for class_, count in census.classes.items():
        partition = Iri(f"{kg}/class-{_local(class_)}")
        about.append((vocab("void", "classPartition"), partition))
        yield block(
            partition,
            [
                (RDF_TYPE, vocab("void", "Dataset")),
                (vocab("void", "class"), class_),
                (vocab("void", "entities"), typed(count, "integer")),
            ],
        )
    for relation_type in RelationType:
        prop = property_iri(relation_type)
        partition = Iri(f"{kg}/property-{_local(prop)}")
        about.append((vocab("void", "propertyPartition"), partition))
        yield block(
            partition,
            [
                (RDF_TYPE, vocab("void", "Dataset")),
                (vocab("void", "property"), prop),
                (vocab("void", "triples"), typed(census.properties[prop], "integer")),
            ],
        )

    for name, dump in DUMP_FORMATS.items():
        digest = _Digest()
        write_dump(graph, name, digest, base)
        distribution, checksum = Iri(f"{kg}/dump-{name}"), Iri(f"{kg}/dump-{name}-sha256")
        download = Iri(f"{base}dumps/{dump.file_name}")
        about += [
            (vocab("dcat", "distribution"), distribution),
            (vocab("void", "dataDump"), download),
        ]
        yield block(
            distribution,
            [
                (RDF_TYPE, vocab("dcat", "Distribution")),
                (vocab("dcterms", "title"), Literal(f"{TITLE} ({dump.title})")),
                (vocab("dcat", "mediaType"), Iri(MEDIA_TYPES + dump.media_type)),
                (vocab("dcat", "downloadURL"), download),
                (vocab("dcat", "byteSize"), typed(digest.size, "nonNegativeInteger")),
                (vocab("dcterms", "license"), Iri(license)),
                (vocab("spdx", "checksum"), checksum),
            ],
        )
        yield block(
            checksum,
            [
                (RDF_TYPE, vocab("spdx", "Checksum")),
                (vocab("spdx", "algorithm"), vocab("spdx", "checksumAlgorithm_sha256")),
                (vocab("spdx", "checksumValue"), typed(digest.sha256.hexdigest(), "hexBinary")),
            ],
        )

    dates = _paper_dates(graph)
    span = f", dated {dates[0]} to {dates[-1]}" if dates else ""
    yield block(
        corpus,
        [
            (RDF_TYPE, vocab("dcat", "Dataset")),
            (RDF_TYPE, vocab("prov", "Entity")),
            (vocab("dcterms", "title"), Literal(source or "The corpus of paper abstracts")),
            (vocab("dcterms", "description"), Literal(f"{len(graph.papers)} papers{span}.")),
        ],
    )
    yield block(dataset, about)


def write_metadata(
    graph: KnowledgeGraph,
    out: TextSink,
    base: str,
    license: str = DEFAULT_LICENSE,
    date: str | None = None,
    source: str | None = None,
) -> None:
    """The VoID/DCAT description of the dumps of `graph`, in Turtle."""
    created = creation_date(graph, date)
    blocks = sorted(
        metadata_blocks(graph, base, license, created, source), key=lambda b: b[0].value
    )
    prefixes = NAMESPACES | {"kg": f"{base}kg/"}
    write_turtle(blocks, out, prefixes)
