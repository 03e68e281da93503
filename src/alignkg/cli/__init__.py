"""The `alignkg` command line.

Every command module imports only what its options need at module level: spaCy, the
Neo4j driver, rdflib, pyvis and networkx are imported inside the commands that use them,
so `alignkg --help` and a query on the embedded store answer quickly
(bench/cli_latency.py).
"""

from __future__ import annotations

from typing import Annotated

import typer

from alignkg import __version__
from alignkg.cli import export, neo4j, pipeline, queries, render
from alignkg.cli.common import AlignkgTyper

app = AlignkgTyper(
    name="alignkg",
    help="A knowledge graph of AI-alignment research, built from paper abstracts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish
)
for module in (pipeline, queries, render, neo4j):
    app.registered_commands.extend(module.app.registered_commands)
app.add_typer(export.app, name="export")


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"alignkg {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """A knowledge graph of AI-alignment research, built from paper abstracts."""


__all__ = ["app"]
