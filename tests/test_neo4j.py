"""Neo4j beyond the query contract: the loader, connection errors, injection safety, the
queries in cypher/queries and `alignkg query`. Against a real server (neo4j_fixtures.py)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from neo4j.exceptions import ServiceUnavailable
from typer.testing import CliRunner

from alignkg.cli import app
from alignkg.records import (
    EntityType,
    Evidence,
    KnowledgeGraph,
    Paper,
    Relation,
    RelationType,
    paper_node_id,
)
from alignkg.store import neo4j as neo4j_module
from alignkg.store import neo4j_loader, neo4j_lock, neo4j_schema
from alignkg.store.base import StoreError
from alignkg.store.embedded import EmbeddedStore
from alignkg.store.neo4j import Neo4jStore, QueryError
from alignkg.store.neo4j_lock import LOCK_LABEL, LoadLocked
from alignkg.store.neo4j_queries import default_params
from alignkg.store.neo4j_readonly import parameters, why_not_read_only
from alignkg.store.neo4j_schema import NODE_LABELS, QUERIES_DIR, split_statements
from graph_copy import copy_graph

pytest_plugins = ["neo4j_fixtures"]

INJECTION = "DPO'}) DETACH DELETE n //"
QUERY_FILES = sorted(QUERIES_DIR.glob("*.cypher"))


def expected_counts(graph: KnowledgeGraph) -> tuple[int, int]:
    return len(graph.papers) + len(graph.entities), len(graph.relations)


def invoke(*args: str, env: dict[str, str | None] | None = None):
    return CliRunner().invoke(app, list(args), env=env)


def error_line(result) -> str:
    """The command's stderr, checked to be a single `error: ...` line."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def with_paper(graph: KnowledgeGraph) -> KnowledgeGraph:
    """The sample graph plus a paper introducing MT-Bench, so every query has rows."""
    graph = copy_graph(graph)
    paper = Paper(
        id="mt-bench",
        title="Judging LLM-as-a-judge",
        abstract="We introduce MT-Bench.",
        date="2023-06-09",
    )
    node_id = paper_node_id(paper.id)
    sentence = "We introduce MT-Bench."
    start = paper.text.find(sentence)
    evidence = Evidence(paper.id, sentence, start, start + len(sentence), "test", 0.8)
    graph.papers[node_id] = paper
    bench = graph.entities["dataset/mt-bench"]
    graph.entities[bench.id] = dataclasses.replace(bench, papers=(*bench.papers, node_id))
    key = (node_id, "INTRODUCES", bench.id)
    graph.relations[key] = Relation(node_id, RelationType.INTRODUCES, bench.id, (evidence,))
    graph.relations = dict(sorted(graph.relations.items()))
    graph.papers = dict(sorted(graph.papers.items()))
    return graph


# --- the loader ----------------------------------------------------------------------------


@pytest.mark.neo4j
def test_schema_constrains_every_label(neo4j_store, sample_graph):
    neo4j_store.save(sample_graph)
    constraints, _, _ = neo4j_store.driver.execute_query(
        "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties"
    )
    unique = {
        r["labelsOrTypes"][0]
        for r in constraints
        if r["type"] == "UNIQUENESS" and r["properties"] == ["id"]
    }
    assert unique >= {*NODE_LABELS, *(t.value for t in EntityType)}
    indexes, _, _ = neo4j_store.driver.execute_query(
        "SHOW INDEXES YIELD name, type, properties WHERE name = 'entity_names' "
        "RETURN type, properties"
    )
    assert [(r["type"], r["properties"]) for r in indexes] == [
        ("FULLTEXT", ["name", "aliases_text"])
    ]


@pytest.mark.neo4j
def test_labels_and_evidence_on_relationships(neo4j_store, sample_graph):
    neo4j_store.save(sample_graph)
    records, _, _ = neo4j_store.driver.execute_query(
        "MATCH (n:Entity {id: 'method/dpo'}) RETURN labels(n) AS labels, n.keys AS keys"
    )
    assert sorted(records[0]["labels"]) == ["Entity", "Method"]
    assert records[0]["keys"] == ["directpreferenceoptimization", "dpo"]
    # PPO is USED by one paper and OUTPERFORMED according to two: one relationship per
    # (head, type, tail), with all its evidence.
    records, _, _ = neo4j_store.driver.execute_query(
        "MATCH (:Paper {id: 'paper/2305.18290'})-[r:USES]->(:Method {id: 'method/ppo'}) "
        "RETURN r {.*} AS props"
    )
    assert records[0]["props"] == {
        "evidence_papers": ["2305.18290"],
        "evidence_sentences": ["DPO outperforms PPO."],
        "evidence_starts": [81],
        "evidence_ends": [101],
        "evidence_rules": ["test"],
        "evidence_confidences": [0.9],
        "confidence": 0.9,
    }


