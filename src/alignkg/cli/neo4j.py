"""Neo4j commands: load (the graph into Neo4j) and query (Cypher, printed as a table).

The server comes from NEO4J_URI, NEO4J_USERNAME and NEO4J_PASSWORD; a password is never
taken on the command line.
"""

from __future__ import annotations

import json
import re
import textwrap
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from alignkg.cli.common import (
    AlignkgTyper,
    BackendOption,
    DatabaseOption,
    DataDirOption,
    JsonOption,
    fail,
    note,
    print_json,
    query_store,
)
from alignkg.cli.export import app as export_app
from alignkg.records import KnowledgeGraph
from alignkg.store import open_store
from alignkg.store.neo4j_queries import (
    bundled_queries,
    closest_queries,
    default_params,
    out_of_range,
    parse_value,
)

app = AlignkgTyper()

BatchSizeOption = Annotated[
    int | None,
    typer.Option(
        "--batch-size", min=1, help="Rows written per transaction [default: the loader's]."
    ),
]


def _neo4j_store(database: str | None, batch_size: int | None = None):
    """The Neo4j store of NEO4J_URI, through open_store like every other command's."""
    options = {"batch_size": batch_size} if batch_size else {}
    return open_store("neo4j", database=database, **options)


# --- load ------------------------------------------------------------------------------------


def _save(store, graph: KnowledgeGraph) -> dict[str, Any]:
    started = time.perf_counter()
    store.save(graph)
    seconds = time.perf_counter() - started
    summary = {
        "papers": len(graph.papers),
        "entities": len(graph.entities),
        "relations": len(graph.relations),
        "uri": store.uri,
        "database": store.database,
        "seconds": round(seconds, 2),
    }
    where = store.uri + (f" (database {store.database})" if store.database else "")
    note(
        f"Loaded {summary['papers']} papers, {summary['entities']} entities and "
        f"{summary['relations']} relations into Neo4j at {where} in {seconds:.1f}s."
    )
    return summary


def load_into_neo4j(
    graph: KnowledgeGraph, database: str | None = None, batch_size: int | None = None
) -> dict[str, Any]:
    """Replace the graph in Neo4j by `graph` (`alignkg build --neo4j`); a summary back."""
    with _neo4j_store(database, batch_size) as store:
        return _save(store, graph)


@app.command()
def load(
    data_dir: DataDirOption = None,
    database: DatabaseOption = None,
    batch_size: BatchSizeOption = None,
    schema_only: Annotated[
        bool,
        typer.Option(
            "--schema-only",
            help="Only create the constraints and indexes (after neo4j-admin import).",
        ),
    ] = False,
    json_: JsonOption = False,
) -> None:
    """Load the embedded store's graph into Neo4j; loading again changes nothing.

    An empty embedded store first builds the bundled corpus. What Neo4j held before under
    alignkg's labels is replaced: nodes and relations no longer in the graph are removed.
    One load at a time per database: a second one fails at once with exit code 2.
    """
    if schema_only:
        with _neo4j_store(database) as store:
            store.apply_schema()
        note(f"Applied the alignkg schema to {store.where}.")
        return
    # Connect first: a wrong password fails at once, not after a build.
    with _neo4j_store(database, batch_size) as store:
        with query_store("embedded", data_dir) as source:
            graph = source.load_graph()
        summary = _save(store, graph)
    if json_:
        print_json(summary)


# --- export neo4j-import -----------------------------------------------------------------------


@export_app.command("neo4j-import")
def neo4j_import(
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder for the CSV files (created if needed).")
    ],
    backend: BackendOption = "embedded",
    data_dir: DataDirOption = None,
    database: DatabaseOption = None,
    json_: JsonOption = False,
) -> None:
    """The graph as the CSV files of `neo4j-admin database import full`, for a first load.

    Header and data files per label and per relationship type, and DIR/import.args with
    the importer's options. With the server stopped:

        neo4j-admin database import full neo4j @DIR/import.args

    then start it and run `alignkg load --schema-only` for the constraints and indexes.
    """
    from alignkg.store.neo4j_import import write_import_files

    with query_store(backend, data_dir, database) as store:
        graph = store.load_graph()
    try:
        files = write_import_files(graph, folder)
    except OSError as err:
        raise fail(f"cannot write {folder}: {err.strerror or err}", 1) from None
    if json_:
        print_json({"folder": str(files.folder), "files": files.counts, "command": files.command()})
        return
    note(
        f"Wrote {len(graph.papers)} papers, {len(graph.entities)} entities and "
        f"{len(graph.relations)} relations for neo4j-admin into {files.folder}. "
        "With the server stopped, import them with:"
    )
    typer.echo(files.command())


# --- query -----------------------------------------------------------------------------------


