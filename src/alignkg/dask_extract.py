"""Extraction on a Dask cluster: the recipe for corpora one machine cannot extract in time.

Extraction is a pure function of one paper, so a corpus split into JSON Lines shards is a
`dask.bag` to map over: each task reads one shard with alignkg's own reader and writes
its extractions next to it, exactly as `alignkg extract SHARD -o OUT` would. The graph
is then built where the store lives:

    from dask.distributed import Client
    from alignkg.dask_extract import extract_shards

    client = Client("tcp://scheduler:8786")          # or LocalCluster() to try it
    outputs = extract_shards(["corpus-0.jsonl", "corpus-1.jsonl"], "extractions/")
    # then: alignkg build --from-extractions extractions/*.jsonl

Needs the optional extra: `pip install 'alignkg[dask]'` (dask and distributed), and
alignkg installed on every worker. Nothing here manages the cluster: Dask does.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from pathlib import Path


@functools.cache
def _extractor():
    """One spaCy pipeline per worker process, reused by every shard it is given."""
    from alignkg.extract import Extractor

    return Extractor()


def extract_shard(corpus: str, out_dir: str, format: str | None = None) -> tuple[str, int]:
    """Extract one corpus shard into OUT_DIR/<shard name>.extractions.jsonl (written to a
    temporary file and renamed); (output path, papers) back."""
    from alignkg.files import atomic_writer
    from alignkg.ingest import read_corpus
    from alignkg.serialize import extraction_to_dict

    output = Path(out_dir) / f"{Path(corpus).stem}.extractions.jsonl"
    count = 0
    with atomic_writer(output) as out:
        for extraction in _extractor().pipe(read_corpus(corpus, format=format)):
            out.write(json.dumps(extraction_to_dict(extraction), ensure_ascii=False) + "\n")
            count += 1
    return str(output), count


def extract_shards(
    shards: Iterable[str | Path], out_dir: str | Path, format: str | None = None
) -> list[tuple[str, int]]:
    """Map extract_shard over the shards on the current Dask client (the default
    scheduler when there is none); one task per shard, results in shard order."""
    import dask.bag

    shards = [str(s) for s in shards]
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    bag = dask.bag.from_sequence(shards, npartitions=max(len(shards), 1))
    return bag.map(extract_shard, out_dir=str(out_dir), format=format).compute()
