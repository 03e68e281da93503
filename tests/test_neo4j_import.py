"""`alignkg export neo4j-import`: the CSV files of `neo4j-admin database import full`,
checked as CSV here and, in the slow test, imported by the real importer from the Maven
Central jars scripts/neo4j-local uses, into a fresh server home that is then started and
queried."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alignkg.cli import app
from alignkg.records import Entity, EntityType, Evidence, KnowledgeGraph, Relation, RelationType
from alignkg.store.embedded import EmbeddedStore
from alignkg.store.neo4j_import import ARRAY_DELIMITER, ImportFilesError, write_import_files
from alignkg.store.neo4j_schema import (
    ENTITY_PROPERTIES,
    PAPER_PROPERTIES,
    RELATION_PROPERTIES,
    entity_props,
    paper_props,
    relation_props,
)
from graph_copy import copy_graph

pytest_plugins = ["neo4j_fixtures"]

ROOT = Path(__file__).resolve().parents[1]
NEO4J_LOCAL = ROOT / "scripts" / "neo4j-local"
HOSTILE = 'He said "no", then\nleft; a\\b, c\r\nd \u00e9\u4e2d <b>'


def hostile_graph(graph: KnowledgeGraph) -> KnowledgeGraph:
    """`graph` plus an entity whose name, aliases and evidence are hostile CSV text."""
    graph = copy_graph(graph)
    paper_id = sorted(graph.papers)[0]
    entity = Entity(
        id="method/hostile",
        name=HOSTILE,
        type=EntityType.METHOD,
        aliases=('"quoted"', "semi;colon", "comma, too", "tab\there"),
        papers=(paper_id,),
    )
    graph.entities[entity.id] = entity
    evidence = Evidence(paper_id.removeprefix("paper/"), HOSTILE, 0, len(HOSTILE), 'r,u"le', 0.25)
    graph.relations[(paper_id, "USES", entity.id)] = Relation(
        paper_id, RelationType.USES, entity.id, (evidence,)
    )
    graph.entities = dict(sorted(graph.entities.items()))
    graph.relations = dict(sorted(graph.relations.items()))
    return graph


def read_rows(header: Path, data: Path) -> list[dict[str, str]]:
    with (
        header.open(newline="", encoding="utf-8") as h,
        data.open(newline="", encoding="utf-8") as d,
    ):
        names = next(csv.reader(h))
        return [dict(zip(names, row, strict=True)) for row in csv.reader(d)]


def test_files_are_quoted_csv_with_typed_headers(tmp_path, sample_graph):
    graph = hostile_graph(sample_graph)
    files = write_import_files(graph, tmp_path / "out")
    methods = read_rows(*files.nodes["Method"])
    hostile = next(r for r in methods if r["id:ID"] == "method/hostile")
    assert hostile["name:string"] == HOSTILE
    assert hostile["aliases:string[]"].split(ARRAY_DELIMITER) == [
        '"quoted"',
        "semi;colon",
        "comma, too",
        "tab\there",
    ]
    assert hostile[":LABEL"] == f"Entity{ARRAY_DELIMITER}Method"
    uses = read_rows(*files.relationships["USES"])
    row = next(r for r in uses if r[":END_ID"] == "method/hostile")
    assert row["evidence_sentences:string[]"] == HOSTILE
    assert row["evidence_rules:string[]"] == 'r,u"le'
    assert row["evidence_confidences:double[]"] == "0.25" and row[":TYPE"] == "USES"
    papers = read_rows(*files.nodes["Paper"])
    assert len(papers) == len(graph.papers)
    assert sum(files.counts.values()) == len(graph.papers) + len(graph.entities) + len(
        graph.relations
    )
    # An absent value (no aliases) is an empty unquoted field; an empty string is quoted.
    raw = files.nodes["Method"][1].read_text(encoding="utf-8").splitlines()
    ppo = next(line for line in raw if line.startswith('"method/ppo",'))
    assert ppo.startswith('"method/ppo","PPO","Method",,"paper/')
    assert ppo.endswith(f',"","Entity{ARRAY_DELIMITER}Method"')
    first = write_import_files(graph, tmp_path / "again")
    for path in sorted((tmp_path / "out").glob("*.csv")):
        assert path.read_bytes() == (first.folder / path.name).read_bytes(), path.name


def test_every_property_has_a_column_type(corpus_graph):
    for node_id, paper in corpus_graph.papers.items():
        assert set(paper_props(node_id, paper)) <= set(PAPER_PROPERTIES)
    for entity in corpus_graph.entities.values():
        assert set(entity_props(entity)) <= set(ENTITY_PROPERTIES)
    for relation in corpus_graph.relations.values():
        assert set(relation_props(relation)) == set(RELATION_PROPERTIES)


def test_text_holding_the_array_delimiter_is_an_error(tmp_path, sample_graph):
    dpo = sample_graph.entities["method/dpo"]
    sample_graph.entities[dpo.id] = dataclasses.replace(dpo, aliases=(f"a{ARRAY_DELIMITER}b",))
    with pytest.raises(ImportFilesError, match="U\\+001F"):
        write_import_files(sample_graph, tmp_path / "out")


def test_cli_writes_the_files_and_prints_the_command(tmp_path, embedded_store):
    out = tmp_path / "import"
    result = CliRunner().invoke(
        app,
        ["export", "neo4j-import", str(out), "--data-dir", str(embedded_store.path.parent)],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"neo4j-admin database import full neo4j @{out / 'import.args'}"
    args = (out / "import.args").read_text(encoding="utf-8").splitlines()
    assert '"--multiline-fields=true"' in args
    assert any(a.startswith('"--nodes=') and "nodes-Paper.csv" in a for a in args)


# --- the real importer ------------------------------------------------------------------------


def command_lines_while(process: subprocess.Popen) -> set[str]:
    """Every process command line seen (as `ps` shows them) until `process` ends."""
    seen: set[str] = set()
    while process.poll() is None:
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            with contextlib.suppress(OSError):  # the process ended meanwhile
                seen.add(cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        time.sleep(0.05)
    return seen


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.neo4j
@pytest.mark.slow
def test_neo4j_admin_imports_the_files_and_the_result_answers(
    tmp_path, corpus_graph, neo4j_server, monkeypatch
):
    """Export, import with `neo4j-admin database import full` (AdminTool from the same
    jars) into a fresh, stopped server home, start it, and query it."""
    graph = hostile_graph(corpus_graph)
    source = EmbeddedStore(tmp_path / "store")
    source.save(graph)
    out = tmp_path / "import"
    exported = CliRunner().invoke(
        app, ["export", "neo4j-import", str(out), "--data-dir", str(tmp_path / "store")]
    )
    assert exported.exit_code == 0, exported.output

    # A fresh home sharing the jars of the running test server's home.
    jars = (
        Path(os.environ.get("ALIGNKG_NEO4J_HOME") or Path.home() / ".cache/alignkg/neo4j-5.26")
        / "lib"
    )
    if not any(jars.glob("neo4j-server-*.jar")):
        pytest.skip(f"no Neo4j jars in {jars}: start scripts/neo4j-local once first")
    home = tmp_path / "home"
    home.mkdir()
    (home / "lib").symlink_to(jars)
    env = {
        **os.environ,
        "ALIGNKG_NEO4J_HOME": str(home),
        "NEO4J_BOLT_PORT": str(free_port()),
        "NEO4J_HTTP_PORT": str(free_port()),
        "NEO4J_PASSWORD": "import-test-pw",
        "NEO4J_HEAP": "512m",
        "NEO4J_PAGECACHE": "128m",
        "PYTHON": sys.executable,
    }
    command = shlex.split(exported.stdout.strip())
    assert command[:4] == ["neo4j-admin", "database", "import", "full"]
    imported = subprocess.run(
        [str(NEO4J_LOCAL), "admin", *command[1:]], env=env, capture_output=True, text=True
    )
    assert imported.returncode == 0, imported.stdout[-3000:] + imported.stderr[-3000:]
    assert "IMPORT DONE" in imported.stdout + imported.stderr
    nodes = re.search(r"(\d+) nodes", imported.stdout + imported.stderr)
    assert nodes and int(nodes[1]) == len(graph.papers) + len(graph.entities)

    # The first start sets the initial password: it must never be on a command line.
    starting = subprocess.Popen(
        [str(NEO4J_LOCAL), "start"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    seen = command_lines_while(starting)
    stdout, stderr = (stream.decode() for stream in starting.communicate(timeout=300))
    try:
        assert starting.returncode == 0, stderr[-3000:]
        assert any("set-initial-password" in line for line in seen), "the tool was not seen"
        assert not [line for line in seen if env["NEO4J_PASSWORD"] in line]
        for assignment in shlex.split(stdout.strip().removeprefix("export ")):
            name, _, value = assignment.partition("=")
            monkeypatch.setenv(name, value)
        applied = CliRunner().invoke(app, ["load", "--schema-only"])
        assert applied.exit_code == 0, applied.output
        from alignkg.store.neo4j import Neo4jStore

        with Neo4jStore.from_env() as store:
            assert store.stats() == source.stats()
            # What was exported comes back: hostile text, arrays and types intact.
            loaded, exported_graph = store.load_graph(), source.load_graph()
            for key in ("papers", "entities", "relations"):
                mine, theirs = getattr(loaded, key), getattr(exported_graph, key)
                assert mine.keys() == theirs.keys()
                for item_id, item in theirs.items():
                    assert mine[item_id] == item, item_id
            assert loaded.entities["method/hostile"] == graph.entities["method/hostile"]
            dpo = source.resolve("DPO")
            assert store.neighborhood(dpo.id) == source.neighborhood(dpo.id)
            assert store.resolve(HOSTILE).id == "method/hostile"
            records, _, _ = store.driver.execute_query(
                "CALL db.index.fulltext.queryNodes('entity_names', 'DPO') YIELD node "
                "RETURN node.name AS name LIMIT 1"
            )
            assert records, "the full-text index answers after --schema-only"
    finally:
        subprocess.run([str(NEO4J_LOCAL), "stop"], env=env, capture_output=True, timeout=120)
