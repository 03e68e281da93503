"""Extraction spread over worker processes, streamed, in input order.

Each worker builds its spaCy pipeline once. The papers are read here, in the calling
process, and sent out in batches, a few per worker in flight; results come back in order.
So a bad input file fails here at once, exactly as with one process, and any failure
(a bad file, an error in a worker, a worker killed, Ctrl-C) stops the workers at once
instead of leaving the pool waiting for work that never comes.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

from alignkg.errors import AlignkgError
from alignkg.records import Paper, PaperExtraction

_IN_FLIGHT_PER_WORKER = 2
_extractor = None


class WorkerError(AlignkgError):
    """An extraction worker process died (killed, out of memory)."""


def _start_worker(pipeline: str = "default") -> None:
    global _extractor
    from alignkg.extract import Extractor

    _extractor = Extractor(pipeline=pipeline)


def _extract_batch(papers: list[Paper]) -> list[PaperExtraction]:
    return list(_extractor.pipe(papers, batch_size=len(papers)))


def _batches(papers: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    iterator = iter(papers)
    while batch := list(islice(iterator, size)):
        yield batch


def _stop(pool: ProcessPoolExecutor, finished: bool) -> None:
    if finished:
        pool.shutdown(wait=True)
        return
    # The executor has no public way to stop a running task; its workers are ours. Stop
    # them first, then shut the executor down: with its workers gone, its manager thread
    # takes the broken-pool path and exits. The other order, shutdown(wait=False) and then
    # killing the workers, can leave that thread replacing dead workers or sending stop
    # sentinels down a closed pipe, which multiprocessing prints as a traceback
    # ("OSError: Bad file descriptor"; CPython gh-132969, not fixed in 3.11).
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)
    pool.shutdown(wait=True, cancel_futures=True)


def extract_in_processes(
    papers: Iterable[Paper], workers: int, batch_size: int = 64, pipeline: str = "default"
) -> Iterator[PaperExtraction]:
    pool: ProcessPoolExecutor | None = None
    in_flight: deque[Future[list[PaperExtraction]]] = deque()
    finished = False
    try:
        for batch in _batches(papers, batch_size):
            if pool is None:  # only once there is work: a bad file starts no process
                # forkserver: workers start clean (no inherited threads or open files).
                context = multiprocessing.get_context("forkserver")
                pool = ProcessPoolExecutor(
                    workers, context, initializer=_start_worker, initargs=(pipeline,)
                )
            in_flight.append(pool.submit(_extract_batch, batch))
            while len(in_flight) >= workers * _IN_FLIGHT_PER_WORKER:
                yield from in_flight.popleft().result()
        while in_flight:
            yield from in_flight.popleft().result()
        finished = True
    except BrokenProcessPool:
        raise WorkerError("an extraction worker process died (killed, or out of memory?)") from None
    finally:
        if pool is not None:
            _stop(pool, finished)
