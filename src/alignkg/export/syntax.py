"""RDF syntaxes through a maintained serializer: blocks in, text out, streamed.

Turtle and JSON-LD are written by Oxigraph's serializers (pyoxigraph), fed the triples in
the blocks' fixed order: the same blocks always give the same bytes, the escaping of IRIs
and literals is Oxigraph's (Turtle's local-name escapes too), and the triples are pulled
from the blocks as the serializer writes, so no more than a block and the serializer's
buffer are held at a time.

N-Triples is one `<subject> <predicate> object .` line per triple, every literal written
by Oxigraph (`str()` of a pyoxigraph literal is its canonical N-Triples form, the text
Oxigraph's N-Triples serializer writes; tests/test_rdf.py checks that the whole dump is
the bytes `pyoxigraph.serialize` writes). It does not go through `pyoxigraph.serialize`
because that needs a `pyoxigraph.Triple` per triple, and making one whose object is a
literal costs about 3 us (the binding tries the object as a named node and as a blank
node first, and builds an error for each): most of the export's time.

bench/rdf_export.py compares the writers' speed with the hand-written writers they
replaced and with rdflib.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

import pyoxigraph as ox

from alignkg.export.terms import XSD_STRING, Block, Iri


class TextSink(Protocol):
    def write(self, text: str, /) -> object: ...


Prefixes = dict[str, str]  # prefix -> namespace
K = TypeVar("K")
V = TypeVar("V")


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


def _cached(make: Callable[[K], V]) -> Callable[[K], V]:
    """make(key), made once per key while the key is among the last CACHE_SIZE made: a
    bounded cache, so memory stays flat however large the graph."""
    made: dict[K, V] = {}

    def get(key: K) -> V:
        value = made.get(key)
        if value is None:
            if len(made) >= CACHE_SIZE:
                made.clear()
            value = made[key] = make(key)
        return value

    return get


class OxigraphTerms:
    """alignkg's terms as Oxigraph's. Terms that recur (predicates, classes, entity
    IRIs, integers and confidences) are made once, in bounded caches kept between calls."""

    def __init__(self) -> None:
        self.iri = _cached(ox.NamedNode)  # by IRI: str keys hash once, cheaply
        self.typed = _cached(lambda key: ox.Literal(key[0], datatype=self.iri(key[1])))

    def triples(self, blocks: Iterable[Block]) -> Iterator[ox.Triple]:
        """The blocks' triples, in order, as Oxigraph triples."""
        named, literal, triple, string = ox.NamedNode, ox.Literal, ox.Triple, XSD_STRING
        iri, typed = self.iri, self.typed
        for subject, pairs in blocks:
            s = named(subject.value)
            for predicate, obj in pairs:
                if type(obj) is Iri:
                    o = iri(obj.value)
                elif obj.datatype is string or obj.datatype == string:
                    o = literal(obj.lexical)  # text: seldom repeated, not cached
                else:
                    o = typed((obj.lexical, obj.datatype.value))
                yield triple(s, iri(predicate.value), o)


def triples(blocks: Iterable[Block]) -> Iterator[ox.Triple]:
    """The blocks' triples, in order, as Oxigraph triples."""
    return OxigraphTerms().triples(blocks)


Writer = Callable[[Iterable[Block], TextSink, Prefixes], None]


def write_turtle(blocks: Iterable[Block], out: TextSink, prefixes: Prefixes) -> None:
    """Oxigraph's Turtle serializer, the prefixes in a fixed order, streamed to `out`."""
    sink = _Utf8Writer(out)
    ordered = dict(sorted(prefixes.items()))
    ox.serialize(triples(blocks), sink, format=ox.RdfFormat.TURTLE, prefixes=ordered)
    sink.close()


def write_ntriples(blocks: Iterable[Block], out: TextSink, prefixes: Prefixes) -> None:
    """One triple a line, one write per block (`prefixes` are not used: N-Triples has
    none). Every literal is written by Oxigraph (its canonical N-Triples escapes); an IRI
    is `<IRI>`, as N-Triples writes one: the export's IRIs are percent-encoded or checked
    when they are made (export/terms.py), so none holds a character to escape."""
    named, literal, string = ox.NamedNode, ox.Literal, XSD_STRING
    typed = _cached(lambda key: str(literal(key[0], datatype=named(key[1]))))
    for subject, pairs in blocks:
        s = f"<{subject.value}> <"
        lines = []
        for predicate, obj in pairs:
            if type(obj) is Iri:
                lines.append(f"{s}{predicate.value}> <{obj.value}> .\n")
            elif obj.datatype is string or obj.datatype == string:
                # text: seldom repeated, not cached
                lines.append(f"{s}{predicate.value}> {literal(obj.lexical)} .\n")
            else:
                lines.append(
                    f"{s}{predicate.value}> {typed((obj.lexical, obj.datatype.value))} .\n"
                )
        out.write("".join(lines))


def write_jsonld(blocks: Iterable[Block], out: TextSink, prefixes: Prefixes) -> None:
    """A JSON-LD array with one node object (one subject) a line, each written by
    Oxigraph's JSON-LD serializer: `head`, `grep` and diffs work on the dump. The nodes are
    in expanded form, full IRIs: pyoxigraph 0.5 writes JSON-LD without a @context (it
    ignores `prefixes`), and rdflib's compacting serializer is several times slower and
    needs the whole graph in memory (bench/rdf_export.py)."""
    terms = OxigraphTerms()
    out.write("[")
    separator = "\n"
    for block in blocks:
        node = ox.serialize(terms.triples((block,)), format=ox.RdfFormat.JSON_LD)
        out.write(separator + node[1:-1].decode("utf-8"))  # [{...}] -> {...}
        separator = ",\n"
    out.write("\n]\n")


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
