"""Streaming builds and incremental adds of the embedded SQLite store, on real extractions
of the bundled corpus; old, corrupt and foreign store files; the data directory's lock."""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alignkg.canonical import build_graph
from alignkg.cli import app
from alignkg.ingest import default_corpus, read_corpus
from alignkg.pipeline import build_store, extract_papers, in_shard, read_extractions
from alignkg.serialize import extraction_to_dict, graph_to_dict
from alignkg.store import lock
from alignkg.store.embedded import EmbeddedStore

runner = CliRunner()
SHARED_CORPUS = (
    Path(__file__).resolve().parents[2] / "shared" / "corpus" / "arxiv-ml-abstracts.jsonl"
)


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def extractions():
    return list(extract_papers(read_corpus(default_corpus())))


@pytest.fixture(scope="module")
def extractions_file(extractions, tmp_path_factory):
    path = tmp_path_factory.mktemp("x") / "extractions.jsonl"
    path.write_text(
        "".join(json.dumps(extraction_to_dict(x), ensure_ascii=False) + "\n" for x in extractions)
    )
    return path


def graph_of(data_dir) -> dict:
    store = EmbeddedStore(data_dir)
    try:
        return graph_to_dict(store.load_graph())
    finally:
        store.close()


def query_tables_of(data_dir: Path) -> dict:
    """What queries read beside the graph: paper counts (ranking), every name form under
    its key, and the search index (each form's row, as FTS5 holds it)."""
    with contextlib.closing(sqlite3.connect(data_dir / "graph.sqlite")) as db:
        return {
            "entities": db.execute(
                "SELECT id, name_folded, paper_count, "
                "(SELECT count(*) FROM entity_papers WHERE entity = e.id) FROM entities e "
                "ORDER BY id"
            ).fetchall(),
            "forms": db.execute(
                "SELECT entity, form, key, folded FROM forms ORDER BY 1, 2"
            ).fetchall(),
            "search": db.execute(
                "SELECT f.entity, f.folded FROM forms f JOIN forms_fts t "
                "ON t.rowid = f.id AND t.folded = f.folded ORDER BY 1, 2"
            ).fetchall(),
        }


def test_build_then_add_equals_one_build(extractions, tmp_path):
    build_store(tmp_path / "whole", extractions)
    a, b = extractions[:30], extractions[30:]
    build_store(tmp_path / "parts", a)
    report = build_store(tmp_path / "parts", b, replace=False)
    assert report.added == len(b) and report.skipped == []
    whole = graph_of(tmp_path / "whole")
    assert graph_of(tmp_path / "parts") == whole  # ids included
    assert len(whole["papers"]) == 55 and len(whole["entities"]) > 150
    tables = query_tables_of(tmp_path / "whole")
    assert query_tables_of(tmp_path / "parts") == tables
    assert all(count == papers for _, _, count, papers in tables["entities"])
    assert len(tables["search"]) == len(tables["forms"])


def test_any_order_and_any_split_give_the_same_graph(extractions, tmp_path):
    build_store(tmp_path / "whole", extractions)
    shuffled = extractions[:]
    random.Random(7).shuffle(shuffled)
    build_store(tmp_path / "shuffled", shuffled[:10])
    for start in range(10, 55, 15):
        build_store(tmp_path / "shuffled", shuffled[start : start + 15], replace=False)
    assert graph_of(tmp_path / "shuffled") == graph_of(tmp_path / "whole")
    assert query_tables_of(tmp_path / "shuffled") == query_tables_of(tmp_path / "whole")


def test_papers_already_present_are_skipped(extractions, tmp_path):
    build_store(tmp_path, extractions[:20])
    before = graph_of(tmp_path)
    report = build_store(tmp_path, extractions[10:20], replace=False)
    assert report.added == 0
    assert report.skipped == [x.paper.id for x in extractions[10:20]]
    assert graph_of(tmp_path) == before


def test_the_store_merges_as_canonical_does(tmp_path, sample_graph):
    """On extractions without order-dependent choices, the store's merge in components
    gives exactly canonical.build_graph's graph."""
    from conftest import make_sample_extractions

    extractions = make_sample_extractions()
    build_store(tmp_path, extractions)
    assert graph_of(tmp_path) == graph_to_dict(build_graph(extractions))


def test_cli_add_reports_skipped_papers(extractions_file, tmp_path):
    assert run("build", "--data-dir", str(tmp_path)).exit_code == 0
    result = run("add", str(default_corpus()), "--data-dir", str(tmp_path), "--json", "-v")
    summary = json.loads(result.stdout)
    assert summary["added"] == 0 and summary["skipped"] == 55 and summary["papers"] == 55
    assert len(summary["skipped_ids"]) == 55
    text = run("add", str(default_corpus()), "--data-dir", str(tmp_path))
    assert "Skipped 55 papers already in the graph (--verbose lists them)." in text.stderr


