"""The bundled Cypher queries (cypher/queries/*.cypher) and their parameters.

Each file starts with `//` lines saying what it answers, a `// Parameters:` line, and one
`// :param name => value` line per parameter (Neo4j Browser's syntax), which is also the
default `alignkg query NAME` uses.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alignkg.store.neo4j_schema import QUERIES_DIR

_DEFAULT_PARAM = re.compile(r"^\s*//\s*:param\s+(\w+)\s*=>\s*(.+?)\s*;?\s*$", re.MULTILINE)
_INT64 = (-(2**63), 2**63 - 1)


def parse_value(text: str) -> Any:
    """A parameter value: JSON when it parses (numbers, lists, true, null, "quoted"),
    else the text itself."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested too deep for it
        return text


def out_of_range(value: Any) -> int | None:
    """An integer in `value` that Neo4j cannot hold (64 bits), if any."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if not _INT64[0] <= value <= _INT64[1] else None
    if isinstance(value, list):
        items = value
    elif isinstance(value, dict):
        items = value.values()
    else:
        return None
    for item in items:
        if (found := out_of_range(item)) is not None:
            return found
    return None


def default_params(text: str) -> dict[str, Any]:
    """Defaults from the Browser lines of a query's header: `// :param name => "DPO"`."""
    return {name: parse_value(value) for name, value in _DEFAULT_PARAM.findall(text)}


@dataclass(frozen=True, slots=True)
class BundledQuery:
    name: str
    path: Path
    answers: str  # what it answers: the header's first sentences
    parameters: dict[str, Any] = field(default_factory=dict)  # name -> default

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def _answers(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if not line.startswith("//") or line.startswith("// Parameters:"):
            break
        lines.append(line.removeprefix("//").strip())
    return " ".join(lines)


def bundled_queries(folder: Path = QUERIES_DIR) -> dict[str, BundledQuery]:
    """The bundled queries by name (the file name without .cypher), sorted."""
    found = {}
    for path in sorted(folder.glob("*.cypher")):
        text = path.read_text(encoding="utf-8")
        found[path.stem] = BundledQuery(path.stem, path, _answers(text), default_params(text))
    return found


def closest_queries(name: str, names: list[str], limit: int = 3) -> list[str]:
    return difflib.get_close_matches(name.lower(), names, n=limit, cutoff=0.5)
