"""The whole job: ingest -> extract -> canonicalize -> store, as the CLI and the benchmarks
run it.

Extraction is a pure function of one paper (a map): `extract_papers` runs it here, over
processes, and `in_shard` picks the papers of one shard, so extraction can run anywhere
(`alignkg extract --shard i/n`, or the Dask recipe of alignkg.distributed) and the
extraction JSON Lines come back through `read_extractions`. `write_store` streams
extractions into the embedded store under its writer lock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from alignkg.canonical import build_graph
from alignkg.errors import AlignkgError
from alignkg.ingest import default_corpus, read_corpus
from alignkg.records import KnowledgeGraph, Paper, PaperExtraction
from alignkg.serialize import extraction_from_dict
from alignkg.store import lock
from alignkg.store.builder import AddReport, GraphBuilder
from alignkg.store.embedded import EmbeddedStore


class ExtractionFileError(AlignkgError):
    """An extraction file that cannot be read; the message names file and line."""


def extract_papers(
    papers: Iterable[Paper], workers: int = 1, batch_size: int = 64, pipeline: str = "default"
) -> Iterator[PaperExtraction]:
    """Extractions in input order, streamed; `workers` > 1 spreads batches over processes.
    `pipeline`: "default" (rules, lexicon) or "accurate" (plus the trained NER)."""
    if workers <= 1:
        from alignkg.extract import shared_extractor  # spaCy: only when extracting

        yield from shared_extractor(pipeline).pipe(papers, batch_size=batch_size)
        return
    from alignkg.extract.parallel import extract_in_processes

    yield from extract_in_processes(papers, workers, batch_size, pipeline)


def parse_shard(text: str) -> tuple[int, int]:
    """'i/n' (1 <= i <= n) -> (i, n); ValueError with a one-line message otherwise."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"--shard {text!r}: expected i/n, e.g. 1/4") from None
    if not 1 <= index <= count:
        raise ValueError(f"--shard {text!r}: i must be between 1 and n")
    return index, count


def shard_of(paper_id: str, count: int) -> int:
    """The shard (1..count) a paper belongs to: a hash of its id, so a paper is in the
    same shard whatever the order or the file it comes in."""
    digest = hashlib.blake2b(paper_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count + 1


def in_shard(papers: Iterable[Paper], index: int, count: int) -> Iterator[Paper]:
    return (p for p in papers if shard_of(p.id, count) == index)


def read_extractions(paths: Iterable[Path]) -> Iterator[PaperExtraction]:
    """Extractions from JSON Lines files written by `alignkg extract` (anywhere)."""
    for path in paths:
        path = Path(path)
        try:
            with path.open(encoding="utf-8") as lines:
                for number, line in enumerate(lines, start=1):
                    if not line.strip():
                        continue
                    try:
                        yield extraction_from_dict(json.loads(line))
                    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
                        raise ExtractionFileError(
                            f"{path}:{number}: not an extraction written by 'alignkg extract'"
                        ) from None
        except FileNotFoundError:
            raise ExtractionFileError(f"{path}: no such file") from None
        except UnicodeDecodeError:
            raise ExtractionFileError(f"{path}: not valid UTF-8") from None
        except OSError as err:
            raise ExtractionFileError(f"{path}: cannot read ({err.strerror})") from None


def write_store(data_dir: Path, extractions: Iterable[PaperExtraction], replace: bool) -> AddReport:
    """Stream extractions into the embedded store of `data_dir` in one transaction: the
    whole graph when `replace`, else added to it (papers already there are skipped).
    The caller holds the data directory's lock (lock.writing)."""
    with GraphBuilder(EmbeddedStore(data_dir), replace=replace) as builder:
        builder.add(extractions)
        return builder.commit()


def build_store(
    data_dir: Path, extractions: Iterable[PaperExtraction], replace: bool = True
) -> AddReport:
    """write_store under the data directory's lock (failing at once if it is taken)."""
    with lock.writing(data_dir):
        return write_store(data_dir, extractions, replace)


def build_default_if_empty(data_dir: Path) -> bool:
    """Build the bundled corpus into an empty data directory (a first query on a fresh
    install); True when it did. Never while another build holds the directory (StoreBusy),
    and never over a graph that such a build committed meanwhile."""
    with lock.writing(data_dir):
        if not EmbeddedStore(data_dir).is_empty():
            return False
        write_store(data_dir, extract_papers(read_corpus(default_corpus())), replace=True)
        return True


def build_graph_from_corpus(
    corpus: Path | None, format: str | None = None, strict: bool = False
) -> KnowledgeGraph:
    """The graph of a corpus file (the bundled corpus when None), in memory."""
    papers = read_corpus(corpus or default_corpus(), format=format, strict=strict)
    return build_graph(extract_papers(papers))
