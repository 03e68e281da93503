"""The whole job: ingest -> extract -> canonicalize, as the CLI and the benchmarks run it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from alignkg.canonical import build_graph
from alignkg.extract import Extractor
from alignkg.ingest import default_corpus, read_corpus
from alignkg.records import KnowledgeGraph, Paper, PaperExtraction


def extract_papers(
    papers: Iterable[Paper], workers: int = 1, batch_size: int = 64
) -> Iterator[PaperExtraction]:
    """Extractions in input order, streamed; `workers` > 1 spreads batches over processes."""
    if workers <= 1:
        yield from Extractor().pipe(papers, batch_size=batch_size)
        return
    from alignkg.extract.parallel import extract_in_processes

    yield from extract_in_processes(papers, workers, batch_size)


def build_graph_from_corpus(
    corpus: Path | None, format: str | None = None, strict: bool = False
) -> KnowledgeGraph:
    """The graph of a corpus file (the bundled corpus when None)."""
    papers = read_corpus(corpus or default_corpus(), format=format, strict=strict)
    return build_graph(extract_papers(papers))
