"""RDF terms, the vocabularies the exports use, and what makes an IRI acceptable.

The exporters write RDF themselves instead of going through an rdflib Graph: terms are
plain values, and a *block* is one subject with its (predicate, object) pairs in a fixed
order, so every serialization of the same graph is the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from alignkg.export.errors import ExportError

NAMESPACES = {
    "alignkg": "https://w3id.org/alignkg/ontology#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "fabio": "http://purl.org/spar/fabio/",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "void": "http://rdfs.org/ns/void#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
"""Prefix -> namespace of every vocabulary term the exports use (ontology/README.md)."""

DATA_PREFIXES = (
    "alignkg",
    "dc",
    "dcterms",
    "fabio",
    "prov",
    "rdf",
    "rdfs",
    "schema",
    "skos",
    "xsd",
)
"""The prefixes the dumps themselves use; dcat, spdx and void are for their metadata."""

ONTOLOGY_IRI = "https://w3id.org/alignkg/ontology"
SHAPES_IRI = "https://w3id.org/alignkg/shapes"


@dataclass(frozen=True, slots=True)
class Iri:
    value: str


XSD_STRING = Iri(NAMESPACES["xsd"] + "string")


@dataclass(frozen=True, slots=True)
class Literal:
    lexical: str
    datatype: Iri = XSD_STRING


Term = Iri | Literal
Pair = tuple[Iri, Term]
Block = tuple[Iri, tuple[Pair, ...]]
"""A subject and all its (predicate, object) pairs: the unit every writer streams."""


def vocab(prefix: str, local: str) -> Iri:
    return Iri(NAMESPACES[prefix] + local)


RDF_TYPE = vocab("rdf", "type")


def typed(value: object, datatype: str) -> Literal:
    """A literal of an XML Schema datatype, e.g. typed(3, "integer")."""
    return Literal(str(value), vocab("xsd", datatype))


def _term_key(term: Term) -> tuple[int, str, str]:
    if isinstance(term, Iri):
        return (0, term.value, "")
    return (1, term.lexical, term.datatype.value)


def block(subject: Iri, pairs: Iterable[Pair]) -> Block:
    """The subject's pairs without repeats, rdf:type first, then by predicate and object."""
    ordered = sorted(
        set(pairs), key=lambda pair: (pair[0] != RDF_TYPE, pair[0].value, _term_key(pair[1]))
    )
    return subject, tuple(ordered)


# --- IRIs the user gives --------------------------------------------------------------

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def iri_problem(text: str, namespace: bool = False) -> str | None:
    """Why `text` is not an absolute IRI (or, with `namespace`, not one that names can be
    appended to), or None when it is fine."""
    if not _SCHEME.match(text):
        return "not an absolute IRI (it needs a scheme, as in https://example.org/)"
    if bad := _NOT_IN_IRI.search(text):
        return f"{bad.group()!r} is not allowed in an IRI"
    if _BAD_PERCENT.search(text):
        return "'%' must start a percent-encoded byte such as %20"
    if text.count("#") > 1:
        return "an IRI has at most one '#'"
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError as err:  # "https://[::1/": a bracketed host that is no IPv6 address
        return f"not a valid IRI ({err})"
    if parts.scheme.lower() in ("http", "https") and not host:
        return "an http(s) IRI needs a host"
    if namespace and not text.endswith(("/", "#")):
        return "a base IRI must end with '/' or '#'"
    return None


def check_iri(text: str, option: str, namespace: bool = False) -> str:
    """`text`, or an ExportError (exit code 2) naming the option and the problem."""
    if problem := iri_problem(text, namespace):
        raise ExportError(f"invalid {option} {text!r}: {problem}", 2)
    return text
