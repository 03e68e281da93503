"""The graph as input files of Neo4j's bulk importer, `neo4j-admin database import full`.

For a first load of a large graph: the importer writes the store files directly, much
faster than any transactional load, into a database that does not exist yet (or with
--overwrite-destination), while the server is stopped. Files, in one folder:

  nodes-Paper.header.csv, nodes-Paper.csv      one pair per label (Paper and each type)
  relationships-USES.header.csv, ...csv        one pair per relationship type
  import.args                                  the importer's options and file list

Headers name the property types (`authors:string[]`, `upvotes:long`...), `id:ID` (one id
space: paper and entity ids cannot collide), `:LABEL`, `:START_ID`, `:END_ID`, `:TYPE`.
Every string is quoted (a quote doubled inside), so commas, quotes and line breaks in
the text survive (the importer runs with --multiline-fields=true); an absent value is an
empty unquoted field. Array elements and labels are separated by U+001F (the unit
separator), which ingest never lets into text; an element that holds one is an error
rather than a silently split value. The same graph gives the same bytes.

The mapping is store/neo4j_schema.py's, so an imported database answers exactly like a
loaded one. Run `alignkg load --schema-only` after the first start for the constraints
and indexes (the importer writes data only).
"""

from __future__ import annotations

import shlex
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alignkg.errors import AlignkgError
from alignkg.files import atomic_writer
from alignkg.records import PAPER_LABEL, KnowledgeGraph
from alignkg.store import neo4j_schema as schema
from alignkg.store.neo4j_schema import (
    ENTITY_LABEL,
    ENTITY_PROPERTIES,
    PAPER_PROPERTIES,
    RELATION_PROPERTIES,
)

ARRAY_DELIMITER = "\x1f"
IMPORTER_OPTIONS = (
    "--overwrite-destination=true",
    "--multiline-fields=true",
    "--array-delimiter=U+001F",
    "--id-type=string",
    "--bad-tolerance=0",
)


class ImportFilesError(AlignkgError):
    """The graph holds a value the importer's CSV cannot carry."""


@dataclass
class ImportFiles:
    folder: Path
    nodes: dict[str, tuple[Path, Path]] = field(default_factory=dict)  # label -> header, data
    relationships: dict[str, tuple[Path, Path]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # file stem -> rows

    @property
    def args_file(self) -> Path:
        return self.folder / "import.args"

    def importer_args(self) -> list[str]:
        """The options and files for `neo4j-admin database import full DATABASE ...`."""
        args = list(IMPORTER_OPTIONS)
        args += [f"--nodes={h},{d}" for h, d in self.nodes.values()]
        args += [f"--relationships={h},{d}" for h, d in self.relationships.values()]
        return args

    def command(self, database: str = "neo4j") -> str:
        # The database first: the last --relationships would take a name after it as a file.
        return f"neo4j-admin database import full {database} @{shlex.quote(str(self.args_file))}"


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _scalar(value: Any, type_: str, where: str) -> str:
    if value is None:
        return ""
    if type_ == "string":
        if not isinstance(value, str):
            raise ImportFilesError(f"{where}: {value!r} is not text")
        return _text(value)
    if type_ == "long":
        return str(int(value))
    if type_ == "double":
        return repr(float(value))
    raise ValueError(f"unknown property type {type_}")


def _field(value: Any, type_: str, where: str) -> str:
    if not type_.endswith("[]"):
        return _scalar(value, type_, where)
    if not value:
        return ""  # the importer stores no empty arrays; readers default them
    element_type = type_[:-2]
    items = []
    for item in value:
        if element_type == "string" and ARRAY_DELIMITER in item:
            raise ImportFilesError(
                f"{where}: {item!r} holds the array delimiter U+001F; it cannot be imported"
            )
        items.append(item if element_type == "string" else _scalar(item, element_type, where))
    return _text(ARRAY_DELIMITER.join(items))


def _cells(props: dict[str, Any], columns: dict[str, str], where: str) -> list[str]:
    if unknown := sorted(set(props) - set(columns)):
        raise ImportFilesError(f"{where}: no column type for {', '.join(unknown)} (neo4j_schema)")
    return [_field(props.get(c), t, where) for c, t in columns.items()]


def _header(columns: dict[str, str], first: Iterable[str] = (), last: Iterable[str] = ()) -> str:
    named = [f"{name}:ID" if name == "id" else f"{name}:{t}" for name, t in columns.items()]
    return ",".join([*first, *named, *last]) + "\n"


def _write(path: Path, lines: Iterator[str]) -> int:
    count = 0
    with atomic_writer(path) as out:
        for line in lines:
            out.write(line)
            count += 1
    return count


def write_import_files(graph: KnowledgeGraph, folder: Path) -> ImportFiles:
    """Write the importer's files for `graph` into `folder` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    folder = folder.resolve()
    files = ImportFiles(folder)

    def node_rows(rows: list[tuple[str, dict[str, Any]]], columns: dict[str, str], labels):
        label_field = _text(ARRAY_DELIMITER.join(labels))
        for node_id, props in rows:
            cells = _cells(props, columns, node_id)
            yield ",".join([*cells, label_field]) + "\n"

    def add_nodes(name: str, labels: tuple[str, ...], columns, rows) -> None:
        header = folder / f"nodes-{name}.header.csv"
        data = folder / f"nodes-{name}.csv"
        _write(header, iter([_header(columns, last=[":LABEL"])]))
        files.counts[data.stem] = _write(data, node_rows(rows, columns, labels))
        files.nodes[name] = (header, data)

    papers = [(k, schema.paper_props(k, p)) for k, p in sorted(graph.papers.items())]
    add_nodes(PAPER_LABEL, (PAPER_LABEL,), PAPER_PROPERTIES, papers)
    by_type: dict[str, list] = defaultdict(list)
    for entity_id, entity in sorted(graph.entities.items()):
        by_type[entity.type.value].append((entity_id, schema.entity_props(entity)))
    for type_, rows in sorted(by_type.items()):
        add_nodes(type_, (ENTITY_LABEL, type_), ENTITY_PROPERTIES, rows)

    by_relation: dict[str, list] = defaultdict(list)
    for key, relation in sorted(graph.relations.items()):
        by_relation[key[1]].append(relation)
    for type_, relations in sorted(by_relation.items()):
        header = folder / f"relationships-{type_}.header.csv"
        data = folder / f"relationships-{type_}.csv"
        _write(header, iter([_header(RELATION_PROPERTIES, [":START_ID", ":END_ID"], [":TYPE"])]))

        def rows(relations=relations, type_=type_) -> Iterator[str]:
            for rel in relations:
                where = f"{rel.head} {type_} {rel.tail}"
                props = schema.relation_props(rel)
                cells = _cells(props, RELATION_PROPERTIES, where)
                ends = [_text(rel.head), _text(rel.tail)]
                yield ",".join([*ends, *cells, _text(type_)]) + "\n"

        files.counts[data.stem] = _write(data, rows())
        files.relationships[type_] = (header, data)

    _write(files.args_file, (arg + "\n" for arg in map(_quoted_arg, files.importer_args())))
    return files


def _quoted_arg(arg: str) -> str:
    """One argument of a picocli @-file: double-quoted, backslashes and quotes escaped."""
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'
