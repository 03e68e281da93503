"""Hostile input (issue 10): files, arguments, environment variables and store files that a
careless or hostile user, or a flaky machine, hands to alignkg.

Every rejected case asserts the exit code (1 bad input, 2 unusable store or usage), the
one-line message and no traceback, and that the store built before answers exactly as
before; the check goes through the public CLI (`stats --json`, `neighborhood --json`), so
it holds whatever the store keeps on disk. Accepted-but-odd cases assert what was kept and
what the warning says. CLI cases run in-process (CliRunner); those that need a real
process (pipes, /dev/full, worker processes, a terminal encoding) are marked slow.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alignkg.cli import app

runner = CliRunner()
ESC = "\x1b"


def invoke(*args: str, env: dict | None = None, input: str | bytes | None = None):
    return runner.invoke(app, list(args), env=env, input=input, catch_exceptions=False)


def answers(data_dir: Path) -> tuple[str, str]:
    """What the store answers: its statistics and DPO's neighbourhood, as JSON."""
    stats = invoke("stats", "--json", "--data-dir", str(data_dir))
    dpo = invoke("neighborhood", "DPO", "--json", "--data-dir", str(data_dir))
    assert stats.exit_code == 0 and dpo.exit_code == 0, stats.stderr + dpo.stderr
    return stats.stdout, dpo.stdout


def assert_error(result, code: int, message: str) -> None:
    """Exit `code`, and stderr is one line: 'error: ...' holding `message`."""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and message in lines[0], result.stderr
    assert ESC not in result.stderr


def assert_usage_error(result, option: str) -> None:
    """Exit 2, and one line, click's usage message naming the option that is wrong."""
    assert_error(result, 2, f"Invalid value for '{option}'")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, tuple[str, str]]:
    """A store of the bundled corpus, and its answers."""
    data_dir = tmp_path_factory.mktemp("built")
    result = invoke("build", "--data-dir", str(data_dir))
    assert result.exit_code == 0, result.stderr
    return data_dir, answers(data_dir)


@pytest.fixture
def store(built, tmp_path) -> Path:
    """A copy of the built store, which a case may damage; checked afterwards."""
    data_dir = tmp_path / "data"
    shutil.copytree(built[0], data_dir)
    yield data_dir
    if (data_dir / ".damaged").exists():
        return
    assert answers(data_dir) == built[1], "the store no longer answers as before"


