"""Random entities of a built store, each with a snippet of one paper that names it, for a
hand check of how many are right, wrongly typed or junk.

    alignkg build ../shared/corpus/arxiv-ml-abstracts.jsonl --data-dir /tmp/q-arxiv
    python bench/sample_entities.py /tmp/q-arxiv [--seed 2026] [--n 50] [--names FILE]

The sample is fixed by the seed and the store's entity ids (sorted). `--names FILE` looks
up the names listed in FILE (one per line, as an earlier run printed them) instead, so two
builds can be compared on the same entities.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import sys
from pathlib import Path


def snippet(abstract: str, forms: list[str], width: int = 110) -> str:
    for form in forms:
        m = re.search(rf"(?<!\w){re.escape(form)}(?!\w)", abstract)
        if m:
            start = max(0, m.start() - width)
            return " ".join(abstract[start : m.end() + width].split())
    return " ".join(abstract[: 2 * width].split())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--names", type=Path, default=None)
    args = parser.parse_args(argv)

    db = sqlite3.connect(args.data_dir / "graph.sqlite")
    rows = db.execute("SELECT id, name, type, aliases, paper_count FROM entities ORDER BY id")
    entities = rows.fetchall()
    if args.names:
        wanted = [line.strip() for line in args.names.open(encoding="utf-8") if line.strip()]
        by_name: dict[str, list] = {}
        for row in entities:
            by_name.setdefault(row[1], []).append(row)
        chosen = [(name, by_name.get(name, [None])[0]) for name in wanted]
    else:
        chosen = [(row[1], row) for row in random.Random(args.seed).sample(entities, args.n)]
    for i, (name, row) in enumerate(chosen, 1):
        if row is None:
            print(f"{i:2}. {name}: not an entity of this build\n")
            continue
        id_, name, type_, aliases, papers = row
        forms = [name, *json.loads(aliases)]
        paper = db.execute(
            "SELECT p.data FROM entity_papers e JOIN papers p ON p.node_id = e.paper"
            " WHERE e.entity = ? ORDER BY p.node_id LIMIT 1",
            (id_,),
        ).fetchone()
        record = json.loads(paper[0]) if paper else {}
        title, abstract = record.get("title", ""), record.get("abstract", "")
        print(f"{i:2}. {name} [{type_}] aliases={forms[1:]} papers={papers}")
        print(f"    {title}\n    ... {snippet(abstract, forms)} ...\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
