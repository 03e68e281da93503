"""The `render` command: a neighbourhood as an interactive, offline HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alignkg.cli.common import (
    AlignkgTyper,
    BackendOption,
    DatabaseOption,
    DataDirOption,
    fail,
    note,
    query_store,
    resolve_or_fail,
    supporting_papers,
)
from alignkg.cli.queries import DepthOption
from alignkg.files import write_atomically
from alignkg.keys import slug
from alignkg.records import Entity, Subgraph
from alignkg.store import DEFAULT_NODE_CAP, GraphStore

app = AlignkgTyper()

MaxNodesOption = Annotated[
    int,
    typer.Option(
        "--max-nodes", min=1, help="Cut the neighbourhood at this many nodes (noted on the page)."
    ),
]


def supporting_paper_titles(store: GraphStore, sub: Subgraph) -> dict[str, str]:
    """Titles of every paper behind the subgraph's evidence, by Paper.id."""
    return {paper_id: paper.title for paper_id, paper in supporting_papers(store, sub).items()}


def write_neighborhood_html(
    store: GraphStore,
    entity: Entity,
    depth: int,
    path: Path,
    node_cap: int = DEFAULT_NODE_CAP,
) -> Subgraph:
    """Write the page of `entity`'s neighbourhood to `path`; return the subgraph drawn."""
    sub = store.neighborhood(entity.id, depth=depth, node_cap=node_cap)
    from alignkg.render.pyvis_page import render_page  # pyvis, networkx: when used

    html = render_page(sub, supporting_papers(store, sub))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, html)
    except OSError as err:
        raise fail(f"cannot write {path}: {err.strerror}", 1) from None
    note(f"Wrote {path}: {len(sub.nodes)} nodes, {len(sub.relations)} relations.")
    if sub.truncated:
        note(f"The neighbourhood was cut at {len(sub.nodes)} nodes (--max-nodes).")
    return sub


@app.command()
def render(
    name: Annotated[str, typer.Argument(help="Entity name or alias, any case.")],
    depth: DepthOption = 1,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="HTML file to write (default: named after the entity, e.g. dpo.html).",
            show_default=False,
        ),
    ] = None,
    max_nodes: MaxNodesOption = DEFAULT_NODE_CAP,
    backend: BackendOption = "embedded",
    data_dir: DataDirOption = None,
    database: DatabaseOption = None,
) -> None:
    """An interactive page of an entity's neighbourhood: opens offline in any browser."""
    with query_store(backend, data_dir, database) as store:
        entity = resolve_or_fail(store, name)
        path = output or Path(f"{slug(entity.name)}.html")
        write_neighborhood_html(store, entity, depth, path, node_cap=max_nodes)
