"""Query commands: neighborhood, show, search, stats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alignkg.cli.common import (
    AlignkgTyper,
    BackendOption,
    DatabaseOption,
    DataDirOption,
    JsonOption,
    note,
    print_json,
    query_store,
    resolve_or_fail,
    supporting_papers,
)
from alignkg.records import EntityDetail, Node, Subgraph
from alignkg.serialize import entity_to_dict, paper_to_dict, relation_to_dict

app = AlignkgTyper()

DepthOption = Annotated[int, typer.Option("--depth", "-d", min=1, max=4, help="Hops to follow.")]


def node_to_dict(node: Node) -> dict:
    """A node in --json: "type" is an entity type or "Paper", as for entities."""
    return {"id": node.id, "label": node.label, "type": node.kind, "aliases": list(node.aliases)}


def subgraph_to_dict(sub: Subgraph) -> dict:
    return {
        "focus": entity_to_dict(sub.focus),
        "depth": sub.depth,
        "truncated": sub.truncated,
        "nodes": [node_to_dict(n) for n in sub.nodes],
        "relations": [relation_to_dict(r) for r in sub.relations],
    }


@app.command()
def neighborhood(
    name: Annotated[str, typer.Argument(help="Entity name or alias, any case.")],
    depth: DepthOption = 1,
    json_: JsonOption = False,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Also write an interactive page of it to this file."),
    ] = None,
    backend: BackendOption = "embedded",
    data_dir: DataDirOption = None,
    database: DatabaseOption = None,
) -> None:
    """What an entity is related to, and why (the evidence)."""
    with query_store(backend, data_dir, database) as store:
        entity = resolve_or_fail(store, name)
        if html is None:
            sub = store.neighborhood(entity.id, depth=depth)
        else:
            from alignkg.cli.render import write_neighborhood_html

            sub = write_neighborhood_html(store, entity, depth, html)
        if json_:
            print_json(subgraph_to_dict(sub))
            return
        papers = supporting_papers(store, sub)
    from alignkg.cli.output import print_neighborhood

    print_neighborhood(sub, papers)


def detail_to_dict(detail: EntityDetail) -> dict:
    return {
        "entity": entity_to_dict(detail.entity),
        "papers": [paper_to_dict(p) | {"abstract": None} for p in detail.papers],
        "relations": [relation_to_dict(r) for r in detail.relations],
        "neighbours": [node_to_dict(n) for n in detail.neighbours],
    }


@app.command()
def show(
    name: Annotated[str, typer.Argument(help="Entity name or alias, any case.")],
    json_: JsonOption = False,
    backend: BackendOption = "embedded",
    data_dir: DataDirOption = None,
    database: DatabaseOption = None,
) -> None:
    """One entity: type, aliases, papers and evidence."""
    with query_store(backend, data_dir, database) as store:
        entity = resolve_or_fail(store, name)
        detail = store.detail(entity.id)
    if json_:
        print_json(detail_to_dict(detail))
        return
    from alignkg.cli.output import print_detail

    print_detail(detail)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Text to look for in names and aliases.")],
    limit: Annotated[int, typer.Option(min=1, help="At most this many hits.")] = 20,
    json_: JsonOption = False,
    backend: BackendOption = "embedded",
    data_dir: DataDirOption = None,
    database: DatabaseOption = None,
) -> None:
    """Entities whose name or alias contains TEXT; no match exits with code 1 (also with
    --json, which then prints [])."""
    with query_store(backend, data_dir, database) as store:
        hits = store.search(text, limit=limit)
    if json_:
        print_json([entity_to_dict(e) for e in hits])
    elif hits:
        from alignkg.cli.output import print_search

        print_search(hits)
    if not hits:
        note(f"No entity matches {text!r}.")
        raise typer.Exit(1)


@app.command()
def stats(
    json_: JsonOption = False,
    backend: BackendOption = "embedded",
    data_dir: DataDirOption = None,
    database: DatabaseOption = None,
) -> None:
    """Counts of papers, entities by type and relations by type."""
    with query_store(backend, data_dir, database) as store:
        figures = store.stats()
    if json_:
        print_json(
            {
                "papers": figures.papers,
                "entities": figures.entities_by_type,
                "relations": figures.relations_by_type,
            }
        )
        return
    from alignkg.cli.output import print_stats

    print_stats(figures)