@pytest.mark.neo4j
def test_several_papers_one_relationship(neo4j_store, sample_graph):
    graph = with_paper(sample_graph)
    key = ("method/f-dpo", "OUTPERFORMS", "method/ppo")
    more = Evidence("mt-bench", "We introduce MT-Bench.", 24, 46, "other", 0.5)
    graph.relations[key] = dataclasses.replace(
        graph.relations[key], evidence=(*graph.relations[key].evidence, more)
    )
    neo4j_store.save(graph)
    records, _, _ = neo4j_store.driver.execute_query(
        "MATCH (:Method {id: 'method/f-dpo'})-[r:OUTPERFORMS]->(:Method {id: 'method/ppo'}) "
        "RETURN r.evidence_papers AS papers, r.confidence AS confidence"
    )
    assert [(r["papers"], r["confidence"]) for r in records] == [
        (["beyond-reverse-kl", "mt-bench"], 0.9)
    ]
    assert neo4j_store.load_graph() == graph


@pytest.mark.neo4j
def test_loading_twice_changes_no_counts(neo4j_counts, neo4j_store, sample_graph):
    neo4j_store.batch_size = 2  # many transactions
    neo4j_store.save(sample_graph)
    first = neo4j_counts()
    assert first == expected_counts(sample_graph) == (11, 12)
    neo4j_store.save(sample_graph)
    assert neo4j_counts() == first
    assert neo4j_store.load_graph() == sample_graph


@pytest.mark.neo4j
def test_reload_of_a_smaller_graph_removes_the_rest(neo4j_counts, neo4j_store, sample_graph):
    neo4j_store.batch_size = 2
    neo4j_store.save(with_paper(sample_graph))
    assert neo4j_counts() == (12, 13)
    neo4j_store.save(sample_graph)
    assert neo4j_counts() == expected_counts(sample_graph)
    assert neo4j_store.load_graph() == sample_graph


@pytest.mark.neo4j
def test_interrupted_load_then_reload_is_complete(neo4j_counts, neo4j_store, sample_graph):
    class Crash(Exception):
        pass

    batches = []

    def crash_after_three(query: str, rows: int) -> None:
        batches.append(rows)
        if len(batches) == 3:
            raise Crash

    # A previous, different graph is there; the new load dies after 3 of its batches.
    neo4j_store.batch_size = 2
    neo4j_store.save(with_paper(sample_graph))
    neo4j_store.driver.execute_query("MATCH (n:Entity {id: 'method/ppo'}) DETACH DELETE n")
    with pytest.raises(Crash):
        neo4j_store.save(sample_graph, on_batch=crash_after_three)
    assert neo4j_store.load_graph() != sample_graph

    neo4j_store.save(sample_graph)
    assert neo4j_counts() == expected_counts(sample_graph)
    assert neo4j_store.load_graph() == sample_graph


@pytest.mark.neo4j
def test_load_failing_on_a_bad_row_then_reload_is_complete(
    neo4j_counts, neo4j_store, sample_graph, monkeypatch
):
    """The server rejects a batch mid-load (a row Neo4j cannot store): a one-line
    StoreError, the batches before it committed; the next good load completes."""
    good_values = neo4j_schema.relation_values
    rules = list(neo4j_schema.RELATION_PROPERTIES).index("evidence_rules")

    def poisoned(relation: Relation) -> list:
        values = good_values(relation)
        if relation.type is RelationType.USES:  # written after most other types
            values[rules] = [{"nested": "maps are not property values"}]
        return values

    monkeypatch.setattr(neo4j_schema, "relation_values", poisoned)
    neo4j_store.batch_size = 2
    with pytest.raises(StoreError) as caught:
        neo4j_store.save(sample_graph)
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("Neo4j at ")
    nodes, relations = neo4j_counts()
    assert nodes == 11 and 0 < relations < 12

    monkeypatch.undo()
    neo4j_store.save(sample_graph)
    assert neo4j_counts() == expected_counts(sample_graph)
    assert neo4j_store.load_graph() == sample_graph


