"""Is a user's Cypher statement read-only? Decided from what the statement can do.

EXPLAIN's query type is not enough: it calls `TERMINATE TRANSACTIONS` and `LOAD CSV`
read-only, and `CALL dbms.components()` a schema write. So the statement is read as
tokens (comments, strings, backtick names and parameters recognised, so a keyword inside
them means nothing) and refused when it has a writing or acting clause, a procedure call
not known to be read-only, an APOC function outside the read-only namespaces, or
`CALL { } IN TRANSACTIONS`. The lists are data: data/neo4j_readonly.json.

This is the first fence; the query then runs in a READ transaction, which the server
refuses to let write (store/neo4j.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))
    | (?P<string>'(?:[^'\\]|\\.)*(?:'|\Z)|"(?:[^"\\]|\\.)*(?:"|\Z))
    | (?P<quoted>`(?:[^`]|``)*(?:`|\Z))
    | (?P<param>\$(?:\w+|`(?:[^`]|``)*`))
    | (?P<number>\d[\w.]*)
    | (?P<word>[^\W\d]\w*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # word, param, string, quoted, number, other
    text: str


def tokens(text: str) -> list[Token]:
    """The statement's tokens, without spaces and comments."""
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind not in ("space", "comment"):
            found.append(Token(kind, match.group()))
    return found


def parameters(text: str) -> set[str]:
    """The names of the $parameters the statement uses."""
    names = set()
    for token in tokens(text):
        if token.kind == "param":
            name = token.text[1:]
            names.add(name[1:-1].replace("``", "`") if name.startswith("`") else name)
    return names


@cache
def _rules() -> dict:
    return json.loads((files("alignkg") / "data" / "neo4j_readonly.json").read_text("utf-8"))


def _qualified_name(toks: list[Token], start: int) -> tuple[str, int]:
    """The dotted name starting at toks[start] (`db.index.fulltext.queryNodes`) and the
    index after it."""
    parts, i = [], start
    while i < len(toks) and toks[i].kind in ("word", "quoted"):
        parts.append(toks[i].text.strip("`"))
        i += 1
        if i + 1 < len(toks) and toks[i].text == "." and toks[i + 1].kind in ("word", "quoted"):
            i += 1
            continue
        break
    return ".".join(parts), i


def _is_keyword(toks: list[Token], i: int) -> bool:
    """A word in clause position, not a property (n.set), label (:Set), map key
    ({set: 1}), variable in a list or call ((set), [set], f(a, set)), alias (AS set) or
    dotted name."""
    before = toks[i - 1].text.upper() if i > 0 else ""
    after = toks[i + 1].text if i + 1 < len(toks) else ""
    return before not in (".", ":", "(", ",", "[", "AS") and after not in (":", ".")


def why_not_read_only(text: str) -> str | None:
    """None when the statement can only read; else what in it could write or act."""
    rules = _rules()
    clauses: dict[str, str] = rules["writing_clauses"]
    procedures = frozenset(rules["read_procedures"])
    apoc_namespaces = frozenset(rules["apoc_read_function_namespaces"])
    toks = tokens(text)
    previous_word = ""
    for i, token in enumerate(toks):
        if token.kind != "word":
            continue
        upper = token.text.upper()
        if upper in clauses and _is_keyword(toks, i):
            return f"{upper} {clauses[upper]}"
        if (
            upper in ("TRANSACTION", "TRANSACTIONS")
            and previous_word != "SHOW"
            and _is_keyword(toks, i)
        ):
            return "CALL { ... } IN TRANSACTIONS commits writes as it goes"
        if upper == "CALL" and _is_keyword(toks, i):
            following = toks[i + 1].text if i + 1 < len(toks) else ""
            if following not in ("{", "("):  # not a subquery: a procedure
                name, _ = _qualified_name(toks, i + 1)
                if name not in procedures:
                    return f"the procedure {name or following!r} is not known to be read-only"
        if token.text.lower() == "apoc" and i + 1 < len(toks) and toks[i + 1].text == ".":
            name, end = _qualified_name(toks, i)
            called = previous_word == "CALL"
            namespace = name.split(".")[1] if "." in name else ""
            if not called and namespace not in apoc_namespaces:
                return f"the APOC function {name!r} is not known to be read-only"
        previous_word = upper
    return None
