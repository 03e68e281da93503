"""RDF syntaxes through a maintained serializer: blocks in, text out, streamed.

N-Triples, Turtle and JSON-LD are written by Oxigraph's serializers (pyoxigraph), fed
the triples in the blocks' fixed order: the same blocks always give the same bytes, the
escaping of IRIs and literals is Oxigraph's (canonical N-Triples, Turtle's local-name
escapes), and the triples are pulled from the blocks as the serializer writes, so no
more than a block and the serializer's buffer are held at a time. bench/rdf_export.py
compares its speed with the hand-written writers it replaced and with rdflib.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from alignkg.export.terms import XSD_STRING, Block, Iri


class TextSink(Protocol):
    def write(self, text: str, /) -> object: ...


Prefixes = dict[str, str]  # prefix -> namespace


class _Utf8Writer:
    """The binary stream the serializer writes to, decoded into a text sink as it comes
    (a UTF-8 sequence split between two writes is kept until it is whole)."""

    def __init__(self, out: TextSink) -> None:
        self.out = out
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def write(self, data: bytes) -> int:
        if text := self.decoder.decode(bytes(data)):
            self.out.write(text)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if text := self.decoder.decode(b"", final=True):
            self.out.write(text)


CACHE_SIZE = 200_000  # terms kept for reuse while writing (entity IRIs, typed numbers)


def triples(blocks: Iterable[Block]) -> Iterator[ox.Triple]:
    """The blocks' triples, in order, as Oxigraph triples. Terms that recur (predicates,
    classes, entity IRIs, integers and confidences) are made once: a bounded cache, so
    memory stays flat however large the graph."""
    iris: dict[str, ox.NamedNode] = {}  # by IRI: str keys hash once, cheaply
    typed: dict[tuple[str, str], ox.Literal] = {}
    named, literal, triple, string = ox.NamedNode, ox.Literal, ox.Triple, XSD_STRING

    def iri(value: str) -> ox.NamedNode:
        made = iris.get(value)
        if made is None:
            if len(iris) >= CACHE_SIZE:
                iris.clear()
            made = iris[value] = named(value)
        return made

    for subject, pairs in blocks:
        s = named(subject.value)
        for predicate, obj in pairs:
            if type(obj) is Iri:
                o = iri(obj.value)
            elif obj.datatype is string or obj.datatype == string:
                o = literal(obj.lexical)  # text: seldom repeated, not cached
            else:
                key = (obj.lexical, obj.datatype.value)
                o = typed.get(key)
                if o is None:
                    if len(typed) >= CACHE_SIZE:
                        typed.clear()
                    o = typed[key] = literal(obj.lexical, datatype=iri(obj.datatype.value))
            yield triple(s, iri(predicate.value), o)


def _writer(format_: ox.RdfFormat, with_prefixes: bool) -> Writer:
    def write(blocks: Iterable[Block], out: TextSink, prefixes: Prefixes) -> None:
        sink = _Utf8Writer(out)
        ordered = dict(sorted(prefixes.items())) if with_prefixes else None
        ox.serialize(triples(blocks), sink, format=format_, prefixes=ordered)
        sink.close()

    return write


Writer = Callable[[Iterable[Block], TextSink, Prefixes], None]

write_ntriples = _writer(ox.RdfFormat.N_TRIPLES, with_prefixes=False)
write_turtle = _writer(ox.RdfFormat.TURTLE, with_prefixes=True)
write_jsonld = _writer(ox.RdfFormat.JSON_LD, with_prefixes=True)


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
