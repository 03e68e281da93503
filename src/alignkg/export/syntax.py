"""Writers of RDF syntaxes: blocks in, text out, streamed and in the order given.

N-Triples, Turtle and JSON-LD are written by hand rather than by rdflib's serializers,
whose order is not stable: the same blocks always give the same bytes, and no writer
holds more than one block at a time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Protocol

from alignkg.export.terms import RDF_TYPE, XSD_STRING, Block, Iri, Term


class TextSink(Protocol):
    def write(self, text: str, /) -> object: ...


Prefixes = dict[str, str]  # prefix -> namespace

# RDF 1.2 canonical N-Triples escapes, valid in Turtle too.
_ESCAPES = {c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F)} | {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}


def quote(text: str) -> str:
    return '"' + text.translate(_ESCAPES) + '"'


# --- N-Triples -------------------------------------------------------------------------


def _nt(term: Term) -> str:
    if isinstance(term, Iri):
        return f"<{term.value}>"
    if term.datatype == XSD_STRING:
        return quote(term.lexical)
    return f"{quote(term.lexical)}^^<{term.datatype.value}>"


def write_ntriples(blocks: Iterable[Block], out: TextSink, prefixes: Prefixes) -> None:
    """One triple a line, written as the blocks come (`prefixes` are not used)."""
    for subject, pairs in blocks:
        s = _nt(subject)
        for predicate, obj in pairs:
            out.write(f"{s} {_nt(predicate)} {_nt(obj)} .\n")


# --- prefixed names (Turtle and JSON-LD) ---------------------------------------------

# A conservative subset of Turtle's PN_LOCAL (also a safe JSON-LD compact IRI suffix).
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
_LAST_SEPARATOR = re.compile(r"^(.*[/#])([^/#]*)$", re.DOTALL)


class Names:
    """Shortens IRIs to prefix:local where the prefixes allow it."""

    def __init__(self, prefixes: Prefixes) -> None:
        self.prefix_of = {namespace: prefix for prefix, namespace in prefixes.items()}

    def compact(self, iri: str) -> str | None:
        m = _LAST_SEPARATOR.match(iri)
        if m is None or (prefix := self.prefix_of.get(m.group(1))) is None:
            return None
        local = m.group(2)
        return f"{prefix}:{local}" if _LOCAL.fullmatch(local) else None


# --- Turtle ----------------------------------------------------------------------------


def _ttl(term: Term, names: Names) -> str:
    if isinstance(term, Iri):
        return names.compact(term.value) or f"<{term.value}>"
    if term.datatype == XSD_STRING:
        return quote(term.lexical)
    return f"{quote(term.lexical)}^^{_ttl(term.datatype, names)}"


def write_turtle(blocks: Iterable[Block], out: TextSink, prefixes: Prefixes) -> None:
    """@prefix lines, then one paragraph per subject, one line per predicate."""
    names = Names(prefixes)
    for prefix, namespace in sorted(prefixes.items()):
        out.write(f"@prefix {prefix}: <{namespace}> .\n")
    for subject, pairs in blocks:
        lines = []
        for predicate, group in groupby(pairs, key=itemgetter(0)):
            verb = "a" if predicate == RDF_TYPE else _ttl(predicate, names)
            objects = " ,\n        ".join(_ttl(obj, names) for _, obj in group)
            lines.append(f"    {verb} {objects}")
        out.write(f"\n{_ttl(subject, names)}\n" + " ;\n".join(lines) + " .\n")


# --- JSON-LD ---------------------------------------------------------------------------


def _jsonld_node(subject: Iri, pairs: tuple, names: Names) -> dict:
    def iri(value: Iri) -> str:
        return names.compact(value.value) or value.value

    def value(term: Term) -> object:
        if isinstance(term, Iri):
            return {"@id": iri(term)}
        if term.datatype == XSD_STRING:
            return term.lexical
        return {"@value": term.lexical, "@type": iri(term.datatype)}

    node: dict[str, object] = {"@id": iri(subject)}
    for predicate, group in groupby(pairs, key=itemgetter(0)):
        if predicate == RDF_TYPE:
            key, values = "@type", [iri(obj) for _, obj in group]
        else:
            key, values = iri(predicate), [value(obj) for _, obj in group]
        node[key] = values[0] if len(values) == 1 else values
    return node


def write_jsonld(blocks: Iterable[Block], out: TextSink, prefixes: Prefixes) -> None:
    """A compacted document: the prefixes as its @context, one node a line in @graph."""
    names = Names(prefixes)
    context = ",\n".join(
        f"    {json.dumps(prefix)}: {json.dumps(namespace)}"
        for prefix, namespace in sorted(prefixes.items())
    )
    out.write('{\n  "@context": {\n' + context + '\n  },\n  "@graph": [')
    separator = "\n"
    for subject, pairs in blocks:
        node = json.dumps(_jsonld_node(subject, pairs, names), ensure_ascii=False)
        out.write(f"{separator}    {node}")
        separator = ",\n"
    out.write("\n  ]\n}\n")


# --- the dump formats ------------------------------------------------------------------

Writer = Callable[[Iterable[Block], TextSink, Prefixes], None]


@dataclass(frozen=True, slots=True)
class DumpFormat:
    name: str  # as given to --format
    title: str
    file_name: str  # in exports/ and in the metadata's download URLs
    media_type: str
    write: Writer


DUMP_FORMATS = {
    f.name: f
    for f in (
        DumpFormat("turtle", "Turtle", "alignkg.ttl", "text/turtle", write_turtle),
        DumpFormat("nt", "N-Triples", "alignkg.nt", "application/n-triples", write_ntriples),
        DumpFormat("jsonld", "JSON-LD", "alignkg.jsonld", "application/ld+json", write_jsonld),
    )
}