@pytest.mark.neo4j
def test_transient_errors_are_retried(neo4j_counts, neo4j_store, sample_graph, monkeypatch):
    """A batch whose transaction fails with a retryable error is run again (the driver's
    managed transactions), and the load completes."""
    run_rows = neo4j_loader._run_rows
    attempts = []

    def flaky(tx, query, rows):
        attempts.append(len(rows))
        if len(attempts) == 2:
            raise ServiceUnavailable("connection lost (simulated)")
        return run_rows(tx, query, rows)

    monkeypatch.setattr(neo4j_loader, "_run_rows", flaky)
    neo4j_store.batch_size = 4
    neo4j_store.save(sample_graph)
    batches = neo4j_loader.chunks
    assert len(attempts) == 1 + sum(
        len(list(batches(rows, 4))) for _, rows in neo4j_loader.write_plan(sample_graph)
    )
    assert neo4j_counts() == expected_counts(sample_graph)
    assert neo4j_store.load_graph() == sample_graph


@pytest.mark.neo4j
def test_one_load_at_a_time(neo4j_counts, neo4j_store, sample_graph, embedded_store):
    """While a load runs, a second (the API or `alignkg load`) fails at once with a
    one-line message and writes nothing; once the first ends, loading works again."""
    graph = with_paper(sample_graph)
    started, resume = threading.Event(), threading.Event()

    def pause(query: str, rows: int) -> None:
        started.set()
        assert resume.wait(60)

    def first_load() -> None:
        with Neo4jStore.from_env(batch_size=2) as store:
            store.save(graph, on_batch=pause)

    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(first_load)
        assert started.wait(60)
        try:
            with Neo4jStore.from_env() as second, pytest.raises(LoadLocked) as locked:
                second.save(sample_graph)
            assert "another alignkg load is writing to Neo4j at" in str(locked.value)
            assert f"pid {os.getpid()}" in str(locked.value)
            result = invoke("load", "--data-dir", str(embedded_store.path.parent))
            assert result.exit_code == 2, result.output
            assert "another alignkg load" in error_line(result)
        finally:
            resume.set()
        first.result()
    assert neo4j_counts() == expected_counts(graph)  # the lock node is gone too
    assert neo4j_store.load_graph() == graph
    neo4j_store.save(sample_graph)
    assert neo4j_store.load_graph() == sample_graph


def _hold_lock(store: Neo4jStore, host: str, pid: int, silent_seconds: int) -> None:
    store.driver.execute_query(
        f"CREATE (:{LOCK_LABEL} {{name: 'load', token: 'old', host: $host, pid: $pid, "
        "since: datetime() - duration({seconds: $silent}), "
        "heartbeat: datetime() - duration({seconds: $silent})})",
        host=host,
        pid=pid,
        silent=silent_seconds,
    )


@pytest.mark.neo4j
def test_a_stale_lock_is_taken_over(neo4j_counts, neo4j_store, sample_graph, caplog):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    for host, pid, silent in [
        (socket.gethostname(), dead.pid, 0),  # its process is gone
        ("elsewhere", 1, 3600),  # no heartbeat for an hour
    ]:
        neo4j_store.driver.execute_query("MATCH (n) DETACH DELETE n")
        neo4j_store.driver.execute_query(neo4j_lock.CONSTRAINT)
        _hold_lock(neo4j_store, host, pid, silent)
        with caplog.at_level("WARNING"):
            neo4j_store.save(sample_graph)
        assert f"from a load that died (pid {pid} on {host}" in caplog.text
        assert neo4j_counts() == expected_counts(sample_graph)


@pytest.mark.neo4j
def test_a_live_lock_elsewhere_is_respected(neo4j_counts, neo4j_store, sample_graph):
    neo4j_store.driver.execute_query(neo4j_lock.CONSTRAINT)
    _hold_lock(neo4j_store, "elsewhere", 1, 5)
    with pytest.raises(LoadLocked, match="pid 1 on elsewhere"):
        neo4j_store.save(sample_graph)
    assert neo4j_counts() == (1, 0)  # only the lock node


@pytest.mark.neo4j
def test_default_corpus_loads_idempotently(neo4j_counts, neo4j_store, corpus_graph):
    neo4j_store.save(corpus_graph)
    counts = neo4j_counts()
    assert counts == expected_counts(corpus_graph)
    neo4j_store.save(corpus_graph)
    assert neo4j_counts() == counts
    assert neo4j_store.load_graph() == corpus_graph