def corpus(tmp_path: Path, content: str | bytes, name: str = "corpus.jsonl") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def lines(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


GOOD = {"title": "Good Paper", "abstract": "We propose DPO for alignment."}
DEEP = "[" * 200_000 + "]" * 200_000


# --- ingest files that cannot be read: exit 1, one line, the store untouched ------------

BAD_FILES = {
    "missing": (None, "no such file"),
    "empty": (b"", "the file is empty"),
    "blank lines only": (b"\n  \n\t\n", "the file is empty"),
    "binary (PNG)": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    "NUL after 8 KB": (lines(GOOD) * 200 + '{"title": "\x00"}\n', ":201: holds a NUL byte"),
    "UTF-16": ("\ufeff" + lines(GOOD)).encode("utf-16"),
    "bad UTF-8 on line 3": (
        lines(GOOD, GOOD).encode() + b'{"title": "Caf\xe9"}\n',
        "corpus.jsonl:3: not valid UTF-8",
    ),
    "malformed JSON": (lines(GOOD) + '{"title": \n', "corpus.jsonl:2: malformed JSON"),
    "deeply nested JSON": (lines(GOOD) + DEEP + "\n", ":2: malformed JSON (nested too deeply)"),
    "deeply nested field": (
        lines(GOOD) + '{"title": "T", "abstract": "A.", "x": ' + DEEP + "}\n",
        ":2: malformed JSON (nested too deeply)",
    ),
    "a JSON array": (lines(GOOD, [1, 2]), ":2: expected a JSON object"),
    "a number title": (lines(GOOD, {"title": 5, "abstract": "A."}), "'title' must be a string"),
    "a list id": (lines(GOOD, {**GOOD, "id": ["2305.18290"]}), "'id' must be a string or a"),
    "NaN": (lines(GOOD) + '{"title": "T", "abstract": "A.", "x": NaN}\n', "NaN is not JSON"),
    "zero-width title": (
        lines(GOOD, {"title": "\u200b\u200d\u2060", "abstract": "A."}),
        ":2: a paper needs a non-empty 'title' and 'abstract'",
    ),
    "control-character abstract": (
        lines(GOOD, {"title": "T", "abstract": "\x1b\x07\x00\x7f\x9b \u200b"}),
        ":2: a paper needs a non-empty",
    ),
    "no papers at all": (lines({"title": "only a title"}), "a paper needs"),
}
BAD_FILES["UTF-16"] = (BAD_FILES["UTF-16"], "binary")


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_an_unreadable_corpus_is_one_line_and_keeps_the_store(tmp_path, store, case):
    content, message = BAD_FILES[case]
    path = tmp_path / "corpus.jsonl" if content is None else corpus(tmp_path, content)
    result = invoke("build", str(path), "--strict", "--data-dir", str(store))
    assert_error(result, 1, message)


LISTINGS = {
    "impossible date": (
        "A Title\n\nAn abstract. It is.\n\n  \u2022 2 authors\n\u00b7\nFeb 30, 2024\n",
        ":7: no such date 'Feb 30, 2024'",
    ),
    "truncated record": (
        "A Title\n\nAn abstract. It is.\n\n  \u2022 2 authors\n\u00b7\n",
        "truncated record",
    ),
    "header only": ("new\n\nDaily Papers\n", "truncated record"),
    "listing read as jsonl": ("A Title\n\nAn abstract.\n", "malformed JSON"),
}


@pytest.mark.parametrize("case", LISTINGS, ids=list(LISTINGS))
def test_a_bad_listing_is_one_line_and_keeps_the_store(tmp_path, store, case):
    text, message = LISTINGS[case]
    args = ["--format", "jsonl"] if case == "listing read as jsonl" else []
    path = corpus(tmp_path, text, "listing.txt")
    result = invoke("build", str(path), "--strict", *args, "--data-dir", str(store))
    assert_error(result, 1, message)


def test_a_corpus_path_with_escapes_and_newlines_is_shown_on_one_line(tmp_path, store):
    path = tmp_path / "evil\n\x1b[31mname.jsonl"
    result = invoke("build", str(path), "--data-dir", str(store))
    assert_error(result, 1, "no such file")
    assert "\\x1b[31m" in result.stderr


def test_a_directory_is_not_a_corpus(tmp_path, store):
    assert_error(invoke("build", str(tmp_path), "--data-dir", str(store)), 1, "is a directory")


# --- odd records that are kept: the paper stays, the warning says what was dropped ------


def build_and_read(tmp_path: Path, text: str | bytes, *args: str):
    """Builds `text` into a fresh store; the result and the stored papers (by id)."""
    data_dir = tmp_path / "fresh"
    path = corpus(tmp_path, text)
    result = invoke("build", str(path), "--data-dir", str(data_dir), *args)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    exported = invoke("export", "rdf", "--format", "nt", "--data-dir", str(data_dir))
    assert exported.exit_code == 0, exported.stderr
    return result, exported.stdout


def test_control_characters_never_reach_the_store(tmp_path):
    record = {
        "id": "S2:\x1b[31m12\x003",
        "title": "Evil \x1b]0;pwned\x07Title",
        "abstract": "We use DPO.\x1b[2J",
        "authors": ["Ann\x1b[5m Lee", "\u202eBo", "\x07"],
        "date": "2023-05-29\x1b[0m",
        "url": "https://example.org/\x1b[31mp",
    }
    result, nt = build_and_read(tmp_path, lines(record))
    assert ESC not in nt and "\x07" not in nt and "\u202e" not in nt and "\x00" not in nt
    assert '"id:S2:123"' in nt and '"Evil Title"' in nt and '"We use DPO."' in nt
    assert '"Ann Lee"' in nt and '"Bo"' in nt and '"2023-05-29"^^' in nt
    assert ESC not in result.stderr


@pytest.mark.parametrize(
    ("field", "value", "warning"),
    [
        ("url", 42, "'url' must be a string; field ignored"),
        ("url", "javascript:alert(1)", "url 'javascript:alert(1)' is not an http(s) URL; url"),
        ("url", "https://[::1/", "url 'https://[::1/' is not an http(s) URL; url ignored"),
        ("date", "yesterday", "date 'yesterday' is not YYYY-MM-DD; date ignored"),
        ("date", "2023-02-30", "date '2023-02-30' is not YYYY-MM-DD; date ignored"),
        ("authors", {"a": 1}, "'authors' must be a list of strings; field ignored"),
    ],
)
def test_a_bad_optional_field_costs_the_field_not_the_paper(tmp_path, field, value, warning):
    result, nt = build_and_read(tmp_path, lines({**GOOD, field: value}))
    assert f"corpus.jsonl:1: {warning}" in result.stderr
    assert "Good Paper" in nt


def test_numbers_as_ids_keep_their_digits(tmp_path):
    text = (
        '{"id": 2305.18290, "title": "A", "abstract": "We use DPO."}\n'
        '{"id": 2305.1829, "title": "B", "abstract": "We use PPO."}\n'
        '{"id": ' + "9" * 5000 + ', "title": "C", "abstract": "We use RLHF."}\n'
    )
    _, nt = build_and_read(tmp_path, text)
    assert "/paper/2305.18290>" in nt and "/paper/2305.1829>" in nt
    assert '"id:' + "9" * 5000 + '"' in nt


def test_an_abstract_over_a_million_characters_is_cut_with_a_warning(tmp_path):
    huge = {"title": "Huge", "abstract": "We propose DPO. " * 70_000}  # 1,120,000 characters
    result, nt = build_and_read(tmp_path, lines(GOOD, huge), "--max-chars", "20000")
    assert "corpus.jsonl:2: abstract of 1,119,999 characters cut to 20,000" in result.stderr
    assert '"Huge"' in nt


def test_duplicates_are_merged_counted_and_listed(tmp_path):
    text = lines(
        {**GOOD, "id": "2305.18290"},
        {**GOOD, "id": "arXiv:2305.18290v2", "title": "Other"},
        {**GOOD, "url": "https://arxiv.org/abs/2305.18290"},
        {**GOOD, "id": "10.1145/3442188.3445922"},
    )
    result, _ = build_and_read(tmp_path, text)
    assert "2 duplicate records merged" in result.stderr
    assert "Built 2 papers" in result.stderr
    result, _ = build_and_read(tmp_path, text, "--verbose")
    assert "corpus.jsonl:3: same paper id '2305.18290' as line 1; merged into it" in result.stderr


def test_a_lone_surrogate_and_a_bom_are_harmless(tmp_path):
    text = "\ufeff" + '{"title": "T\\ud800", "abstract": "A \\udfff.", "authors": ["\\ud83d"]}\n'
    _, nt = build_and_read(tmp_path, text)
    assert '"T"' in nt


# --- command-line arguments ------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "--max-chars", "0"], "--max-chars"),
        (["build", "--max-chars", "1000000000"], "--max-chars"),
        (["build", "--max-chars", "lots"], "--max-chars"),
        (["extract", "--workers", "0"], "--workers"),
        (["neighborhood", "DPO", "--depth", "99"], "--depth"),
        (["search", "dpo", "--limit", "-1"], "--limit"),
    ],
    ids=["max-chars 0", "max-chars huge", "max-chars text", "workers 0", "depth", "limit"],
)
def test_out_of_range_options_are_usage_errors(store, args, message):
    data_dir = [] if args[0] == "extract" else ["--data-dir", str(store)]
    assert_usage_error(invoke(*args, *data_dir), message)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["build", "--format", "yaml"], 2, "unknown format 'yaml'"),
        (["export", "rdf", "--base-iri", "https://[::1/"], 2, "invalid --base-iri"),
        (["export", "rdf", "--base-iri", "no iri"], 2, "invalid --base-iri"),
        (["export", "rdf", "--base-iri", "https://e.org/a b/"], 2, "not allowed in an IRI"),
        (["export", "rdf", "--format", "xml"], 2, "xml"),
        (["neighborhood", f"{ESC}[31mDPO"], 1, "no entity named '\\x1b[31mDPO'"),
        (["neighborhood", ""], 1, "no entity named ''"),
        (["show", "\u202eOPD"], 1, "no entity named"),
    ],
    ids=[
        "format",
        "ipv6 base iri",
        "no base iri",
        "space in base iri",
        "rdf format",
        "escape name",
        "empty name",
        "bidi name",
    ],
)
def test_bad_arguments_are_one_line_errors(store, args, code, message):
    assert_error(invoke(*args, "--data-dir", str(store)), code, message)


