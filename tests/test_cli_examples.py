"""The examples at the end of every command's --help are runnable: each names a real
command and only options that command has."""

from __future__ import annotations

import shlex

import pytest
import typer.main
from typer.testing import CliRunner

from alignkg.cli import app
from alignkg.cli.examples import EXAMPLES

runner = CliRunner()
ROOT = typer.main.get_command(app)


def _command(words: list[str]):
    command = ROOT
    while words and hasattr(command, "commands") and words[0] in command.commands:
        command = command.commands[words.pop(0)]
    return command


@pytest.mark.parametrize(
    "line", [line for lines in EXAMPLES.values() for line in lines if line.startswith("alignkg")]
)
def test_every_example_names_a_command_and_its_options(line):
    words = shlex.split(line.split(" # ")[0])[1:]
    command = _command(words)
    assert not hasattr(command, "commands"), f"{line!r} names no command"
    options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
    used = {w.split("=")[0] for w in words if w.startswith("-")}
    assert used <= options, f"{line!r}: {sorted(used - options)} not options of the command"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_command_with_examples_shows_them_in_its_help(name):
    path = ["export", name] if name in ("rdf", "neo4j-import") else [name]
    result = runner.invoke(app, [*path, "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert EXAMPLES[name][0].split(" # ")[0].strip() in result.output


def test_every_command_has_examples():
    def leaves(command, prefix=()):
        for name, sub in getattr(command, "commands", {}).items():
            if hasattr(sub, "commands"):
                yield from leaves(sub, (*prefix, name))
            else:
                yield name

    assert set(leaves(ROOT)) <= set(EXAMPLES)