@pytest.mark.neo4j
def test_default_corpus_answers_like_the_embedded_store(neo4j_store, corpus_graph, tmp_path):
    reference = EmbeddedStore(tmp_path / "store")
    reference.save(corpus_graph)
    neo4j_store.save(corpus_graph)
    assert neo4j_store.stats() == reference.stats()
    for entity in corpus_graph.entities.values():
        for name in (entity.name, *entity.aliases, entity.name.upper()):
            assert neo4j_store.resolve(name) == reference.resolve(name), name
        assert neo4j_store.neighborhood(entity.id, 1) == reference.neighborhood(entity.id, 1)
        detail, expected = neo4j_store.detail(entity.id), reference.detail(entity.id)
        assert (detail.entity, detail.papers, detail.relations) == (
            expected.entity,
            expected.papers,
            expected.relations,
        )
    for entity_id in ("method/dpo", "method/rlhf", "model/dromedary"):
        if entity_id in corpus_graph.entities:
            for depth in (2, 3):
                assert neo4j_store.neighborhood(entity_id, depth) == reference.neighborhood(
                    entity_id, depth
                )
    for text in ("dpo", "preference", "bench", "a", "gpt-4"):
        assert neo4j_store.search(text) == reference.search(text)
        assert neo4j_store.suggest(text) == reference.suggest(text)


# --- the command line: load, build --neo4j, and the Done-when check ---------------------------


@pytest.mark.neo4j
def test_cli_load_then_neighborhood_answers_like_embedded(
    neo4j_counts, neo4j_store, embedded_store
):
    data_dir = str(embedded_store.path.parent)
    first = invoke("load", "--data-dir", data_dir, "--batch-size", "4", "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["relations"] == 12
    counts = neo4j_counts()
    again = invoke("load", "--data-dir", data_dir)
    assert again.exit_code == 0, again.output
    assert neo4j_counts() == counts == (11, 12)
    for command in (
        ["neighborhood", "DPO"],
        ["neighborhood", "dpo", "-d", "2"],
        ["show", "direct preference optimization"],
        ["search", "dpo"],
        ["stats"],
    ):
        embedded = invoke(*command, "--json", "--data-dir", data_dir)
        neo4j = invoke(*command, "--json", "--backend", "neo4j")
        assert neo4j.exit_code == embedded.exit_code == 0, neo4j.output
        assert neo4j.stdout == embedded.stdout, command


@pytest.mark.neo4j
def test_cli_build_with_neo4j(neo4j_counts, neo4j_store, tmp_path, corpus_graph):
    result = invoke("build", "--data-dir", str(tmp_path / "store"), "--neo4j")
    assert result.exit_code == 0, result.output
    assert neo4j_counts() == expected_counts(corpus_graph)


# --- connection errors: one line, exit code 2 --------------------------------------------


@pytest.mark.neo4j
def test_wrong_password_is_a_one_line_error(neo4j_server, embedded_store):
    # Two tries only: the third wrong password in a row locks the user for a few seconds.
    env = {"NEO4J_PASSWORD": "not-the-password"}
    for command in (
        ["stats", "--backend", "neo4j"],
        ["load", "--data-dir", str(embedded_store.path.parent)],
    ):
        result = invoke(*command, env=env)
        assert result.exit_code == 2, result.output
        assert "NEO4J_PASSWORD" in error_line(result)
        assert "not-the-password" not in result.output
    Neo4jStore.from_env().close()  # a good login resets the server's count of failures


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("bolt://127.0.0.1:1", "cannot reach Neo4j at bolt://127.0.0.1:1"),
        ("nonsense://somewhere", "bad Neo4j settings"),
        ("", "NEO4J_URI is not set"),
    ],
)
def test_unreachable_server_is_a_one_line_error(uri, message):
    for command in (["neighborhood", "DPO", "--backend", "neo4j"], ["query", "RETURN 1"]):
        result = invoke(*command, env={"NEO4J_URI": uri, "NEO4J_PASSWORD": "x" * 8})
        assert result.exit_code == 2, result.output
        assert message in error_line(result)


@pytest.mark.neo4j
def test_unknown_database_is_a_one_line_error(neo4j_server):
    result = invoke("stats", "--backend", "neo4j", "--database", "nosuchdb")
    assert result.exit_code == 2, result.output
    assert "nosuchdb" in error_line(result)


# --- safety: values are parameters ---------------------------------------------------------------


@pytest.mark.neo4j
def test_injection_finds_nothing_and_deletes_nothing(neo4j_counts, neo4j_store, sample_graph):
    neo4j_store.save(sample_graph)
    counts = neo4j_counts()
    assert neo4j_store.resolve(INJECTION) is None
    assert neo4j_store.search(INJECTION) == []
    neo4j_store.suggest(INJECTION)
    for command in (
        ["neighborhood", INJECTION, "--backend", "neo4j"],
        ["show", INJECTION, "--backend", "neo4j"],
        ["search", INJECTION, "--backend", "neo4j"],
    ):
        result = invoke(*command)
        assert result.exit_code == 1, result.output
    for query_file in QUERY_FILES:
        result = invoke(
            "query",
            str(query_file),
            "--param",
            f"name={INJECTION}",
            "--param",
            f"text={INJECTION}",
            "--json",
        )
        assert result.exit_code in (0, 1), result.output  # Lucene may reject the text
    result = invoke("query", "neighbourhood", "--param", f"name={INJECTION}", "--json")
    assert json.loads(result.stdout) == []
    assert neo4j_counts() == counts
    assert neo4j_store.load_graph() == sample_graph


