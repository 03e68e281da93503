"""What the relation component costs: the extraction pipeline with and without it, side by
side in one run, on fresh abstracts (../shared/corpus/arxiv-ml-abstracts.jsonl).

    python bench/relation_cost.py [--limit 1500] [--corpus PATH]

Each component runs over every doc in turn (so the figure is the relations' own time),
the best of two rounds after a warm-up round.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from alignkg.extract import build_nlp
from alignkg.extract.components import TEXT_KEY

CORPUS = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "arxiv-ml-abstracts.jsonl"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=1500)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    texts = []
    with args.corpus.open(encoding="utf-8") as lines:
        for line in lines:
            if len(texts) >= args.limit:
                break
            record = json.loads(line)
            texts.append(f"{record['title']}\n\n{record['abstract']}")
    nlp = build_nlp()

    def seconds(skip: set[str]) -> float:
        docs = []
        for text in texts:
            doc = nlp.make_doc(text)
            doc.user_data[TEXT_KEY] = text
            docs.append(doc)
        start = time.perf_counter()
        for name, component in nlp.pipeline:
            if name not in skip:
                for doc in docs:
                    component(doc)
        return time.perf_counter() - start

    seconds(set())
    full = min(seconds(set()) for _ in range(2))
    without = min(seconds({"alignkg_relations"}) for _ in range(2))
    n = len(texts)
    print(f"{n} fresh abstracts, one process")
    print(f"  whole pipeline      {n / full:8.0f} abstracts/s")
    print(f"  without relations   {n / without:8.0f} abstracts/s")
    print(
        f"  relations           {1000 * (full - without) / n:8.2f} ms/abstract "
        f"({100 * (full - without) / full:.0f}% of the pipeline)"
    )


if __name__ == "__main__":
    main()