def test_build_from_extractions_equals_build_from_the_corpus(extractions_file, tmp_path):
    assert run("build", "--data-dir", str(tmp_path / "a")).exit_code == 0
    result = run(
        "build", "--from-extractions", str(extractions_file), "--data-dir", str(tmp_path / "b")
    )
    assert result.exit_code == 0, result.output
    assert graph_of(tmp_path / "b") == graph_of(tmp_path / "a")


def test_shards_split_the_corpus_and_add_up_to_it(extractions, extractions_file, tmp_path):
    shards = []
    for index in (1, 2, 3):
        out = tmp_path / f"shard-{index}.jsonl"
        assert run("extract", "--shard", f"{index}/3", "-o", str(out)).exit_code == 0
        shards.append(out)
    ids = [[x.paper.id for x in read_extractions([s])] for s in shards]
    assert all(ids) and sum(len(i) for i in ids) == 55
    assert set().union(*map(set, ids)) == {x.paper.id for x in extractions}
    assert ids[1] == [p.id for p in in_shard(read_corpus(default_corpus()), 2, 3)]
    result = run("build", "--from-extractions", *map(str, shards), "--data-dir", str(tmp_path))
    assert result.exit_code == 0
    build_store(tmp_path / "whole", read_extractions([extractions_file]))
    assert graph_of(tmp_path) == graph_of(tmp_path / "whole")


@pytest.mark.parametrize("shard", ["0/3", "4/3", "1", "a/b"])
def test_bad_shard_is_a_usage_error(shard):
    result = run("extract", "--shard", shard)
    assert result.exit_code == 2 and "--shard" in result.stderr


def test_bad_extraction_file_names_file_and_line(extractions_file, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(extractions_file.read_text().splitlines()[0] + '\n{"paper": "x"}\n')
    run("build", "--data-dir", str(tmp_path))
    before = graph_of(tmp_path)
    result = run("build", "--from-extractions", str(bad), "--data-dir", str(tmp_path))
    assert result.exit_code == 1
    assert f"{bad}:2: not an extraction written by 'alignkg extract'" in result.stderr
    assert graph_of(tmp_path) == before  # the failed build changed nothing


# --- old, corrupt and foreign files ------------------------------------------------------


def test_old_graph_json_asks_for_a_rebuild(tmp_path):
    (tmp_path / "graph.json").write_text('{"format": 1, "papers": {}}')
    result = run("stats", "--data-dir", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {tmp_path / 'graph.json'} is a graph of an older alignkg; "
        "run 'alignkg build' to rebuild it"
    )
    assert run("build", "--data-dir", str(tmp_path)).exit_code == 0
    assert run("stats", "--data-dir", str(tmp_path)).exit_code == 0


@pytest.mark.parametrize("kind", ["garbage", "foreign", "truncated", "empty"])
def test_unusable_sqlite_file_asks_for_a_rebuild_and_build_replaces_it(tmp_path, kind):
    path = tmp_path / "graph.sqlite"
    if kind == "garbage":
        path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 2000)
    elif kind == "foreign":
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE t (x)")
        db.close()
    elif kind == "truncated":
        run("build", "--data-dir", str(tmp_path))
        path.write_bytes(path.read_bytes()[:5000])
    else:  # zero bytes: not an empty graph (a query would build over it)
        path.write_bytes(b"")
    result = run("neighborhood", "DPO", "--data-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "not a readable alignkg graph" in result.stderr
    assert "run 'alignkg build' to rebuild it" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert run("build", "--data-dir", str(tmp_path)).exit_code == 0
    assert run("neighborhood", "DPO", "--data-dir", str(tmp_path)).exit_code == 0


def read_only(directory: Path, *args: str) -> subprocess.CompletedProcess:
    """`alignkg ARGS` while DIRECTORY is read-only: its mode for a user; root ignores modes,
    so for root a read-only bind mount in a mount namespace of its own (unshare)."""
    command = [sys.executable, "-m", "alignkg", *args]
    if os.geteuid() != 0:
        directory.chmod(0o555)
        try:
            return subprocess.run(command, capture_output=True, text=True)
        finally:
            directory.chmod(0o755)
    if shutil.which("unshare") is None:
        pytest.skip("root, and no unshare to mount the directory read-only")
    mount = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 99; shift; "$@"'
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", mount, "sh", str(directory), *command],
        capture_output=True,
        text=True,
    )
    if result.returncode == 99 or result.stderr.startswith("unshare:"):
        pytest.skip(f"cannot mount the directory read-only here: {result.stderr.strip()}")
    return result