@pytest.mark.neo4j
def test_hostile_names_are_stored_as_text(neo4j_counts, neo4j_store, sample_graph):
    dpo = sample_graph.entities["method/dpo"]
    sample_graph.entities[dpo.id] = dataclasses.replace(dpo, aliases=(*dpo.aliases, INJECTION))
    neo4j_store.save(sample_graph)
    assert neo4j_store.load_graph() == sample_graph
    assert neo4j_store.resolve(INJECTION).id == "method/dpo"
    assert neo4j_counts() == expected_counts(sample_graph)


def test_cypher_is_built_from_the_fixed_lists_only():
    from alignkg.store.neo4j_loader import entities_query, relations_query

    for create in (False, True):
        with pytest.raises(ValueError):
            entities_query("Method {id: 1}) DETACH DELETE n //", create)
        with pytest.raises(ValueError):
            relations_query("USES]->() DETACH DELETE n //", "Paper", "Entity", create)
        with pytest.raises(ValueError):
            relations_query("USES", "Paper) DETACH DELETE n //", "Entity", create)


# --- cypher/queries ------------------------------------------------------------------------------


def body_params(text: str) -> set[str]:
    """The $parameters a query's statement uses (comments left out)."""
    return set(re.findall(r"\$(\w+)", "\n".join(split_statements(text))))


def test_every_query_file_says_what_it_answers_and_its_parameters():
    assert {f.stem for f in QUERY_FILES} >= {
        "neighbourhood",
        "dpo-family",
        "datasets-per-year",
        "base-models",
        "outperforms",
        "most-used-benchmarks",
        "methods-together",
    }
    for path in QUERY_FILES:
        text = path.read_text(encoding="utf-8")
        header = text.split("\n\n")[0].splitlines()
        assert header[0].startswith("// "), path.name
        assert any(line.startswith("// Parameters:") for line in header), path.name
        assert len(split_statements(text)) == 1, path.name
        # Every parameter has a Browser `:param` line, which is also the CLI's default.
        assert set(default_params(text)) == body_params(text), path.name


def run_query(query: str, **params) -> list[dict]:
    args = ["query", str(QUERIES_DIR / f"{query}.cypher"), "--json"]
    for key, value in params.items():
        args += ["--param", f"{key}={value}"]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def column(rows: list[dict], *names: str) -> list:
    return [tuple(row[n] for n in names) if len(names) > 1 else row[names[0]] for row in rows]


@pytest.mark.neo4j
def test_queries_on_the_sample_graph(neo4j_store, sample_graph):
    neo4j_store.save(with_paper(sample_graph))

    rows = run_query("neighbourhood")  # default: DPO
    assert column(rows, "relation", "other", "kind") == [
        ("<- EXTENDS", "f-DPO", "Method"),
        ("<- PROPOSES", "Direct Preference Optimization", "Paper"),
        ("<- USES", "Self-Alignment <script>alert(1)</script>", "Paper"),
        ("OUTPERFORMS ->", "PPO", "Method"),
    ]
    assert rows[-1]["sentence"] == "DPO outperforms PPO."
    assert run_query("neighbourhood", name="direct preference optimization") == rows

    assert run_query("dpo-family") == [
        {
            "variant": "f-DPO",
            "generation": 1,
            "lineage": ["f-DPO", "DPO"],
            "proposed_by": ["Beyond Reverse KL"],
        }
    ]
    assert run_query("dpo-family", name="f-DPO") == []

    assert run_query("datasets-per-year") == [
        {"year": "2023", "datasets": 1, "names": ["MT-Bench"]}
    ]
    assert run_query("base-models") == [
        {
            "model": "Dromedary",
            "base_model": "LLaMA-65b",
            "foundation": "LLaMA-65b",
            "trained_with": ["SELF-ALIGN"],
        }
    ]
    assert column(run_query("outperforms"), "winner", "type", "evidence", "papers") == [
        ("DPO", "Method", 1, ["2305.18290"]),
        ("f-DPO", "Method", 1, ["beyond-reverse-kl"]),
    ]
    assert run_query("outperforms", name="DPO") == []
    assert run_query("most-used-benchmarks") == [
        {"benchmark": "MT-Bench", "papers": 2, "evaluated_on": 1, "introduced": 1}
    ]
    assert run_query("methods-together") == [
        {
            "method": "DPO",
            "with_method": "PPO",
            "shared_papers": 1,
            "papers": ["Direct Preference Optimization"],
        }
    ]
    assert column(run_query("fulltext-search"), "name") == ["DPO"]
    found = column(run_query("fulltext-search", text="dromedary OR llama*"), "name")
    assert sorted(found) == ["Dromedary", "LLaMA-65b"]


