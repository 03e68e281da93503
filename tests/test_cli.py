"""The command line as a user runs it: on the bundled corpus, in a fresh data directory."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alignkg import __version__
from alignkg.cli import app
from alignkg.serialize import graph_to_dict
from alignkg.store.embedded import EmbeddedStore

GOLD = Path(__file__).resolve().parent / "data" / "seed-gold.jsonl"  # see data/SOURCE.md
SHARED_GOLD = Path(__file__).resolve().parents[2] / "shared" / "eval" / "seed-gold.jsonl"

runner = CliRunner()


def run(*args: str, env: dict | None = None):
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data")
    result = run("build", "--data-dir", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_build_reports_what_it_built(data_dir):
    result = run("build", "--data-dir", str(data_dir), "--json")
    summary = json.loads(result.stdout)
    assert summary["papers"] == 55 and summary["entities"] > 150 and summary["relations"] > 200


def _counts(data_dir: Path, name: str, depth: int) -> tuple[int, int]:
    args = ("neighborhood", name, "-d", str(depth), "--json", "--data-dir", str(data_dir))
    sub = json.loads(run(*args).stdout)
    return len(sub["nodes"]), len(sub["relations"])


def test_neighborhood_of_dpo_lists_its_extensions_with_evidence(data_dir):
    result = run("neighborhood", "DPO", "--data-dir", str(data_dir), env={"COLUMNS": "80"})
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith("DPO [Method]  also: Direct Preference Optimization\n")
    extends = text.split("\n<- EXTENDS (5)\n")[1].split("\n\n")[0]
    assert extends.startswith("  f-DPO\n") and "\n  LN-DPO\n" in extends
    # Evidence is wrapped under its entity; the paper is a short title with its year,
    # then the rule and the confidence.
    assert "we propose an embarrassingly simple extension to the DPO algorithm" in " ".join(
        extends.split()
    )
    source = r"\n    The Hitchhiker's Guide to Human Alignment… \(2024\) · [a-z-]+ · 0\.\d\d\n"
    assert re.search(source, extends)
    # Piped: plain text, wrapped to the width, no trailing spaces, no cut slugs.
    assert "\x1b[" not in text
    assert all(len(line) <= 80 and line == line.rstrip() for line in text.splitlines())
    assert "the-hitchhiker-s-guide" not in text
    nodes, relations = _counts(data_dir, "DPO", 1)
    assert text.endswith(f"\n{nodes} nodes and {relations} relations within 1 hop.\n")


def test_neighborhood_depth_2_shows_the_second_hop(data_dir):
    text = run("neighborhood", "DPO", "-d", "2", "--data-dir", str(data_dir)).stdout
    sub = json.loads(
        run("neighborhood", "DPO", "-d", "2", "--json", "--data-dir", str(data_dir)).stdout
    )
    labels = {n["id"]: n["label"] for n in sub["nodes"]}
    ends = [(r["head"], r["tail"]) for r in sub["relations"]]
    first = {node for pair in ends if "method/dpo" in pair for node in pair}
    first.discard("method/dpo")
    # A relation of a first-hop entity (e.g. LN-DPO) to a node two hops out is printed
    # under that entity, indented one level deeper than the focus's own groups.
    second_hop = [
        r
        for r in sub["relations"]
        if r["head"] in first
        and not r["head"].startswith("paper/")
        and r["tail"] not in first | {"method/dpo"}
    ]
    assert second_hop, "DPO's variants relate to something beyond DPO"
    rel = second_hop[0]
    # The head's block: its line, then every deeper-indented line up to its next sibling.
    block = re.search(rf"\n  {re.escape(labels[rel['head']])}\n((?:    .*\n)+)", text).group(1)
    assert re.search(rf"^    {rel['type']} -> \(\d+\)$", block, re.M), block
    assert re.search(rf"^      {re.escape(labels[rel['tail']])}$", block, re.M), block
    nodes, relations = _counts(data_dir, "DPO", 2)
    assert text.endswith(f"\n{nodes} nodes and {relations} relations within 2 hops.\n")


def test_text_is_coloured_only_on_a_terminal(data_dir):
    plain = run("show", "LN-DPO", "--data-dir", str(data_dir)).stdout
    coloured = run("show", "LN-DPO", "--data-dir", str(data_dir), env={"FORCE_COLOR": "1"})
    assert "\x1b[" not in plain
    assert "\x1b[1mLN-DPO\x1b[0m [Method]" in coloured.stdout
    assert re.search(r"\x1b\[2m[a-z-]+ · 0\.\d\d\x1b\[0m", coloured.stdout)


def test_help_shows_flags_without_a_type_and_defaults_in_full():
    for args in (["--help"], ["neighborhood", "--help"], ["build", "--help"]):
        text = run(*args, env={"COLUMNS": "200"}).stdout
        assert "<bool>" not in text and " ." not in text, args
        assert "--help " in text
    build = run("build", "--help", env={"COLUMNS": "200"}).stdout
    assert "[default: ~/.local/share/alignkg]" in build
    assert "[default: the bundled 55-paper corpus]" in build
    assert "--workers" in build
    assert run("--version").stdout == f"alignkg {__version__}\n"
    assert "--install-completion" in run("--help").stdout


def test_neighborhood_json_and_alias_resolution(data_dir):
    result = run(
        "neighborhood", "direct preference optimization", "--json", "--data-dir", str(data_dir)
    )
    sub = json.loads(result.stdout)
    assert sub["focus"]["name"] == "DPO"
    extends = {(r["head"], r["tail"]) for r in sub["relations"] if r["type"] == "EXTENDS"}
    assert ("method/f-dpo", "method/dpo") in extends and ("method/ln-dpo", "method/dpo") in extends
    for relation in sub["relations"]:
        assert relation["evidence"] and all(e["sentence"] for e in relation["evidence"])
    deeper = json.loads(
        run("neighborhood", "DPO", "-d", "2", "--json", "--data-dir", str(data_dir)).stdout
    )
    assert len(deeper["nodes"]) > len(sub["nodes"])


def test_unknown_name_suggests_and_exits_1(data_dir):
    result = run("neighborhood", "DPOO", "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert "no entity named 'DPOO'" in result.stderr and "DPO" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_show_search_and_stats(data_dir):
    show = run("show", "rlhf", "--data-dir", str(data_dir))
    assert show.exit_code == 0 and show.stdout.startswith("RLHF [Method]")
    assert "\nPapers (" in show.stdout
    detail = json.loads(run("show", "LN-DPO", "--json", "--data-dir", str(data_dir)).stdout)
    assert detail["entity"]["type"] == "Method" and detail["papers"]
    assert {n["type"] for n in detail["neighbours"]} == {"Method", "Paper"}
    hits = json.loads(run("search", "dpo", "--json", "--data-dir", str(data_dir)).stdout)
    assert hits[0]["name"] == "DPO" and {"f-DPO", "LN-DPO"} <= {h["name"] for h in hits}
    text = run("search", "ln-dpo", "--data-dir", str(data_dir)).stdout
    assert text.split() == ["LN-DPO", "Method", "1", "paper"]
    stats = json.loads(run("stats", "--json", "--data-dir", str(data_dir)).stdout)
    assert stats["papers"] == 55
    assert set(stats["entities"]) <= {
        "Method",
        "Dataset",
        "Model",
        "Task",
        "Metric",
        "Organization",
    }
    assert stats["relations"]["EXTENDS"] >= 5
    lines = run("stats", "--data-dir", str(data_dir)).stdout.splitlines()
    assert lines[0].split() == ["papers", "55"]
    assert lines[1].split()[0] == "entities" and lines[2].startswith("  Dataset ")


def test_search_without_hits_exits_1_in_text_and_json(data_dir):
    text = run("search", "zzzz-nothing", "--data-dir", str(data_dir))
    assert (text.exit_code, text.stdout) == (1, "")
    assert text.stderr == "No entity matches 'zzzz-nothing'.\n"
    as_json = run("search", "zzzz-nothing", "--json", "--data-dir", str(data_dir))
    assert (as_json.exit_code, json.loads(as_json.stdout)) == (1, [])


def test_nodes_and_focus_name_their_type_with_one_key(data_dir):
    sub = json.loads(run("neighborhood", "DPO", "--json", "--data-dir", str(data_dir)).stdout)
    assert sub["focus"]["type"] == "Method"
    assert all("kind" not in n for n in sub["nodes"])
    assert {n["type"] for n in sub["nodes"]} == {"Method", "Paper"}


def test_first_query_builds_the_default_graph(tmp_path):
    result = run("neighborhood", "PPO", env={"ALIGNKG_DATA_DIR": str(tmp_path / "fresh")})
    assert result.exit_code == 0
    assert "building the bundled corpus" in result.stderr
    assert (tmp_path / "fresh" / "graph.sqlite").exists()


def test_rebuild_gives_the_same_graph(data_dir, tmp_path):
    run("build", "--data-dir", str(tmp_path))
    assert graph_to_dict(EmbeddedStore(tmp_path).load_graph()) == graph_to_dict(
        EmbeddedStore(data_dir).load_graph()
    )


def test_extract_writes_gold_shaped_jsonl(tmp_path):
    out = tmp_path / "x.jsonl"
    assert run("extract", "-o", str(out)).exit_code == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 55
    first = lines[0]
    assert set(first) >= {"paper", "paper_id", "entities", "relations"}
    relation = next(line for line in lines if line["relations"])["relations"][0]
    assert set(relation["evidence"]) == {
        "paper_id",
        "sentence",
        "start",
        "end",
        "rule",
        "confidence",
    }


@pytest.mark.slow
def test_extract_with_two_workers_gives_the_same_output(tmp_path):
    one, two = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    run("extract", "-o", str(one))
    run("extract", "-o", str(two), "--workers", "2")
    assert one.read_bytes() == two.read_bytes()


@pytest.mark.slow
def test_build_with_two_workers_gives_the_same_store(data_dir, tmp_path):
    result = run("build", "--workers", "2", "--data-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    dumps = [
        run("export", "rdf", "-f", "nt", "--data-dir", str(d)).stdout for d in (tmp_path, data_dir)
    ]
    assert dumps[0] == dumps[1] and dumps[0].count("\n") > 1000


def test_evaluation_meets_the_targets_on_the_development_gold():
    report = json.loads(run("evaluate", str(GOLD), "--json").stdout)
    assert report["papers"] == 55
    assert report["entities"]["micro"]["f1"] >= 0.75
    assert report["relations"]["micro"]["f1"] >= 0.55


@pytest.mark.skipif(not SHARED_GOLD.exists(), reason="no ../shared beside the project")
def test_gold_copy_matches_the_shared_gold():
    assert GOLD.read_bytes() == SHARED_GOLD.read_bytes(), "copy shared/eval/seed-gold.jsonl"


# --- bad input: one line on stderr, no traceback, nothing half-written --------------
# These run `python -m alignkg` in a subprocess, as a user would: slow (about 1 s each).


def alignkg(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "alignkg", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "ALIGNKG_DATA_DIR": str(cwd or ".")},
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"", "the file is empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b'{"title": "T", "abstract": "A."}\n{"title": \n', "corpus:2: malformed JSON"),
    ],
)
def test_bad_corpus_is_a_one_line_error_and_keeps_the_store(tmp_path, data_dir, content, message):
    corpus = tmp_path / "corpus"
    if content is not None:
        corpus.write_bytes(content)
    store = tmp_path / "graph.sqlite"
    store.write_bytes((data_dir / "graph.sqlite").read_bytes())
    before = store.read_bytes()
    result = alignkg("build", str(corpus), "--strict", "--data-dir", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert store.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["graph.sqlite", ".alignkg.lock"] + (["corpus"] if content is not None else [])
    )


@pytest.mark.slow
def test_bad_record_is_skipped_with_a_warning(tmp_path):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"title": "We use DPO", "abstract": "We use DPO."}\n[1, 2]\n')
    result = alignkg("extract", str(corpus), cwd=tmp_path)
    assert result.returncode == 0
    assert f"{corpus}:2: expected a JSON object; record skipped" in result.stderr
    assert json.loads(result.stdout)["paper"] == "We use DPO"


@pytest.mark.slow
def test_unwritable_output_leaves_nothing(tmp_path):
    result = alignkg("extract", "-o", str(tmp_path / "missing" / "x.jsonl"), cwd=tmp_path)
    assert result.returncode == 1 and "cannot write" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_unknown_format_is_a_usage_error(tmp_path):
    result = alignkg("extract", "--format", "yaml", cwd=tmp_path)
    assert result.returncode == 2 and "unknown format 'yaml'" in result.stderr


@pytest.mark.slow
def test_corrupt_store_is_a_clear_error(tmp_path):
    (tmp_path / "graph.sqlite").write_text("{not a database")
    result = alignkg("stats", "--data-dir", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "not a readable alignkg graph" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_python_dash_m_works():
    result = subprocess.run(
        [sys.executable, "-m", "alignkg", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "neighborhood" in result.stdout


# --- usage errors: one line, every command, in a pipe and on a terminal ----------------


def _commands(group=None, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command of the CLI as the words that name it ("build", "export rdf"...)."""
    import typer.main

    group = group or typer.main.get_command(app)
    found = []
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):
            found += _commands(command, (*path, name))
        else:
            found.append((*path, name))
    return found


