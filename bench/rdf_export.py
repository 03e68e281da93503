"""RDF export speed: triples per second of alignkg's dump writers (Oxigraph's serializers
fed alignkg's ordered blocks; N-Triples from Oxigraph's term syntax) against the writers
of two earlier commits (read from git history: the hand-written writers, and every format
through pyoxigraph.serialize) and against rdflib and pyoxigraph serializing the same
triples, in one run.

The graph: a store built from the real abstracts of ../shared/corpus/arxiv-ml-abstracts.jsonl
(--data-dir), its papers repeated with distinct ids up to --papers (default 50,000): each
copy keeps its abstract, entities and evidence, so entities gain papers and evidence as a
bigger corpus would give them.

    python bench/rdf_export.py --data-dir DIR [--papers 50000] [--rdflib-triples 300000]

rdflib is slow and memory-hungry at millions of triples, so it serializes the first
--rdflib-triples triples (its rate is per triple, so the figures compare).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import io
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from itertools import islice
from pathlib import Path

import pyoxigraph as ox
import rdflib

from alignkg.export.rdf import Resources, graph_blocks
from alignkg.export.syntax import DUMP_FORMATS, triples
from alignkg.records import KnowledgeGraph, Relation, paper_node_id
from alignkg.store import open_store

ROOT = Path(__file__).resolve().parents[1]
OLD_WRITERS = "9bea07c"  # the last commit with the hand-written writers in export/syntax.py
ALL_SERIALIZED = "395ae60"  # the last commit with N-Triples through pyoxigraph.serialize


class Counting:
    """A text sink that only counts what it is given."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, text: str) -> None:
        self.chars += len(text)


def repeated(graph: KnowledgeGraph, papers: int) -> KnowledgeGraph:
    copies = -(-papers // len(graph.papers))
    out = KnowledgeGraph()
    renamed = {}
    for k in range(copies):
        for paper in graph.papers.values():
            if len(out.papers) >= papers:
                break
            new = replace(paper, id=f"{paper.id}-r{k}" if k else paper.id)
            out.papers[paper_node_id(new.id)] = new
            renamed[(k, paper.id)] = new.id
    keep = {(k, pid) for (k, pid) in renamed}
    for entity in graph.entities.values():
        mentions = tuple(
            paper_node_id(renamed[(k, p.removeprefix("paper/"))])
            for k in range(copies)
            for p in entity.papers
            if (k, p.removeprefix("paper/")) in keep
        )
        out.entities[entity.id] = replace(entity, papers=mentions)
    for rel in graph.relations.values():
        for k in range(copies):
            evidence = tuple(
                replace(e, paper_id=renamed[(k, e.paper_id)])
                for e in rel.evidence
                if (k, e.paper_id) in keep
            )
            if not evidence:
                continue
            if rel.head.startswith("paper/"):
                head = paper_node_id(renamed[(k, rel.head.removeprefix("paper/"))])
                out.relations[(head, rel.type.value, rel.tail)] = replace(
                    rel, head=head, evidence=evidence
                )
            else:
                key = rel.key
                before = out.relations.get(key)
                merged = (before.evidence if before else ()) + evidence
                out.relations[key] = Relation(rel.head, rel.type, rel.tail, merged)
    return out


def writers_at(commit: str):
    """DUMP_FORMATS of export/syntax.py as it was at `commit`."""
    text = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{commit}:src/alignkg/export/syntax.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    name = f"syntax_{commit}"
    path = Path(tempfile.mkdtemp()) / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module.DUMP_FORMATS


def timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def cpu_timed(run) -> float:
    """CPU seconds of `run`: unlike wall time, not stretched while other jobs hold the CPU."""
    started = time.process_time()
    run()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--papers", type=int, default=50_000)
    parser.add_argument("--rdflib-triples", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each writer (best kept)")
    args = parser.parse_args()

    store = open_store("embedded", args.data_dir)
    base = store.load_graph()
    store.close()
    graph = repeated(base, args.papers)
    blocks = list(graph_blocks(graph))
    n = sum(len(pairs) for _, pairs in blocks)
    prefixes = Resources().prefixes()
    print(
        f"{len(graph.papers):,} papers ({len(base.papers):,} real abstracts repeated), "
        f"{len(graph.entities):,} entities, {len(graph.relations):,} relations: {n:,} triples"
    )
    old, serialized = writers_at(OLD_WRITERS), writers_at(ALL_SERIALIZED)
    ox_triples = list(triples(blocks))
    gc.freeze()  # the graph, blocks and triples above: never scanned by the collector again
    print(
        f"triples per CPU second, best of {args.repeat} (writers taken in turn, so the load"
        " of other jobs falls on all of them alike)"
    )
    print(
        f"{'format':<10} {'alignkg':>12} {'all through serialize':>22} {'hand-written':>14}"
        f" {'pyoxigraph':>12}"
    )
    for name, fmt in DUMP_FORMATS.items():
        ox_format = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}.get(
            name, ox.RdfFormat.JSON_LD
        )
        writers = {
            "new": lambda fmt=fmt: fmt.write(blocks, Counting(), prefixes),
            "before": lambda name=name: serialized[name].write(blocks, Counting(), prefixes),
            "hand": lambda name=name: old[name].write(blocks, Counting(), prefixes),
            "raw": lambda f=ox_format: ox.serialize(
                ox_triples, io.BytesIO(), format=f, prefixes=prefixes
            ),
        }
        best = dict.fromkeys(writers, float("inf"))
        for _ in range(args.repeat):
            for key, run in writers.items():
                best[key] = min(best[key], cpu_timed(run))
        new, before, hand, raw = (best[key] for key in ("new", "before", "hand", "raw"))
        print(
            f"{name:<10} {n / new:>10,.0f}/s {n / before:>20,.0f}/s {n / hand:>12,.0f}/s"
            f" {n / raw:>10,.0f}/s   (alignkg {hand / new:.2f}x the hand-written writer's"
            f" speed, {before / new:.2f}x the all-through-serialize writer's)"
        )
    subset = list(islice(((s, p, o) for s, pairs in blocks for p, o in pairs), args.rdflib_triples))
    g = rdflib.Graph()
    for prefix, namespace in prefixes.items():
        g.bind(prefix, namespace)

    def term(t):
        if hasattr(t, "lexical"):
            return rdflib.Literal(t.lexical, datatype=rdflib.URIRef(t.datatype.value))
        return rdflib.URIRef(t.value)

    built = timed(lambda: [g.add((term(s), term(p), term(o))) for s, p, o in subset])
    print(
        f"rdflib on the first {len(subset):,} triples (Graph built in {built:.1f} s),"
        " per CPU second:"
    )
    for name, options in (
        ("turtle", {"format": "turtle"}),
        ("nt", {"format": "nt"}),
        ("jsonld", {"format": "json-ld"}),
        ("jsonld compacted", {"format": "json-ld", "context": prefixes, "auto_compact": True}),
    ):
        seconds = cpu_timed(lambda options=options: g.serialize(**options))
        print(f"  {name:<16} {len(subset) / seconds:>10,.0f} triples/s")


if __name__ == "__main__":
    sys.exit(main())