@pytest.mark.neo4j
def test_queries_on_the_default_corpus(neo4j_store, corpus_graph):
    """Facts of the development gold (shared/eval/seed-gold.jsonl) that the extractor finds."""
    neo4j_store.save(corpus_graph)

    rows = run_query("neighbourhood")
    assert {("<- EXTENDS", v) for v in ("f-DPO", "LN-DPO", "TDPO", "rDPO", "MAH-DPO")} <= set(
        column(rows, "relation", "other")
    )
    assert all(row["entity"] == "DPO" and row["evidence"] >= 1 for row in rows)

    family = run_query("dpo-family")
    assert {"f-DPO", "LN-DPO", "TDPO", "rDPO", "MAH-DPO"} <= set(column(family, "variant"))
    assert all(row["lineage"][-1] == "DPO" for row in family)
    assert column(family, "generation") == sorted(column(family, "generation"))

    per_year = {row["year"]: set(row["names"]) for row in run_query("datasets-per-year")}
    assert {"VisAlign", "MMHAL-BENCH"} <= per_year["2023"]
    assert "PAPI" in per_year["2024"]
    assert "MISALIGNMENTBENCH" in per_year["2025"]
    assert list(per_year) == sorted(per_year)

    bases = column(run_query("base-models"), "model", "base_model")
    assert ("Dromedary", "LLaMA-65b") in bases

    assert "f-DPO" in column(run_query("outperforms"), "winner")
    assert "PAS" in column(run_query("outperforms", name="DPO"), "winner")

    benchmarks = run_query("most-used-benchmarks", limit=5)
    assert len(benchmarks) == 5
    used = column(benchmarks, "papers")
    assert used == sorted(used, reverse=True) and used[-1] >= 1

    pairs = run_query("methods-together", limit=10)
    assert len(pairs) == 10
    assert ("DPO", "RLHF") in column(
        run_query("methods-together", limit=1000), "method", "with_method"
    )
    shared = column(pairs, "shared_papers")
    assert shared == sorted(shared, reverse=True) and shared[0] >= 2

    assert "DPO" in column(run_query("fulltext-search"), "name")


# --- alignkg query ------------------------------------------------------------------------------


@pytest.mark.neo4j
def test_query_cli_table_text_and_params(neo4j_store, sample_graph):
    neo4j_store.save(sample_graph)
    table = invoke("query", "outperforms")  # a bundled query by name, default $name
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["winner", "type", "evidence", "sentence", "papers"]
    assert lines[2].startswith("DPO ") and lines[3].startswith("f-DPO ")
    assert lines[-1] == "(2 rows)"

    text = invoke(
        "query",
        "MATCH (e:Entity) WHERE e.type = $type AND size(e.papers) >= $min "
        "RETURN e.name AS name ORDER BY name",
        "--param",
        "type=Method",
        "--param",
        "min=2",
        "--json",
    )
    assert json.loads(text.stdout) == [{"name": "DPO"}, {"name": "PPO"}]

    nodes = invoke("query", "MATCH (n:Dataset)<-[r]-(p) RETURN n, r, p", "--json")
    row = json.loads(nodes.stdout)[0]
    assert row["n"]["labels"] == ["Dataset", "Entity"] and row["n"]["name"] == "MT-Bench"
    assert row["r"]["type"] == "EVALUATES_ON" and row["r"]["start"] == "paper/beyond-reverse-kl"


@pytest.mark.neo4j
def test_query_cli_errors(neo4j_counts, neo4j_store, sample_graph, tmp_path):
    neo4j_store.save(sample_graph)
    counts = neo4j_counts()

    missing = invoke("query", "MATCH (n:Entity {name: $who}) RETURN n")
    assert missing.exit_code == 1 and "who" in error_line(missing)
    syntax = invoke("query", "MATCH (n RETURN n")
    assert syntax.exit_code == 1 and error_line(syntax).startswith("error: Cypher error")
    writing = invoke("query", "MATCH (n) DETACH DELETE n")
    assert writing.exit_code == 1 and "--write" in error_line(writing)
    assert neo4j_counts() == counts
    no_file = invoke("query", str(tmp_path / "nothing.cypher"))
    assert no_file.exit_code == 1 and "no such file" in error_line(no_file)
    bad_param = invoke("query", "RETURN 1", "--param", "novalue")
    assert bad_param.exit_code == 1 and "name=value" in error_line(bad_param)

    wrote = invoke("query", "CREATE (n:Scratch) RETURN count(n) AS made", "--write", "--json")
    assert json.loads(wrote.stdout) == [{"made": 1}]


