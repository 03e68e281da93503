"""Query commands: neighborhood, show, search, stats."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Annotated

import typer

from alignkg.cli.common import (
    AlignkgTyper,
    BackendOption,
    DatabaseOption,
    DataDirOption,
    JsonOption,
    print_json,
    query_store,
    resolve_or_fail,
)
from alignkg.records import Entity, EntityDetail, Node, Relation, Subgraph
from alignkg.serialize import entity_to_dict, paper_to_dict, relation_to_dict

app = AlignkgTyper()

DepthOption = Annotated[int, typer.Option("--depth", "-d", min=1, max=4, help="Hops to follow.")]


def _node_to_dict(node: Node) -> dict:
    return {"id": node.id, "label": node.label, "kind": node.kind, "aliases": list(node.aliases)}


def subgraph_to_dict(sub: Subgraph) -> dict:
    return {
        "focus": entity_to_dict(sub.focus),
        "depth": sub.depth,
        "truncated": sub.truncated,
        "nodes": [_node_to_dict(n) for n in sub.nodes],
        "relations": [relation_to_dict(r) for r in sub.relations],
    }


def _print_evidence(relation: Relation, indent: str, limit: int = 2) -> None:
    for evidence in relation.evidence[:limit]:
        typer.echo(f'{indent}"{evidence.sentence}" [{evidence.paper_id}; {evidence.rule}]')
    if len(relation.evidence) > limit:
        typer.echo(f"{indent}(+{len(relation.evidence) - limit} more)")


def print_relations_of(entity: Entity, relations: tuple[Relation, ...], labels: dict) -> None:
    """Relations touching `entity`, grouped by type and direction, with their evidence."""
    groups: dict[tuple[str, str], list[tuple[str, Relation]]] = defaultdict(list)
    for rel in relations:
        if rel.head == entity.id:
            groups[(rel.type.value, "->")].append((rel.tail, rel))
        elif rel.tail == entity.id:
            groups[(rel.type.value, "<-")].append((rel.head, rel))
    for (type_, direction), items in sorted(groups.items()):
        arrow = f"{type_} ->" if direction == "->" else f"<- {type_}"
        typer.echo(f"\n  {arrow} ({len(items)})")
        for other, rel in sorted(items, key=lambda item: labels.get(item[0], item[0]).casefold()):
            typer.echo(f"    {labels.get(other, other)}")
            _print_evidence(rel, "        ")


def _heading(entity: Entity) -> None:
    aliases = f"  (aliases: {', '.join(entity.aliases)})" if entity.aliases else ""
    typer.echo(f"{entity.name} [{entity.type.value}]{aliases}")


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
    labels = {n.id: n.label for n in sub.nodes}
    _heading(entity)
    print_relations_of(entity, sub.relations, labels)
    if depth > 1:
        typer.echo(
            f"\n  {len(sub.nodes)} nodes and {len(sub.relations)} relations within {depth} hops."
        )
    if sub.truncated:
        typer.echo(f"  (cut at {len(sub.nodes)} nodes)")


def detail_to_dict(detail: EntityDetail) -> dict:
    return {
        "entity": entity_to_dict(detail.entity),
        "papers": [paper_to_dict(p) | {"abstract": None} for p in detail.papers],
        "relations": [relation_to_dict(r) for r in detail.relations],
        "neighbours": [_node_to_dict(n) for n in detail.neighbours],
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
    _heading(entity)
    typer.echo(f"\n  Papers ({len(detail.papers)}):")
    for paper in detail.papers:
        typer.echo(f"    {paper.title} ({paper.date or 'undated'}) [{paper.id}]")
    print_relations_of(entity, detail.relations, {n.id: n.label for n in detail.neighbours})


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Text to look for in names and aliases.")],
    limit: Annotated[int, typer.Option(min=1, help="At most this many hits.")] = 20,
    json_: JsonOption = False,
    backend: BackendOption = "embedded",
    data_dir: DataDirOption = None,
    database: DatabaseOption = None,
) -> None:
    """Entities whose name or alias contains TEXT."""
    with query_store(backend, data_dir, database) as store:
        hits = store.search(text, limit=limit)
    if json_:
        print_json([entity_to_dict(e) for e in hits])
        return
    if not hits:
        typer.echo(f"No entity matches {text!r}.")
        raise typer.Exit(1)
    for entity in hits:
        aliases = f"  ({', '.join(entity.aliases)})" if entity.aliases else ""
        typer.echo(f"{entity.name} [{entity.type.value}], {len(entity.papers)} papers{aliases}")


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
    typer.echo(f"papers: {figures.papers}")
    typer.echo(f"entities: {figures.entities}")
    for type_, count in figures.entities_by_type.items():
        typer.echo(f"  {type_}: {count}")
    typer.echo(f"relations: {figures.relations}")
    for type_, count in figures.relations_by_type.items():
        typer.echo(f"  {type_}: {count}")
