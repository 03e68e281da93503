"""Export commands: `alignkg export rdf`."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from alignkg.cli.common import (
    AlignkgTyper,
    BackendOption,
    DatabaseOption,
    DataDirOption,
    query_store,
)
from alignkg.export import (
    DEFAULT_BASE_IRI,
    DEFAULT_LICENSE,
    FORMATS,
    ExportError,
    RdfOptions,
    check_format,
    export_rdf,
)
from alignkg.files import atomic_writer

app = AlignkgTyper(help="Export the graph for other tools.", no_args_is_help=True)


@app.command()
def rdf(
    format: Annotated[
        str, typer.Option("--format", "-f", help=f"One of: {', '.join(FORMATS)} (metadata).")
    ] = "turtle",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here, whole or not at all (default: stdout)."),
    ] = None,
    base_iri: Annotated[
        str, typer.Option("--base-iri", help="Namespace of the data's IRIs; ends in / or #.")
    ] = DEFAULT_BASE_IRI,
    license: Annotated[
        str, typer.Option("--license", help="License IRI stated by the void metadata.")
    ] = DEFAULT_LICENSE,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="Creation date (YYYY-MM-DD) stated by the void metadata "
            "(default: $SOURCE_DATE_EPOCH, else the newest paper's date).",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Title of the source corpus, for the void metadata."),
    ] = None,
    backend: BackendOption = "embedded",
    data_dir: DataDirOption = None,
    database: DatabaseOption = None,
) -> None:
    """The graph as RDF with provenance, or the VoID/DCAT description of its dumps.

    Dumps: Turtle, N-Triples (streamed) and JSON-LD, in a fixed order: the same graph
    gives the same bytes. Terms and shapes: ontology/alignkg.ttl, ontology/shapes.ttl.
    """
    check_format(format)
    options = RdfOptions(base_iri=base_iri, license=license, date=date, source=source).check()
    # The output is opened first, so a bad path fails before the graph is loaded.
    try:
        with atomic_writer(output) if output is not None else nullcontext(sys.stdout) as out:
            with query_store(backend, data_dir, database) as store:
                graph = store.load_graph()
            export_rdf(graph, format, out, options)
    except BrokenPipeError:
        raise  # `alignkg export rdf | head`: friendly_errors ends quietly
    except OSError as err:
        raise ExportError(f"cannot write {output or 'stdout'}: {err.strerror or err}") from None