# --- alignkg query: read-only means read-only ------------------------------------------------

REFUSED = [
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "SHOW TRANSACTIONS YIELD transactionId AS id TERMINATE TRANSACTIONS id",
    "LOAD CSV FROM 'http://127.0.0.1:7474/' AS line RETURN line",
    "load csv from 'file:///etc/passwd' as line return line",
    "CREATE (n:Scratch) RETURN n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:Entity) SET n.name = 'x'",
    "MATCH (n:Entity) REMOVE n:Method",
    "MERGE (n:Scratch {id: 1})",
    "MATCH (n) FOREACH (x IN [1] | SET n.x = x)",
    "MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10 ROWS",
    "UNWIND [1] AS x CALL (x) { RETURN x AS y } IN TRANSACTIONS RETURN y",
    "CREATE INDEX scratch IF NOT EXISTS FOR (n:Scratch) ON (n.x)",
    "DROP INDEX entity_names",
    "DROP CONSTRAINT paper_id",
    "CALL db.createLabel('Scratch')",
    "CALL db.clearQueryCaches()",
    "CALL dbms.setConfigValue('db.logs.query.enabled', 'OFF')",
    "CALL apoc.create.node(['Scratch'], {})",
    "RETURN apoc.cypher.runFirstColumnSingle('CREATE (n) RETURN n', {}) AS n",
    "USE system SHOW USERS",
    "ALTER USER neo4j SET PASSWORD 'changed-it'",
    "CREATE USER eve SET PASSWORD 'password1'",
    "STOP DATABASE neo4j",
    "CREATE DATABASE other",
    "// a comment first\nMATCH (n) WITH n LIMIT 1 DETACH DELETE n",
    "EXPLAIN MATCH (n) DETACH DELETE n",
]
ALLOWED = [
    "MATCH (n:Entity {name: 'CREATE'}) RETURN n.name AS set",
    "MATCH (n:`DELETE`) RETURN n // DETACH DELETE n",
    "RETURN 'LOAD CSV FROM x' AS text, \"TERMINATE\" AS other",
    "MATCH (n) RETURN n {.name, set: 1} LIMIT 1",
    "MATCH (n:Entity) WHERE n.name STARTS WITH 'D' RETURN count(n)",
    "CALL { MATCH (n:Entity) RETURN n } RETURN count(n)",
    "SHOW INDEXES",
    "SHOW CONSTRAINTS YIELD name RETURN name",
    "SHOW TRANSACTIONS",
    "SHOW PROCEDURES YIELD name RETURN name LIMIT 1",
    "SHOW DATABASES",
    "CALL dbms.components()",
    "CALL db.labels()",
    "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType",
    "CALL db.schema.visualization()",
    "CALL db.index.fulltext.queryNodes('entity_names', 'dpo') YIELD node RETURN node.name",
    "RETURN apoc.text.join(['a', 'b'], ',') AS joined",
]


@pytest.mark.parametrize("statement", REFUSED)
def test_read_only_rule_refuses_what_can_write_or_act(statement):
    assert why_not_read_only(statement) is not None


@pytest.mark.parametrize("statement", ALLOWED)
def test_read_only_rule_allows_reads(statement):
    assert why_not_read_only(statement) is None


def test_parameters_are_read_from_the_statement_only():
    text = "MATCH (n {name: $who}) WHERE n.x = $`odd name` RETURN '$not' AS s // $nope"
    assert parameters(text) == {"who", "odd name"}


@pytest.mark.neo4j
def test_query_without_write_refuses_and_changes_nothing(neo4j_counts, neo4j_store, sample_graph):
    neo4j_store.save(sample_graph)
    counts = neo4j_counts()
    for statement in REFUSED:
        result = invoke("query", statement)
        assert result.exit_code == 1, (statement, result.output)
        assert "--write" in error_line(result), statement
    assert neo4j_counts() == counts
    indexes, _, _ = neo4j_store.driver.execute_query("SHOW INDEXES YIELD name")
    assert "entity_names" in {r["name"] for r in indexes}


