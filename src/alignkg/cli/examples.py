"""Examples shown at the end of every command's --help, one place for all of them."""

from __future__ import annotations

EXAMPLES: dict[str, tuple[str, ...]] = {
    "build": (
        "alignkg build                                  # the bundled 55-paper corpus",
        "alignkg build papers.jsonl --data-dir kg       # your corpus, your store",
        "cat papers.jsonl | alignkg build /dev/stdin --workers 2",
        "alignkg build --from-extractions shards/*.jsonl",
    ),
    "add": (
        "alignkg add this-week.jsonl --data-dir kg      # papers already there are skipped",
        "alignkg add --from-extractions new/*.jsonl --json",
    ),
    "extract": (
        "alignkg extract papers.jsonl -o extractions.jsonl --workers 2",
        "alignkg extract papers.jsonl --shard 1/4 -o part-1.jsonl",
        "alignkg extract papers.jsonl --pipeline accurate -o extractions.jsonl",
    ),
    "evaluate": (
        "alignkg evaluate ../shared/eval/seed-gold.jsonl",
        "alignkg evaluate gold.jsonl --corpus papers.jsonl --json",
    ),
    "neighborhood": (
        "alignkg neighborhood DPO",
        'alignkg neighborhood "direct preference optimization" --depth 2 --json',
        "alignkg neighborhood DPO --backend neo4j",
    ),
    "show": ("alignkg show LN-DPO", "alignkg show RLHF --json"),
    "search": ("alignkg search dpo", "alignkg search bench --limit 50 --json"),
    "stats": ("alignkg stats", "alignkg stats --json --data-dir kg"),
    "render": (
        "alignkg render DPO -o dpo.html",
        "alignkg render RLHF --depth 2 -o rlhf.html",
    ),
    "rdf": (
        "alignkg export rdf --format turtle -o kg.ttl",
        "alignkg export rdf --format nt --base-iri https://example.org/kg/ -o kg.nt",
    ),
    "neo4j-import": (
        "alignkg export neo4j-import /tmp/kg-import",
        "scripts/neo4j-local admin database import full neo4j @/tmp/kg-import/import.args",
    ),
    "load": ("alignkg load", "alignkg load --database kg --batch-size 5000"),
    "query": (
        "alignkg query --list",
        "alignkg query dpo-family --param name=DPO",
        "alignkg query 'MATCH (m:Method) RETURN m.name LIMIT 5' --json",
    ),
}


def epilog(command: str) -> str | None:
    """The examples of `command` as a help epilog, one a line."""
    lines = EXAMPLES.get(command)
    if not lines:
        return None
    return "\n".join(("Examples:", *(f"  $ {line}" for line in lines)))