def test_a_search_for_regex_syntax_is_plain_text(store):
    result = invoke("search", "(((", "--data-dir", str(store))
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr == "No entity matches '((('.\n"


@pytest.mark.parametrize(
    "target",
    ["missing/dir/out.ttl", ".", "/proc/version/x"],
    ids=["missing dir", "a directory", "under a file"],
)
def test_an_unwritable_output_is_one_line_and_leaves_nothing(tmp_path, store, target):
    out = str(tmp_path / target) if not target.startswith("/") else target
    before = sorted(tmp_path.iterdir())
    result = invoke("export", "rdf", "-o", out, "--data-dir", str(store))
    assert_error(result, 1, "cannot write")
    assert sorted(tmp_path.iterdir()) == before


def test_a_temporary_left_by_a_killed_run_is_removed_by_the_next(tmp_path, store):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = tmp_path / f".out.ttl.{int(dead.stdout)}.k1ll3d00.tmp"
    stale.write_text("half a dump")
    result = invoke("export", "rdf", "-o", str(tmp_path / "out.ttl"), "--data-dir", str(store))
    assert result.exit_code == 0 and not stale.exists()


# --- gold files for `evaluate` -----------------------------------------------------------

GOLD = {"paper": "T", "entities": [{"name": "DPO", "type": "Method"}], "relations": []}
BAD_GOLD = {
    "missing": (None, "cannot read gold file"),
    "deeply nested": (DEEP + "\n", "gold.jsonl:1: not a gold record: malformed JSON (nested"),
    "not an object": (lines([GOLD]), "gold.jsonl:1: not a gold record: expected a JSON object"),
    "entity type a list": (
        lines(GOLD, {**GOLD, "entities": [{"name": "X", "type": ["Method"]}]}),
        "gold.jsonl:2: not a gold record: an entity needs",
    ),
    "aliases a string": (
        lines({**GOLD, "entities": [{"name": "X", "type": "Method", "aliases": "Y"}]}),
        "an entity needs",
    ),
    "relation without tail": (
        lines({**GOLD, "relations": [{"head": "a", "type": "USES"}]}),
        "a relation needs",
    ),
    "bad UTF-8": (b'{"paper": "\xff"}\n', "gold file is not valid UTF-8"),
    "empty": (b"", "no gold records"),
}