@pytest.mark.neo4j
def test_harmless_admin_reads_run(neo4j_store, sample_graph):
    neo4j_store.save(sample_graph)
    for statement in ALLOWED:
        if "apoc." in statement:
            continue  # no APOC on the test server
        result = invoke("query", statement, "--json")
        assert result.exit_code == 0, (statement, result.output)
    components = json.loads(invoke("query", "CALL dbms.components()", "--json").stdout)
    assert components[0]["name"] == "Neo4j Kernel"


@pytest.mark.neo4j
def test_read_queries_run_in_a_read_transaction(neo4j_counts, neo4j_store, sample_graph):
    """The second fence: a write the rule missed is refused by the server itself."""
    neo4j_store.save(sample_graph)
    counts = neo4j_counts()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(neo4j_module, "why_not_read_only", lambda text: None)
        with pytest.raises(QueryError, match="would change the database; add --write"):
            neo4j_store.run("CREATE (n:Scratch) RETURN n")
        with pytest.raises(QueryError, match="would change the database"):
            neo4j_store.run("CALL db.createLabel('Scratch')")
    assert neo4j_counts() == counts


@pytest.mark.neo4j
def test_terminate_without_write_leaves_other_transactions_alone(neo4j_store, sample_graph):
    neo4j_store.save(sample_graph)
    with neo4j_store.session() as session, session.begin_transaction() as tx:
        tx.run("MATCH (n:Entity {id: 'method/dpo'}) SET n.touched = true").consume()
        records, _, _ = neo4j_store.driver.execute_query(
            "SHOW TRANSACTIONS YIELD transactionId, currentQuery "
            "WHERE currentQuery = '' OR currentQuery IS NULL OR currentQuery STARTS WITH 'MATCH' "
            "RETURN transactionId"
        )
        ids = [r["transactionId"] for r in records]
        assert ids
        result = invoke("query", f"TERMINATE TRANSACTIONS {json.dumps(ids)}")
        assert result.exit_code == 1, result.output
        tx.run("RETURN 1").consume()  # still alive
        tx.rollback()


# --- alignkg query: names, listing, parameters, one-line errors ---------------------------------


def test_misspelt_query_name_suggests_the_closest():
    result = invoke("query", "dpo-familly", env={"NEO4J_URI": "bolt://127.0.0.1:1"})
    assert result.exit_code == 1, result.output
    line = error_line(result)
    assert "no bundled query named 'dpo-familly'" in line and "dpo-family" in line
    assert "--list" in line


def test_query_list_says_what_each_answers_and_its_parameters():
    text = invoke("query", "--list")
    assert text.exit_code == 0, text.output
    for path in QUERY_FILES:
        assert path.stem in text.stdout
    assert '$name (default "DPO")' in text.stdout
    listed = json.loads(invoke("query", "--list", "--json").stdout)
    family = next(q for q in listed if q["name"] == "dpo-family")
    assert family["parameters"] == {"name": "DPO"}
    assert family["answers"].startswith("The family of a method")


@pytest.mark.parametrize("value", ["99999999999999999999999", "[1, -99999999999999999999999]"])
def test_too_big_integer_parameter_is_a_one_line_error(value):
    result = invoke("query", "RETURN $a", "--param", f"a={value}")
    assert result.exit_code == 1, result.output
    assert "64-bit" in error_line(result)


@pytest.mark.neo4j
def test_missing_parameter_is_one_line_without_driver_noise(neo4j_server):
    result = invoke("query", "MATCH (n:Entity {name: $who}) RETURN n")
    assert result.exit_code == 1, result.output
    assert "--param who=" in error_line(result)
    # the server's own warning (an unknown label in a query) stays out of the terminal
    quiet = invoke("query", "MATCH (n:NoSuchLabel) RETURN n")
    assert quiet.exit_code == 0 and "notification" not in quiet.stderr.lower()


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("http://127.0.0.1:7474", "is not a Bolt URI"),
        ("bolt://[::1", "Invalid IPv6 URL"),
        ("bolt://neo4j:s3cret-pw@127.0.0.1:7687", "holds credentials"),
        ("neo4j+s://neo4j:s3cret-pw@[::1", "holds credentials"),
        ("bolt://127.0.0.1:port", "bad Neo4j settings"),
    ],
)
def test_unusable_neo4j_uri_is_a_one_line_error(uri, message):
    for command in (["stats", "--backend", "neo4j"], ["query", "RETURN 1"], ["load"]):
        result = invoke(*command, env={"NEO4J_URI": uri, "NEO4J_PASSWORD": "s3cret-pw"})
        assert result.exit_code == 2, (command, result.output)
        line = error_line(result)
        assert message in line, line
        assert "s3cret" not in result.output
