"""Copy a trained pipeline's needed pieces into the package: the NER and what loading
it needs (config, meta, tokenizer, the vocab's strings), nothing else.

    python training/ship.py training/output/shipped/model-best src/alignkg/data/model
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import spacy


def main(source: str, dest: str) -> int:
    nlp = spacy.load(source)
    if nlp.pipe_names != ["ner"]:
        print(f"ship: expected a pipeline of one 'ner', got {nlp.pipe_names}", file=sys.stderr)
        return 1
    target = Path(dest)
    if target.exists():
        shutil.rmtree(target)
    nlp.to_disk(target)
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    print(f"shipped {source} -> {target} ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
