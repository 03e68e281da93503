"""alignkg's graph in Neo4j terms: labels, relationship types, and records <-> properties.

One place for the mapping that the loader (store/neo4j_loader.py), the query store
(store/neo4j.py) and the bulk-import files (store/neo4j_import.py) share. Nothing here
talks to a server, so the module needs no driver.

Labels and relationship types are the only text interpolated into Cypher, and they come
from the fixed lists below (EntityType, RelationType), never from the data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path
from typing import Any

from alignkg.keys import match_key
from alignkg.records import (
    PAPER_LABEL,
    Entity,
    EntityType,
    Evidence,
    Paper,
    Relation,
    RelationType,
    paper_node_id,
)
from alignkg.serialize import entity_from_dict, entity_to_dict, paper_from_dict, paper_to_dict
from alignkg.store.base import StoreError

# The project's cypher/ folder, shipped in the package as data/cypher (a link to it).
CYPHER_DIR = Path(str(files("alignkg") / "data" / "cypher"))
SCHEMA_FILE = CYPHER_DIR / "schema.cypher"
QUERIES_DIR = CYPHER_DIR / "queries"
"""The bundled queries for Neo4j Browser; `alignkg query NAME` finds NAME.cypher here."""

ENTITY_LABEL = "Entity"
NODE_LABELS = (PAPER_LABEL, ENTITY_LABEL)
"""The labels by which every alignkg node is found (each has a unique index on id)."""
TYPE_LABELS = frozenset(t.value for t in EntityType)
RELATION_TYPES = tuple(t.value for t in RelationType)
_PAPER_PREFIX = paper_node_id("")

# The Neo4j type of every property alignkg writes (the bulk importer's CSV headers need
# them; a list may be empty, so its type cannot be read off the values). A property the
# mapping below writes and these tables lack is an error of the import files.
PAPER_PROPERTIES = {
    "id": "string",
    "title": "string",
    "abstract": "string",
    "date": "string",
    "authors": "string[]",
    "author_count": "long",
    "organization": "string",
    "url": "string",
    "upvotes": "long",
}
ENTITY_PROPERTIES = {
    "id": "string",
    "name": "string",
    "type": "string",
    "aliases": "string[]",
    "papers": "string[]",
    "links": "string[]",
    "keys": "string[]",
    "search_forms": "string[]",
    "aliases_text": "string",
}
RELATION_PROPERTIES = {
    "evidence_papers": "string[]",
    "evidence_sentences": "string[]",
    "evidence_starts": "long[]",
    "evidence_ends": "long[]",
    "evidence_rules": "string[]",
    "evidence_confidences": "double[]",
    "confidence": "double",
}


# --- the fixed vocabulary of labels and types -----------------------------------------


def label_of(node_id: str) -> str:
    """Paper or Entity: the id tells (papers are "paper/<id>", entities "<type>/<slug>")."""
    return PAPER_LABEL if node_id.startswith(_PAPER_PREFIX) else ENTITY_LABEL


def checked(name: str, allowed: Iterable[str]) -> str:
    """`name` when it is one of the fixed labels or types; anything else is a bug."""
    if name not in allowed:
        raise ValueError(f"{name!r} is not a known label or relationship type")
    return name


def match_by_id(var: str, label: str, key: str = "id") -> str:
    """`(var:Label {id: key})`, the label checked against the fixed list."""
    return f"({var}:{checked(label, NODE_LABELS)} {{id: {key}}})"


def split_by_label(ids: Iterable[str]) -> dict[str, list[str]]:
    """Node ids grouped by the label that finds them, as query parameters."""
    groups: dict[str, list[str]] = {label: [] for label in NODE_LABELS}
    for node_id in ids:
        groups[label_of(node_id)].append(node_id)
    return groups


def per_label(body: str) -> str:
    """One query over nodes of both labels: for each, `UNWIND $<Label> AS id`, bind `n` by
    its id (index seek), then `body`; the parts joined with UNION ALL. Parameters: the
    dict of split_by_label."""
    return "\nUNION ALL\n".join(
        f"UNWIND ${label} AS id MATCH {match_by_id('n', label)} {body}" for label in NODE_LABELS
    )


# --- records <-> properties ---------------------------------------------------------------


def paper_props(node_id: str, paper: Paper) -> dict[str, Any]:
    """The paper's record under its node id; Neo4j stores no nulls, so those are left out."""
    props = paper_to_dict(paper) | {"id": node_id}
    return {k: v for k, v in props.items() if v is not None}


def paper_from_props(props: dict[str, Any]) -> Paper:
    return paper_from_dict(props | {"id": props["id"].removeprefix(_PAPER_PREFIX)})


def entity_props(entity: Entity) -> dict[str, Any]:
    forms = (entity.name, *entity.aliases)
    return entity_to_dict(entity) | {
        # Derived, for lookups: match keys (resolve), case-folded forms (search), and the
        # aliases as one string for the full-text index (which reads strings only).
        "keys": sorted({match_key(f) for f in forms}),
        "search_forms": [f.casefold() for f in forms],
        "aliases_text": "\n".join(entity.aliases),
    }


def entity_from_props(props: dict[str, Any]) -> Entity:
    # The bulk importer stores no empty lists: an entity without aliases has none.
    return entity_from_dict({"aliases": [], "papers": [], "links": []} | props)


def relation_values(relation: Relation) -> list[Any]:
    """The relationship's property values in RELATION_PROPERTIES order (the loader sends
    them as one list per row: less to pack than a map). Evidence as parallel lists:
    Neo4j properties cannot hold maps."""
    evidence = relation.evidence
    return [
        [e.paper_id for e in evidence],
        [e.sentence for e in evidence],
        [e.start for e in evidence],
        [e.end for e in evidence],
        [e.rule for e in evidence],
        [float(e.confidence) for e in evidence],
        float(relation.confidence),
    ]


def relation_props(relation: Relation) -> dict[str, Any]:
    return dict(zip(RELATION_PROPERTIES, relation_values(relation), strict=True))


def relation_from_props(head: str, type_: str, tail: str, props: dict[str, Any]) -> Relation:
    columns = zip(
        props.get("evidence_papers", ()),
        props.get("evidence_sentences", ()),
        props.get("evidence_starts", ()),
        props.get("evidence_ends", ()),
        props.get("evidence_rules", ()),
        props.get("evidence_confidences", ()),
        strict=True,
    )
    return Relation(
        head=head,
        type=RelationType(type_),
        tail=tail,
        evidence=tuple(Evidence(*column) for column in columns),
    )


# --- the schema file -------------------------------------------------------------------------


def schema_statements(path: Path = SCHEMA_FILE) -> list[str]:
    """The statements of a .cypher file: `//` comments dropped, split at semicolons."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise StoreError(f"cannot read the Neo4j schema {path}: {err.strerror}") from err
    return split_statements(text)


_COMMENT = re.compile(r"^\s*//.*$", re.MULTILINE)


def split_statements(text: str) -> list[str]:
    """Cypher statements of a script whose `//` comments stand on lines of their own."""
    return [s.strip() for s in _COMMENT.sub("", text).split(";") if s.strip()]
