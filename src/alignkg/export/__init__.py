"""Exports of the graph for other tools: RDF dumps and their VoID/DCAT description.

    export_rdf(graph, "turtle", out)          # or "nt", "jsonld", and "void" (metadata)

Modules: terms (RDF terms, vocabularies, IRI checks), rdf (graph -> triples), syntax
(N-Triples, Turtle and JSON-LD writers), metadata (VoID/DCAT). ontology/README.md
documents the modelling.
"""

from __future__ import annotations

from dataclasses import dataclass

from alignkg.export.errors import ExportError
from alignkg.export.metadata import (
    DEFAULT_LICENSE,
    METADATA_FILE,
    check_date,
    write_metadata,
)
from alignkg.export.rdf import DEFAULT_BASE_IRI, write_dump
from alignkg.export.syntax import DUMP_FORMATS, TextSink
from alignkg.export.terms import check_iri
from alignkg.records import KnowledgeGraph

__all__ = [
    "DEFAULT_BASE_IRI",
    "DEFAULT_LICENSE",
    "DUMP_FORMATS",
    "FORMATS",
    "METADATA_FILE",
    "ExportError",
    "RdfOptions",
    "check_format",
    "export_rdf",
]

METADATA_FORMAT = "void"
FORMATS = (*DUMP_FORMATS, METADATA_FORMAT)


@dataclass(frozen=True, slots=True)
class RdfOptions:
    base_iri: str = DEFAULT_BASE_IRI
    license: str = DEFAULT_LICENSE  # metadata only
    date: str | None = None  # metadata only: the creation date, YYYY-MM-DD
    source: str | None = None  # metadata only: the title of the source corpus

    def check(self) -> RdfOptions:
        """Raise ExportError (exit code 2) on a bad value, before any work is done."""
        check_iri(self.base_iri, "--base-iri", namespace=True)
        check_iri(self.license, "--license")
        if self.date is not None:
            check_date(self.date)
        return self


def check_format(name: str) -> str:
    if name not in FORMATS:
        raise ExportError(f"unknown format {name!r}; choose one of: {', '.join(FORMATS)}", 2)
    return name


def export_rdf(
    graph: KnowledgeGraph, format_name: str, out: TextSink, options: RdfOptions | None = None
) -> None:
    """`graph` in `format_name` (a dump, or "void" for the dumps' metadata), to `out`."""
    check_format(format_name)
    options = (options or RdfOptions()).check()
    if format_name == METADATA_FORMAT:
        write_metadata(graph, out, options.base_iri, options.license, options.date, options.source)
    else:
        write_dump(graph, format_name, out, options.base_iri)
