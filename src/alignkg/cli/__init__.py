"""The `alignkg` command line."""

from __future__ import annotations

from alignkg.cli import export, neo4j, pipeline, queries, render
from alignkg.cli.common import AlignkgTyper

app = AlignkgTyper(
    name="alignkg",
    help="A knowledge graph of AI-alignment research, built from paper abstracts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
for module in (pipeline, queries, render, neo4j):
    app.registered_commands.extend(module.app.registered_commands)
app.add_typer(export.app, name="export")

__all__ = ["app"]