@pytest.mark.parametrize("case", BAD_GOLD, ids=list(BAD_GOLD))
def test_a_bad_gold_file_is_one_line(tmp_path, case):
    content, message = BAD_GOLD[case]
    path = tmp_path / "gold.jsonl" if content is None else corpus(tmp_path, content, "gold.jsonl")
    assert_error(invoke("evaluate", str(path)), 1, message)


# --- environment variables ---------------------------------------------------------------


def test_a_data_dir_under_a_file_is_a_store_error_before_any_build(tmp_path):
    not_a_dir = corpus(tmp_path, "I am a file\n", "file")
    result = invoke("stats", env={"ALIGNKG_DATA_DIR": str(not_a_dir / "sub")})
    assert result.stderr.startswith("No graph in")  # the note of a first query
    result.stderr_bytes = result.stderr.split("\n", 1)[1].encode()
    assert_error(result, 2, str(not_a_dir))


def test_a_data_dir_that_is_a_file_fails_before_building(tmp_path):
    not_a_dir = corpus(tmp_path, "I am a file\n", "file")
    result = invoke(
        "build", corpus(tmp_path, lines(GOOD)).as_posix(), env={"ALIGNKG_DATA_DIR": str(not_a_dir)}
    )
    assert_error(result, 2, str(not_a_dir))


def test_the_environment_data_dir_is_the_one_answered(store, built):
    stats = invoke("stats", "--json", env={"ALIGNKG_DATA_DIR": str(store)})
    assert stats.exit_code == 0 and stats.stdout == built[1][0]


# --- store files -------------------------------------------------------------------------


def store_file(data_dir: Path) -> Path:
    """The file the store keeps its graph in (whatever the store is)."""
    files = [p for p in data_dir.iterdir() if p.is_file() and not p.name.startswith(".")]
    return max(files, key=lambda p: p.stat().st_size)