def assert_one_line_usage_error(result, message: str, command: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and message in lines[0], lines[0]
    assert lines[0].endswith(f"Try '{command} --help'."), lines[0]
    assert not set(result.stderr) & set("╭│╰─\x1b"), result.stderr  # no box, no colour
    assert result.stdout == ""


def test_the_cli_has_the_commands_the_usage_tests_walk():
    assert {("build",), ("neighborhood",), ("export", "rdf"), ("query",)} <= set(_commands())


@pytest.mark.parametrize("words", _commands(), ids=" ".join)
def test_an_unknown_option_is_one_line_for_every_command(words):
    result = runner.invoke(app, [*words, "--jsn"])
    assert_one_line_usage_error(result, "No such option: --jsn", "alignkg " + " ".join(words))


def test_an_unknown_option_names_the_close_one():
    result = runner.invoke(app, ["build", "--jsn"])
    message = "error: No such option: --jsn (Possible options: --json). "
    assert result.stderr == message + "Try 'alignkg build --help'.\n"


@pytest.mark.parametrize(
    ("args", "message", "command"),
    [
        (["search"], "Missing argument 'text'", "alignkg search"),
        (["neighborhood"], "Missing argument 'name'", "alignkg neighborhood"),
        (
            ["neighborhood", "DPO", "--depth", "x"],
            "Invalid value for '--depth'",
            "alignkg neighborhood",
        ),
        (
            ["neighborhood", "DPO", "extra"],
            "unexpected extra argument",
            "alignkg neighborhood",
        ),
        (["bogus"], "No such command 'bogus'", "alignkg"),
        (["export", "bogus"], "No such command 'bogus'", "alignkg export"),
        (["--bogus"], "No such option: --bogus", "alignkg"),
        (
            ["neighborhood", "--depth"],
            "Option '--depth' requires an argument",
            "alignkg neighborhood",
        ),
    ],
)
def test_usage_errors_are_one_line(args, message, command):
    assert_one_line_usage_error(runner.invoke(app, args), message, command)


def test_an_escape_in_a_bad_option_is_shown_escaped():
    result = runner.invoke(app, ["build", "--x\x1b[31m"])
    assert result.exit_code == 2 and "\x1b" not in result.stderr
    assert "--x\\x1b[31m" in result.stderr


def test_no_arguments_still_print_the_help():
    for args in ([], ["export"]):
        result = runner.invoke(app, args)
        assert "Usage: alignkg" in result.output and "error" not in result.output


@pytest.mark.slow  # a real process on a pseudo-terminal
def test_a_usage_error_on_a_terminal_is_the_same_one_line():
    import pty

    main, child = pty.openpty()
    env = {**os.environ, "COLUMNS": "80", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.run(
        [sys.executable, "-m", "alignkg", "build", "--jsn"],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        timeout=60,
    )
    os.close(child)
    output = b""
    with contextlib.suppress(OSError):  # EIO once the terminal's other end is closed
        while chunk := os.read(main, 4096):
            output += chunk
    os.close(main)
    assert process.returncode == 2
    assert output.decode() == (
        "error: No such option: --jsn (Possible options: --json). Try 'alignkg build --help'.\r\n"
    )