@pytest.mark.slow
def test_a_read_only_data_dir_is_said_to_be_not_writable(tmp_path, extractions_file):
    run("build", "--from-extractions", str(extractions_file), "--data-dir", str(tmp_path))
    before = (tmp_path / "graph.sqlite").read_bytes()
    for command in (
        ["stats"],
        ["neighborhood", "DPO"],
        ["build", "--from-extractions", str(extractions_file)],
        ["add", "--from-extractions", str(extractions_file)],
    ):
        result = read_only(tmp_path, *command, "--data-dir", str(tmp_path))
        assert result.returncode == 2, result.stderr
        assert "not writable" in result.stderr and "rebuild" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert (tmp_path / "graph.sqlite").read_bytes() == before
    assert run("stats", "--data-dir", str(tmp_path)).exit_code == 0


def test_add_to_a_saved_graph_needs_a_build(tmp_path, sample_graph, extractions):
    EmbeddedStore(tmp_path).save(sample_graph)
    result = run("add", "--data-dir", str(tmp_path))
    assert result.exit_code == 2 and "run 'alignkg build' once" in result.stderr


# --- one writer per data directory ------------------------------------------------------


def test_a_second_build_fails_at_once_while_one_holds_the_lock(tmp_path):
    with lock.writing(tmp_path):
        result = run("build", "--data-dir", str(tmp_path))
        assert result.exit_code == 2
        assert "another alignkg build is writing to" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        waited = run("build", "--data-dir", str(tmp_path), "--wait", "0.3")
        assert waited.exit_code == 2 and "waited 0.3s" in waited.stderr
    assert not (tmp_path / "graph.sqlite").exists()


def test_first_query_never_builds_while_a_build_holds_the_lock(tmp_path):
    with lock.writing(tmp_path):
        result = run("neighborhood", "DPO", "--data-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "a build into" in result.stderr and "is running" in result.stderr
    assert not (tmp_path / "graph.sqlite").exists()


@pytest.mark.slow
def test_two_builds_at_once_one_waits_for_the_other(tmp_path, extractions_file):
    """Two real processes with --wait: the lock makes them take turns, both succeed and
    the store holds one whole graph."""
    command = [sys.executable, "-m", "alignkg", "build", "--data-dir", str(tmp_path)]
    command += ["--wait", "120"]
    first = subprocess.Popen([*command, "--from-extractions", str(extractions_file)])
    second = subprocess.run(command, capture_output=True, text=True)
    assert first.wait() == 0
    assert second.returncode == 0, second.stderr
    assert len(graph_of(tmp_path)["papers"]) == 55


def test_readers_see_the_old_graph_until_the_build_commits(extractions, tmp_path):
    build_store(tmp_path, extractions[:5])
    reader = EmbeddedStore(tmp_path)
    assert reader.stats().papers == 5

    def watching():
        for i, x in enumerate(extractions):
            if i == 40:
                other = EmbeddedStore(tmp_path)
                assert other.stats().papers == 5  # mid-build: still the old graph
                other.close()
            yield x

    build_store(tmp_path, watching())
    assert EmbeddedStore(tmp_path).stats().papers == 55
    reader.close()


# --- extraction on Dask ----------------------------------------------------------------


@pytest.mark.slow
def test_dask_recipe_on_a_local_cluster_builds_the_same_graph(tmp_path):
    """The README's recipe: shards mapped on a 2-worker LocalCluster (processes), then
    `build --from-extractions`, gives the graph of one `build` of the whole corpus."""
    distributed = pytest.importorskip("distributed")
    if not SHARED_CORPUS.exists():
        pytest.skip("the shared corpus is not beside the project")
    from alignkg.dask_extract import extract_shards

    lines = (SHARED_CORPUS.read_text(encoding="utf-8").splitlines(keepends=True))[:90]
    whole = tmp_path / "whole.jsonl"
    whole.write_text("".join(lines), encoding="utf-8")
    shards = []
    for index in range(3):
        shard = tmp_path / f"part-{index}.jsonl"
        shard.write_text("".join(lines[index * 30 : (index + 1) * 30]), encoding="utf-8")
        shards.append(shard)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        outputs = extract_shards(shards, tmp_path / "out")
    assert [count for _, count in outputs] == [30, 30, 30]
    files = [path for path, _ in outputs]
    assert (
        run("build", "--from-extractions", *files, "--data-dir", str(tmp_path / "a")).exit_code == 0
    )
    assert run("build", str(whole), "--data-dir", str(tmp_path / "b")).exit_code == 0
    assert graph_of(tmp_path / "a") == graph_of(tmp_path / "b")


def test_build_neo4j_checks_the_connection_before_replacing_anything(tmp_path, extractions):
    build_store(tmp_path, extractions[:5])
    before = graph_of(tmp_path)
    env = {"NEO4J_URI": "bolt://127.0.0.1:1", "NEO4J_USERNAME": "neo4j", "NEO4J_PASSWORD": "x"}
    result = runner.invoke(
        app, ["build", "--neo4j", "--data-dir", str(tmp_path)], env=env, catch_exceptions=False
    )
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert graph_of(tmp_path) == before