ANY_STORE_DAMAGE = {
    "null": b"null\n",
    "empty list": b"[]\n",
    "binary": bytes(range(256)) * 16,
    "bad UTF-8": b"\xff\xfe\xfd" * 100,
    "deeply nested": DEEP.encode(),
}
SQL_DAMAGE = {
    "dropped table": "DROP TABLE relations",
    "bad JSON in a row": "UPDATE entities SET aliases = '{'",
    "null paper record": "UPDATE papers SET data = 'null'",
    "unknown relation type": "UPDATE relations SET type = 'HATES' WHERE tail = 'method/dpo'",
    "unknown entity type": "UPDATE entities SET type = 'Wizard'",
    "newer schema": "UPDATE meta SET value = '999' WHERE key = 'schema'",
}


def damage(data_dir: Path, content: bytes) -> bytes:
    (data_dir / ".damaged").touch()
    path = store_file(data_dir)
    path.write_bytes(content)
    return content


def assert_store_error_everywhere(data_dir: Path, message: str = "") -> None:
    for command in (["stats"], ["neighborhood", "DPO"], ["search", "dpo"], ["export", "rdf"]):
        assert_error(invoke(*command, "--data-dir", str(data_dir)), 2, message)


@pytest.mark.parametrize("case", ANY_STORE_DAMAGE, ids=list(ANY_STORE_DAMAGE))
def test_a_damaged_store_is_a_one_line_store_error_and_stays_as_it_is(store, case):
    path = store_file(store)
    content = damage(store, ANY_STORE_DAMAGE[case])
    assert_store_error_everywhere(store, "run 'alignkg build'")
    assert path.read_bytes() == content


def damage_rows(data_dir: Path, sql: str) -> Path:
    """Runs `sql` on the store's SQLite file (the test is skipped for another store)."""
    path = store_file(data_dir)
    if path.suffix != ".sqlite":
        pytest.skip("the store is not SQLite")
    (data_dir / ".damaged").touch()
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute(sql)
        db.commit()
    return path


@pytest.mark.parametrize("case", SQL_DAMAGE, ids=list(SQL_DAMAGE))
def test_a_store_with_damaged_rows_is_a_one_line_store_error(store, case):
    path = damage_rows(store, SQL_DAMAGE[case])
    before = path.read_bytes()
    readers = [["export", "rdf"]] + ([] if "paper" in case else [["neighborhood", "DPO"]])
    for command in readers:  # the commands that read the damaged rows
        assert_error(invoke(*command, "--data-dir", str(store)), 2, "not a readable alignkg")
    assert path.read_bytes() == before


def test_a_relation_to_a_missing_node_is_no_traceback(store, tmp_path):
    damage_rows(
        store,
        "INSERT INTO relations (head, type, tail) VALUES ('method/ghost', 'EXTENDS', 'method/dpo')",
    )
    page = tmp_path / "dpo.html"
    for command in (["neighborhood", "DPO"], ["render", "DPO", "-o", str(page)], ["export", "rdf"]):
        result = invoke(*command, "--data-dir", str(store))
        assert "Traceback" not in result.stderr and result.exit_code in (0, 2), result.stderr
    dpo = invoke("neighborhood", "DPO", "--json", "--data-dir", str(store))
    assert dpo.exit_code == 0 and "method/ghost" not in dpo.stdout


def test_a_foreign_sqlite_file_is_not_taken_for_a_graph(store):
    path = store_file(store)
    (store / ".damaged").touch()
    path.unlink()
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE accounts (name TEXT, balance INTEGER)")
        db.commit()
    before = path.read_bytes()
    assert_store_error_everywhere(store, "not a file alignkg wrote")
    assert path.read_bytes() == before


def test_a_graph_of_an_older_alignkg_asks_for_a_rebuild(store):
    (store / ".damaged").touch()
    store_file(store).unlink()
    (store / "graph.json").write_text('{"format": 1, "papers": {}}')
    assert_store_error_everywhere(store, "a graph of an older alignkg")


def test_a_damaged_store_is_replaced_by_a_good_build(store, tmp_path):
    damage(store, b"null\n")
    result = invoke("build", str(corpus(tmp_path, lines(GOOD))), "--data-dir", str(store))
    assert result.exit_code == 0, result.stderr
    assert json.loads(invoke("stats", "--json", "--data-dir", str(store)).stdout)["papers"] == 1


# --- real processes: pipes, a full disk, worker processes, the terminal's encoding -----


def alignkg(*args: str, stdin=None, stdout=subprocess.PIPE, env=None, timeout=300, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "alignkg", *args],
        stdin=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def many_papers(n: int) -> str:
    return lines(*({"title": f"Paper {i}", "abstract": "We propose DPO. " * 40} for i in range(n)))


