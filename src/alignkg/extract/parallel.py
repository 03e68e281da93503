"""Extraction spread over worker processes, streamed, in input order.

Each worker builds its spaCy pipeline once; batches of papers go out and extractions
come back through `imap`, which keeps order and holds only a few batches in flight.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from itertools import islice

from alignkg.records import Paper, PaperExtraction

_extractor = None


def _start_worker() -> None:
    global _extractor
    from alignkg.extract import Extractor

    _extractor = Extractor()


def _extract_batch(papers: list[Paper]) -> list[PaperExtraction]:
    return list(_extractor.pipe(papers, batch_size=len(papers)))


def _batches(papers: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    iterator = iter(papers)
    while batch := list(islice(iterator, size)):
        yield batch


def extract_in_processes(
    papers: Iterable[Paper], workers: int, batch_size: int = 64
) -> Iterator[PaperExtraction]:
    # forkserver: workers start clean (no inherited threads or open files) and cheaply.
    context = multiprocessing.get_context("forkserver")
    with context.Pool(workers, initializer=_start_worker) as pool:
        for extractions in pool.imap(_extract_batch, _batches(papers, batch_size)):
            yield from extractions
