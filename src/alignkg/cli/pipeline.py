"""Pipeline commands: extract, build, add, evaluate."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

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
from alignkg.ingest.clean import DEFAULT_MAX_CHARS, MAX_CHARS_LIMIT
from alignkg.pipeline import extract_papers, in_shard, parse_shard, read_extractions, write_store
from alignkg.records import PaperExtraction
from alignkg.serialize import extraction_to_dict
from alignkg.store import default_data_dir, lock, open_store

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


PIPELINES = ("default", "accurate")  # alignkg.extract.PIPELINES, without importing spaCy
PipelineOption = Annotated[
    str,
    typer.Option(
        "--pipeline",
        help="default: rules and lexicon; accurate: plus the trained NER (slower).",
    ),
]


def _check_format(format: str | None) -> None:
    if format is not None and format not in FORMATS:
        raise fail(f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}", 2)


def _check_pipeline(pipeline: str) -> None:
    if pipeline not in PIPELINES:
        raise fail(f"unknown pipeline {pipeline!r}; choose one of: {', '.join(PIPELINES)}", 2)
    if pipeline == "accurate":
        from alignkg.extract.learned import model_problem

        if problem := model_problem():
            raise fail(problem, 2)


ShardOption = Annotated[
    str | None,
    typer.Option(
        "--shard",
        help="Only the papers of shard i of n (1 <= i <= n, by a hash of the paper id), "
        "e.g. 2/4: run the n shards anywhere, then 'build --from-extractions'.",
    ),
]
InputsArgument = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Corpus files [default: the bundled 55-paper corpus], or extraction JSON Lines "
        "with --from-extractions.",
        show_default=False,
    ),
]
FromExtractionsOption = Annotated[
    bool,
    typer.Option(
        "--from-extractions",
        help="The inputs are JSON Lines written by 'alignkg extract', made anywhere.",
    ),
]
WaitOption = Annotated[
    float,
    typer.Option(
        "--wait", min=0, help="Seconds to wait for another build writing to the data dir."
    ),
]
VerboseOption = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", help="List the duplicate records merged and the papers skipped."
    ),
]
MaxCharsOption = Annotated[
    int,
    typer.Option(
        "--max-chars",
        min=1,
        max=MAX_CHARS_LIMIT,
        help="A longer title or abstract is cut to this many characters, with a warning.",
    ),
]
WorkersOption = Annotated[int, typer.Option(min=1, help="Extraction processes.")]


@app.command()
def extract(
    corpus: CorpusArgument = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write JSON Lines here [default: stdout].")
    ] = None,
    format: FormatOption = None,
    strict: StrictOption = False,
    workers: WorkersOption = 1,
    shard: ShardOption = None,
    max_chars: MaxCharsOption = DEFAULT_MAX_CHARS,
    verbose: VerboseOption = False,
    pipeline: PipelineOption = "default",
) -> None:
    """Extract entities and relations, one JSON line per paper (the gold files' shape)."""
    _check_format(format)
    _check_pipeline(pipeline)
    papers = read_corpus(
        corpus or default_corpus(), format, strict, max_chars=max_chars, verbose=verbose
    )
    if shard is not None:
        try:
            papers = in_shard(papers, *parse_shard(shard))
        except ValueError as err:
            raise fail(str(err), 2) from None
    if output is None:
        for extraction in extract_papers(papers, workers=workers, pipeline=pipeline):
            typer.echo(json.dumps(extraction_to_dict(extraction), ensure_ascii=False))
        return
    try:
        with atomic_writer(output) as out:
            for extraction in extract_papers(papers, workers=workers, pipeline=pipeline):
                out.write(json.dumps(extraction_to_dict(extraction), ensure_ascii=False) + "\n")
    except OSError as err:
        raise fail(f"cannot write {output}: {err.strerror}", 1) from None


def _extractions(
    inputs: list[Path] | None,
    from_extractions: bool,
    format: str | None,
    strict: bool,
    workers: int,
    pipeline: str = "default",
    **ingest,
) -> Iterator[PaperExtraction]:
    if from_extractions:
        if not inputs:
            raise fail("--from-extractions needs the extraction files to build from", 2)
        yield from read_extractions(inputs)
        return
    for corpus in inputs or [default_corpus()]:
        yield from extract_papers(
            read_corpus(corpus, format=format, strict=strict, **ingest),
            workers=workers,
            pipeline=pipeline,
        )


def _write(
    replace: bool,
    inputs: list[Path] | None,
    from_extractions: bool,
    format: str | None,
    strict: bool,
    data_dir: Path | None,
    wait: float,
    workers: int,
    neo4j: bool = False,
    database: str | None = None,
    pipeline: str = "default",
    **ingest,
) -> dict:
    """Build (`replace`) or add into the embedded store, streaming, under its lock."""
    _check_format(format)
    _check_pipeline(pipeline)
    data_dir = data_dir or default_data_dir()
    with lock.writing(data_dir, timeout=wait):
        if neo4j:  # connect first: a wrong password fails before anything is replaced
            open_store("neo4j", database=database).close()
        extractions = _extractions(
            inputs, from_extractions, format, strict, workers, pipeline, **ingest
        )
        if sys.stderr.isatty():  # a counter for people, nothing in logs and pipes
            label = "Reading" if from_extractions else "Extracting"
            with typer.progressbar(extractions, label=label, file=sys.stderr, show_pos=True) as bar:
                report = write_store(data_dir, bar, replace=replace)
        else:
            report = write_store(data_dir, extractions, replace=replace)
    store = open_store("embedded", data_dir)
    try:
        stats = store.stats()
        if neo4j:
            from alignkg.cli.neo4j import load_into_neo4j

            load_into_neo4j(store.load_graph(), database=database)
    finally:
        store.close()
    return {
        "added": report.added,
        "skipped": len(report.skipped),
        "skipped_ids": report.skipped,
        "papers": stats.papers,
        "entities": stats.entities,
        "relations": stats.relations,
        "store": str(data_dir),
    }


def _report(summary: dict, verb: str, json_: bool, verbose: bool) -> None:
    skipped_ids = summary.pop("skipped_ids")
    if verbose:
        summary["skipped_ids"] = skipped_ids
    if json_:
        print_json(summary)
        return
    note(
        f"{verb} {summary['added']} papers into {summary['store']}: the graph has "
        f"{summary['papers']} papers, {summary['entities']} entities and "
        f"{summary['relations']} relations."
    )
    if summary["skipped"]:
        hint = "" if verbose else " (--verbose lists them)"
        note(f"Skipped {summary['skipped']} papers already in the graph{hint}.")
        if verbose:
            for paper_id in skipped_ids:
                note(f"  skipped: {paper_id}")


@app.command()
def build(
    inputs: InputsArgument = None,
    format: FormatOption = None,
    strict: StrictOption = False,
    data_dir: DataDirOption = None,
    from_extractions: FromExtractionsOption = False,
    workers: WorkersOption = 1,
    wait: WaitOption = 0,
    neo4j: Annotated[bool, typer.Option("--neo4j", help="Also load the graph into Neo4j.")] = False,
    database: DatabaseOption = None,
    verbose: VerboseOption = False,
    json_: JsonOption = False,
    max_chars: MaxCharsOption = DEFAULT_MAX_CHARS,
    pipeline: PipelineOption = "default",
) -> None:
    """Ingest, extract and canonicalize a corpus into the embedded store, replacing its graph.

    Papers stream into the store; queries see the old graph until the new one is complete.
    """
    ingest = {"max_chars": max_chars, "verbose": verbose}
    summary = _write(
        True, inputs, from_extractions, format, strict, data_dir, wait, workers, neo4j, database,
        pipeline, **ingest,
    )  # fmt: skip
    _report(summary, "Built", json_, verbose)


@app.command()
def add(
    inputs: InputsArgument = None,
    format: FormatOption = None,
    strict: StrictOption = False,
    data_dir: DataDirOption = None,
    from_extractions: FromExtractionsOption = False,
    workers: WorkersOption = 1,
    wait: WaitOption = 0,
    verbose: VerboseOption = False,
    json_: JsonOption = False,
    max_chars: MaxCharsOption = DEFAULT_MAX_CHARS,
    pipeline: PipelineOption = "default",
) -> None:
    """Add the papers of a corpus to the graph; entities merge as in a full build, so
    'build A' then 'add B' gives the graph of 'build A+B'. Papers already there are skipped."""
    ingest = {"max_chars": max_chars, "verbose": verbose}
    summary = _write(
        False, inputs, from_extractions, format, strict, data_dir, wait, workers, False, None,
        pipeline, **ingest,
    )  # fmt: skip
    _report(summary, "Added", json_, verbose)


@app.command()
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold annotations (JSON Lines, GUIDELINES.md).")],
    corpus: Annotated[
        Path | None, typer.Option("--corpus", help="Corpus of the gold papers [default: bundled].")
    ] = None,
    format: FormatOption = None,
    json_: JsonOption = False,
    pipeline: PipelineOption = "default",
) -> None:
    """Precision, recall and F1 of the extractor against gold annotations."""
    from alignkg.evaluate import evaluate_corpus, format_report, report_to_dict

    _check_format(format)
    _check_pipeline(pipeline)
    report = evaluate_corpus(gold, corpus or default_corpus(), format, pipeline)
    if json_:
        print_json(report_to_dict(report))
    else:
        typer.echo(format_report(report))