@pytest.mark.slow
def test_a_corpus_piped_into_build_loses_no_paper(tmp_path):
    path = corpus(tmp_path, many_papers(55))
    with path.open() as stdin:
        result = alignkg("build", "/dev/stdin", "--json", "--data-dir", str(tmp_path), stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["papers"] == 55


@pytest.mark.slow
def test_a_process_substitution_loses_no_paper(tmp_path):
    path = corpus(tmp_path, many_papers(40))
    script = f'"{sys.executable}" -m alignkg extract <(cat "{path}") | wc -l'
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300)
    assert result.stdout.strip() == "40", result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [["neighborhood", "DPO"], ["stats", "--json"], ["export", "rdf"]],
    ids=["neighborhood", "stats", "export"],
)
def test_a_full_disk_on_stdout_is_one_line(built, args):
    with open("/dev/full", "w") as full:
        result = alignkg(*args, "--data-dir", str(built[0]), stdout=full)
    assert result.returncode == 1, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: cannot write") and line.endswith("No space left on device")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"\x00\x01binary", "binary"),
        (many_papers(300) + '{"title": \n', ":301: malformed JSON"),
        (many_papers(300).encode() + b'{"title": "\xff"}\n', ":301: not valid UTF-8"),
    ],
    ids=["missing", "binary", "bad record late", "bad UTF-8 late"],
)
def test_workers_fail_as_fast_and_clearly_as_one_process(tmp_path, built, content, message):
    path = tmp_path / "c.jsonl" if content is None else corpus(tmp_path, content, "c.jsonl")
    store = tmp_path / "data"
    shutil.copytree(built[0], store)
    start = time.monotonic()
    result = alignkg("build", str(path), "--strict", "--workers", "2", "--data-dir", str(store))
    assert time.monotonic() - start < 120
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert message in result.stderr
    assert answers(store) == built[1]


@pytest.mark.slow
def test_a_killed_worker_is_an_error_not_a_hang(tmp_path):
    path = corpus(tmp_path, many_papers(3_000))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "alignkg",
            "extract",
            str(path),
            "--workers",
            "2",
            "-o",
            str(tmp_path / "x"),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    workers: list[str] = []
    deadline = time.monotonic() + 120
    while not workers and time.monotonic() < deadline:  # the forkserver's children
        time.sleep(0.5)
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
        for child in children.stdout.split():
            found = subprocess.run(["pgrep", "-P", child], capture_output=True, text=True)
            workers += found.stdout.split()
    assert workers, "no worker process started"
    os.kill(int(workers[0]), 9)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "an extraction worker process died" in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_an_ascii_terminal_gets_the_answer_not_a_crash(tmp_path):
    text = lines({"title": "\u00dcber Alignment \u2013 na\u00efve", "abstract": "We use DPO."})
    data_dir = tmp_path / "data"
    assert (
        alignkg("build", str(corpus(tmp_path, text)), "--data-dir", str(data_dir)).returncode == 0
    )
    env = {"PYTHONIOENCODING": "ascii", "LC_ALL": "C", "LANG": "C"}
    result = alignkg("neighborhood", "DPO", "--data-dir", str(data_dir), env=env)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "Alignment" in result.stdout


@pytest.mark.slow
def test_ten_thousand_distinct_papers_in_give_ten_thousand_out(tmp_path):
    prefix = "A Study of Direct Preference Optimization for Aligning Large Language Models " * 2
    records = [{"title": f"{prefix}{i}", "abstract": "We use DPO."} for i in range(9_000)]
    records += [
        {"id": f"doi:10.1/{i}", "title": prefix, "abstract": "We use DPO."} for i in range(500)
    ]
    records += [{"id": i, "title": "Same", "abstract": "We use PPO."} for i in range(500)]
    path = corpus(tmp_path, lines(*records))
    result = alignkg(
        "build", str(path), "--json", "--data-dir", str(tmp_path / "data"), timeout=1200
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["papers"] == 10_000
    assert "duplicate" not in result.stderr


def test_a_data_dir_named_with_escapes_is_shown_escaped(tmp_path):
    not_a_dir = corpus(tmp_path, "I am a file\n", "file\x1b[2J\nx")
    result = invoke("build", str(corpus(tmp_path, lines(GOOD))), "--data-dir", str(not_a_dir))
    assert_error(result, 2, "\\x1b[2J\\nx")
