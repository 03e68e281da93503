"""What every command shares: options, friendly errors, opening a store."""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup

try:  # Typer 0.2x carries its own copy of click
    from typer._click.exceptions import ClickException, NoArgsIsHelpError
except ImportError:  # older Typer runs on click itself
    from click.exceptions import ClickException, NoArgsIsHelpError

from alignkg.cli.examples import epilog
from alignkg.errors import AlignkgError
from alignkg.records import PAPER_LABEL, Entity, Paper, Subgraph, paper_node_id
from alignkg.store import GraphStore, default_data_dir, open_store
from alignkg.store.lock import is_locked

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="ALIGNKG_DATA_DIR",
        help="Where the embedded store keeps its graph [default: ~/.local/share/alignkg].",
        show_default=False,
    ),
]
BackendOption = Annotated[
    str,
    typer.Option("--backend", "-b", help="Store to query: embedded or neo4j."),
]
DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", envvar="NEO4J_DATABASE", help="Neo4j database name."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line error: newlines and escapes in it (from a file name, a user's
    argument) are shown escaped, never sent to the terminal."""
    if not message.isprintable():
        message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def note(message: str) -> None:
    typer.echo(message, err=True)


_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS}


def friendly_errors(func):
    """Known errors become a one-line message and their exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        _escape_what_the_terminal_cannot_show()
        try:
            result = func(*args, **kwargs)
            sys.stdout.flush()  # a full disk shows here, not as an "Exception ignored"
            return result
        except AlignkgError as err:
            raise fail(str(err), err.exit_code) from None
        except KeyboardInterrupt:
            raise fail("interrupted", 130) from None
        except BrokenPipeError:  # `alignkg ... | head`
            _drop_stdout()
            sys.stderr.close()
            raise typer.Exit(0) from None
        except OSError as err:  # `alignkg ... > /dev/full`, a disk gone read-only
            _drop_stdout()
            where = f"{err.filename}: " if err.filename else ""
            if not where and err.errno in _WRITE_ERRORS:
                where = "cannot write the output: "
            raise fail(where + (err.strerror or str(err)), 1) from None

    return wrapper


def _escape_what_the_terminal_cannot_show() -> None:
    """An ASCII or Latin-1 terminal (LC_ALL=C, PYTHONIOENCODING=ascii) gets "\\xdc" for
    what it cannot encode, instead of a UnicodeEncodeError half-way through the answer."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            with contextlib.suppress(Exception):
                stream.reconfigure(errors="backslashreplace")


def _drop_stdout() -> None:
    """Send what stdout still buffers to /dev/null, so exiting does not fail a second time."""
    with contextlib.suppress(OSError, ValueError):  # not a real file (tests), or closed
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _tidy_params(params: list[Any]) -> list[Any]:
    """Help as a user reads it: a flag (`--json`, `--help`) takes no value, so no type is
    shown for it (Typer would print `<bool>`); and help texts are plain text, not Rich
    markup, so a "[default: ...]" inside one is printed instead of being taken for a
    style tag and dropped (which left a stray " ." behind)."""
    for param in params:
        if getattr(param, "_alignkg_tidy", False):
            continue
        param._alignkg_tidy = True  # type: ignore[attr-defined]
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""  # Typer vendors click: duck-typed, not isinstance
        if getattr(param, "help", None):
            param.help = escape(param.help)  # type: ignore[attr-defined]
    return params


@contextlib.contextmanager
def _usage_errors_on_one_line(ctx: Any) -> Iterator[None]:
    """A usage error (an unknown option or command, a missing argument, a bad value) is
    one line, as every other error: "error: <click's message>. Try 'alignkg X --help'.",
    with click's exit code (2); not the usage line, hint and boxed message that Typer
    prints with rich. `ctx`: the command being parsed, when the error names none."""
    try:
        yield
    except NoArgsIsHelpError:  # `alignkg`, `alignkg export`: the help is the answer
        raise
    except ClickException as err:
        message = err.format_message().rstrip(".")
        ctx = getattr(err, "ctx", None) or ctx
        if ctx.command.get_help_option(ctx) is not None:
            message += f". Try '{ctx.command_path} --help'."
        raise fail(message, err.exit_code) from None


class _AlignkgParsing:
    """What alignkg's commands and groups share: tidy help, usage errors on one line."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _tidy_params(super().get_params(ctx))  # type: ignore[misc]

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        with _usage_errors_on_one_line(ctx):
            return super().parse_args(ctx, args)  # type: ignore[misc]


