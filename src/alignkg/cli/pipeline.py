"""Pipeline commands: extract, build, evaluate."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from alignkg.canonical import build_graph
from alignkg.cli.common import (
    AlignkgTyper,
    DatabaseOption,
    DataDirOption,
    JsonOption,
    fail,
    note,
    print_json,
)
from alignkg.files import atomic_writer
from alignkg.ingest import FORMATS, default_corpus, read_corpus
from alignkg.pipeline import extract_papers
from alignkg.serialize import extraction_to_dict
from alignkg.store import default_data_dir, open_store

app = AlignkgTyper()

CorpusArgument = Annotated[
    Path | None,
    typer.Argument(help="Corpus file [default: the bundled 55-paper corpus].", show_default=False),
]
FormatOption = Annotated[
    str | None,
    typer.Option("--format", "-f", help=f"Input format: {', '.join(FORMATS)} [default: detected]."),
]
StrictOption = Annotated[
    bool, typer.Option("--strict", help="A bad record is an error instead of a skipped warning.")
]


def _check_format(format: str | None) -> None:
    if format is not None and format not in FORMATS:
        raise fail(f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}", 2)


@app.command()
def extract(
    corpus: CorpusArgument = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write JSON Lines here [default: stdout].")
    ] = None,
    format: FormatOption = None,
    strict: StrictOption = False,
    workers: Annotated[int, typer.Option(min=1, help="Extraction processes.")] = 1,
) -> None:
    """Extract entities and relations, one JSON line per paper (the gold files' shape)."""
    _check_format(format)
    papers = read_corpus(corpus or default_corpus(), format=format, strict=strict)
    if output is None:
        for extraction in extract_papers(papers, workers=workers):
            typer.echo(json.dumps(extraction_to_dict(extraction), ensure_ascii=False))
        return
    try:
        with atomic_writer(output) as out:
            for extraction in extract_papers(papers, workers=workers):
                out.write(json.dumps(extraction_to_dict(extraction), ensure_ascii=False) + "\n")
    except OSError as err:
        raise fail(f"cannot write {output}: {err.strerror}", 1) from None


@app.command()
def build(
    corpus: CorpusArgument = None,
    format: FormatOption = None,
    strict: StrictOption = False,
    data_dir: DataDirOption = None,
    neo4j: Annotated[bool, typer.Option("--neo4j", help="Also load the graph into Neo4j.")] = False,
    database: DatabaseOption = None,
    json_: JsonOption = False,
) -> None:
    """Ingest, extract and canonicalize a corpus, and save the graph in the embedded store."""
    _check_format(format)
    # The graph is built in memory anyway, so the papers can be counted for the bar.
    papers = list(read_corpus(corpus or default_corpus(), format=format, strict=strict))
    with typer.progressbar(papers, label="Extracting", file=sys.stderr, show_pos=True) as bar:
        graph = build_graph(extract_papers(bar))
    store = open_store("embedded", data_dir)
    store.save(graph)
    if neo4j:
        from alignkg.cli.neo4j import load_into_neo4j

        load_into_neo4j(graph, database=database)
    summary = {
        "papers": len(graph.papers),
        "entities": len(graph.entities),
        "relations": len(graph.relations),
        "store": str(data_dir or default_data_dir()),
    }
    if json_:
        print_json(summary)
    else:
        note(
            f"Built {summary['papers']} papers, {summary['entities']} entities and "
            f"{summary['relations']} relations into {summary['store']}."
        )


@app.command()
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold annotations (JSON Lines, GUIDELINES.md).")],
    corpus: Annotated[
        Path | None, typer.Option("--corpus", help="Corpus of the gold papers [default: bundled].")
    ] = None,
    format: FormatOption = None,
    json_: JsonOption = False,
) -> None:
    """Precision, recall and F1 of the extractor against gold annotations."""
    from alignkg.evaluate import evaluate_corpus, format_report, report_to_dict

    _check_format(format)
    report = evaluate_corpus(gold, corpus or default_corpus(), format)
    if json_:
        print_json(report_to_dict(report))
    else:
        typer.echo(format_report(report))