def read_query(file_or_text: str) -> str:
    """The Cypher of a file, of a bundled query by name, or the text itself. A lone word
    is a name (no Cypher statement is one word): an unknown one gets the closest names."""
    path = Path(file_or_text)
    try:
        is_file = path.is_file()
    except (OSError, ValueError):  # a name too long for a file, a NUL byte: Cypher text
        is_file = False
    if is_file:
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            reason = getattr(err, "strerror", None) or "not UTF-8 text"
            raise fail(f"cannot read {file_or_text}: {reason}", 1) from None
    if file_or_text.endswith(".cypher") and not re.search(r"\s", file_or_text):
        raise fail(f"no such file: {file_or_text}", 1)
    if re.fullmatch(r"[\w.-]+", file_or_text):
        queries = bundled_queries()
        if file_or_text in queries:
            return queries[file_or_text].text
        close = closest_queries(file_or_text, list(queries))
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        raise fail(
            f"no bundled query named {file_or_text!r}{hint} (alignkg query --list shows them)",
            1,
        )
    return file_or_text


def parse_params(pairs: list[str]) -> dict[str, Any]:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not re.fullmatch(r"\w+", name.strip()):
            raise fail(f"--param wants name=value, got {pair!r}", 1)
        parsed = parse_value(value)
        if (big := out_of_range(parsed)) is not None:
            raise fail(
                f"--param {name.strip()}: {big} is beyond Neo4j's 64-bit integers; "
                "quote it to send text (--param 'name=\"...\"')",
                1,
            )
        params[name.strip()] = parsed
    return params


def list_queries(json_: bool) -> None:
    """The bundled queries: name, what each answers, parameters and their defaults."""
    queries = bundled_queries().values()
    if json_:
        print_json(
            [{"name": q.name, "answers": q.answers, "parameters": q.parameters} for q in queries]
        )
        return
    for q in queries:
        params = ", ".join(f"${k} (default {json.dumps(v)})" for k, v in q.parameters.items())
        typer.echo(f"{q.name}" + (f"  {params}" if params else ""))
        typer.echo(textwrap.fill(q.answers, 88, initial_indent="    ", subsequent_indent="    "))
    typer.echo("Run one with: alignkg query NAME [--param name=value]")


def plain(value: Any) -> Any:
    """Driver values as JSON-ready ones: nodes and relationships as their properties."""
    from neo4j.graph import Node, Relationship
    from neo4j.graph import Path as GraphPath

    if isinstance(value, Node):
        return {"labels": sorted(value.labels), **{k: plain(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        ends = [n.get("id") if n is not None else None for n in value.nodes]
        return {"type": value.type, "start": ends[0], "end": ends[1], **dict(value.items())}
    if isinstance(value, GraphPath):
        return {
            "nodes": [plain(n) for n in value.nodes],
            "relationships": [plain(r) for r in value.relationships],
        }
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # temporal and spatial values


def cell(value: Any, width: int = 80) -> str:
    """A value as one line of a table cell."""
    from neo4j.graph import Node, Relationship
    from neo4j.graph import Path as GraphPath

    if isinstance(value, Node):
        text = str(value.get("name") or value.get("title") or value.get("id") or "")
    elif isinstance(value, Relationship):
        text = f":{value.type}"
    elif isinstance(value, GraphPath):
        text = " ".join(cell(n, width) for n in value.nodes)
    elif isinstance(value, list | tuple):
        text = ", ".join(cell(v, width) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(plain(value), ensure_ascii=False)
    else:
        text = "" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_table(keys: list[str], rows: list[list[str]]) -> None:
    widths = [max([len(k), *(len(row[i]) for row in rows)]) for i, k in enumerate(keys)]
    typer.echo("  ".join(k.ljust(w) for k, w in zip(keys, widths, strict=True)).rstrip())
    typer.echo("  ".join("-" * w for w in widths))
    for row in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    typer.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


@app.command()
def query(
    file_or_text: Annotated[
        str | None,
        typer.Argument(
            metavar="[FILE_OR_TEXT]",
            help="A .cypher file, the name of a bundled query (e.g. dpo-family), or Cypher.",
            show_default=False,
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="name=value, repeatable; the value is read as JSON when it parses, else "
            "as text. Defaults come from the file's `// :param name => value` lines.",
        ),
    ] = None,
    write: Annotated[
        bool, typer.Option("--write", help="Allow a query that changes the database.")
    ] = False,
    list_: Annotated[
        bool,
        typer.Option("--list", help="List the bundled queries, what each answers, parameters."),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show the driver's notifications and retries.")
    ] = False,
    json_: JsonOption = False,
    database: DatabaseOption = None,
) -> None:
    """Run one Cypher query against Neo4j and print its rows as a table (or --json).

    Read-only unless --write: a statement that can write or act on the server (CREATE,
    MERGE, SET, DELETE, LOAD CSV, TERMINATE, procedures not known to be read-only...) is
    refused, and the rest runs in a read transaction.
    """
    if list_:
        list_queries(json_)
        return
    if file_or_text is None:
        raise fail("give a query (a file, a bundled query's name or Cypher), or --list", 1)
    text = read_query(file_or_text)
    params = default_params(text) | parse_params(param or [])
    if verbose:
        from alignkg.store.neo4j import show_driver_log

        show_driver_log()
    with _neo4j_store(database) as store:
        keys, records = store.run(text.strip().removesuffix(";"), params, write=write)
    if json_:
        print_json([{k: plain(record[k]) for k in keys} for record in records])
    else:
        print_table(list(keys), [[cell(record[k]) for k in keys] for record in records])