class AlignkgCommand(_AlignkgParsing, TyperCommand):
    def invoke(self, ctx: Any) -> Any:
        with _usage_errors_on_one_line(ctx):  # a bad value found by the command itself
            return super().invoke(ctx)


class AlignkgGroup(_AlignkgParsing, TyperGroup):
    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        with _usage_errors_on_one_line(ctx):  # "No such command"
            return super().resolve_command(ctx, args)


class AlignkgTyper(typer.Typer):
    """A Typer whose commands all get friendly_errors and tidy help."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("cls", AlignkgGroup)
        super().__init__(*args, **kwargs)

    def command(self, *args, **kwargs):
        kwargs.setdefault("cls", AlignkgCommand)

        def decorator(func):
            name = args[0] if args else func.__name__.replace("_", "-")
            examples = epilog(name)
            if examples is not None:
                kwargs.setdefault("epilog", escape(examples))
            super(AlignkgTyper, self).command(*args, **kwargs)(friendly_errors(func))
            return func

        return decorator


def print_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


@contextlib.contextmanager
def query_store(
    backend: str, data_dir: Path | None, database: str | None = None
) -> Iterator[GraphStore]:
    """The store to query, closed after the block. A fresh embedded store first builds
    the bundled corpus, so `alignkg neighborhood DPO` works on a new install."""
    if backend == "neo4j":
        store = open_store("neo4j", database=database)
    else:
        store = open_store(backend, data_dir)
        if store.is_empty():
            _build_bundled_corpus(data_dir or default_data_dir())
    try:
        yield store
    finally:
        store.close()


def _build_bundled_corpus(data_dir: Path) -> None:
    """A first query on a fresh install builds the bundled corpus, unless a build holds
    the data directory (then the user is told to wait for it, never built over)."""
    from alignkg.pipeline import build_default_if_empty
    from alignkg.store.lock import StoreBusy

    if is_locked(data_dir):
        raise fail(f"a build into {data_dir} is running; query again when it has finished", 2)
    note(f"No graph in {data_dir} yet: building the bundled corpus.")
    try:
        build_default_if_empty(data_dir)
    except StoreBusy:
        message = f"a build into {data_dir} is running; query again when it has finished"
        raise fail(message, 2) from None


def resolve_or_fail(store: GraphStore, name: str) -> Entity:
    entity = store.resolve(name)
    if entity is not None:
        return entity
    suggestions = store.suggest(name)
    hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
    raise fail(f"no entity named {name!r}{hint}", 1)


def supporting_papers(store: GraphStore, sub: Subgraph) -> dict[str, Paper]:
    """The papers behind the subgraph (its paper nodes and its evidence), by Paper.id.

    The store answers papers through the entities that mention them: the focus's detail
    first, then, only while some are missing, the entity end of each relation whose
    evidence or paper is still unknown (a paper behind a relation mentions its ends).
    """
    papers: dict[str, Paper] = {}
    wanted = {e.paper_id for r in sub.relations for e in r.evidence}
    kinds = {n.id: n.kind for n in sub.nodes}
    prefix = paper_node_id("")
    wanted |= {n.removeprefix(prefix) for n, kind in kinds.items() if kind == PAPER_LABEL}
    ends = [sub.focus.id] + [end for r in sub.relations for end in (r.head, r.tail)]
    asked: set[str] = set()
    for rel_end in ends:
        if wanted <= papers.keys():
            break
        if kinds.get(rel_end) == PAPER_LABEL or rel_end in asked:
            continue
        asked.add(rel_end)
        for paper in store.detail(rel_end).papers:
            papers.setdefault(paper.id, paper)
    return papers
