"""One contract, two stores: every test here runs against the embedded store and against
Neo4j (a real server, see neo4j_fixtures.py), on the sample graph of conftest.py.

Each test states the answer the contract requires and checks the store against the
embedded reference too, so the two cannot drift apart in order or tie-breaking.
"""

from __future__ import annotations

import pytest

from alignkg.records import PAPER_LABEL, Node
from alignkg.serialize import graph_to_dict
from alignkg.store.embedded import EmbeddedStore

pytest_plugins = ["neo4j_fixtures"]

INJECTION = "DPO'}) DETACH DELETE n //"


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request, tmp_path, sample_graph):
    if request.param == "embedded":
        store = EmbeddedStore(tmp_path / "store")
    else:
        store = request.getfixturevalue("neo4j_store")
    store.save(sample_graph)
    return store


@pytest.fixture
def reference(embedded_store) -> EmbeddedStore:
    return embedded_store


# --- resolve and suggest ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("DPO", "method/dpo"),
        ("dpo", "method/dpo"),
        ("direct preference optimization", "method/dpo"),
        ("Direct-Preference  Optimization!", "method/dpo"),
        ("F-DPO", "method/f-dpo"),
        ("llama 65B", "model/llama-65b"),
        ("Stanford NLP", "organization/stanford-nlp"),
        ("MT Bench", "dataset/mt-bench"),
        ("Direct Preference Optimization (the paper)", None),
        ("", None),
        (INJECTION, None),
    ],
)
def test_resolve(store, reference, name, expected):
    found = store.resolve(name)
    assert (found.id if found else None) == expected
    assert found == reference.resolve(name)


def test_resolve_returns_the_whole_entity(store, sample_graph):
    assert store.resolve("direct preference optimization") == sample_graph.entities["method/dpo"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("DPX", ["DPO"]),
        ("f-DP", ["f-DPO"]),
        ("Dromedery", ["Dromedary"]),
        ("llama", ["LLaMA-65b"]),
        ("zzz", []),
        (INJECTION, []),
    ],
)
def test_suggest(store, reference, name, expected):
    assert store.suggest(name) == expected == reference.suggest(name)
    assert store.suggest(name, limit=1) == expected[:1] == reference.suggest(name, limit=1)


def test_suggest_finds_close_names(store):
    assert store.suggest("DPX")[0] == "DPO"
    assert "Dromedary" in store.suggest("Dromedery")
    assert store.suggest("zzz") == []


# --- neighbourhoods --------------------------------------------------------------------------


def test_neighborhood_depth_1(store, reference, sample_graph):
    sub = store.neighborhood("method/dpo", depth=1)
    assert sub.focus == sample_graph.entities["method/dpo"]
    # The focus first, then its neighbours in id order.
    assert [n.id for n in sub.nodes] == [
        "method/dpo",
        "method/f-dpo",
        "method/ppo",
        "paper/2305.18290",
        "paper/dromedary",
    ]
    assert sub.nodes[0] == Node("method/dpo", "DPO", "Method", ("Direct Preference Optimization",))
    assert sub.nodes[3] == Node("paper/2305.18290", "Direct Preference Optimization", PAPER_LABEL)
    # Every relation among those nodes, in key order, with its evidence.
    assert [r.key for r in sub.relations] == [
        ("method/dpo", "OUTPERFORMS", "method/ppo"),
        ("method/f-dpo", "EXTENDS", "method/dpo"),
        ("method/f-dpo", "OUTPERFORMS", "method/ppo"),
        ("paper/2305.18290", "PROPOSES", "method/dpo"),
        ("paper/2305.18290", "USES", "method/ppo"),
        ("paper/dromedary", "USES", "method/dpo"),
    ]
    assert sub.relations == tuple(sample_graph.relations[r.key] for r in sub.relations)
    assert not sub.truncated
    assert sub == reference.neighborhood("method/dpo", depth=1)


def test_neighborhood_depth_2(store, reference, sample_graph):
    sub = store.neighborhood("method/dpo", depth=2)
    # Breadth first: the depth-1 nodes, then theirs, each frontier node's in id order.
    assert [n.id for n in sub.nodes] == [
        "method/dpo",
        "method/f-dpo",
        "method/ppo",
        "paper/2305.18290",
        "paper/dromedary",
        "paper/beyond-reverse-kl",
        "organization/stanford-nlp",
        "model/dromedary",
    ]
    assert len(sub.relations) == 9  # all but the three reaching beyond the 8 nodes
    assert sub == reference.neighborhood("method/dpo", depth=2)


@pytest.mark.parametrize("node_cap", [1, 3, 6])
def test_neighborhood_cap_keeps_the_nearest(store, reference, node_cap):
    sub = store.neighborhood("method/dpo", depth=2, node_cap=node_cap)
    assert len(sub.nodes) == node_cap
    assert sub.truncated
    assert sub == reference.neighborhood("method/dpo", depth=2, node_cap=node_cap)


# Every entity's neighbourhood at depths 1, 2 and 3: the nodes each hop adds, in order.
HOPS = {
    "dataset/mt-bench": [
        ["paper/beyond-reverse-kl"],
        ["method/f-dpo"],
        ["method/dpo", "method/ppo"],
    ],
    "method/dpo": [
        ["method/f-dpo", "method/ppo", "paper/2305.18290", "paper/dromedary"],
        ["paper/beyond-reverse-kl", "organization/stanford-nlp", "model/dromedary"],
        ["dataset/mt-bench", "method/self-align", "model/llama-65b"],
    ],
    "method/f-dpo": [
        ["method/dpo", "method/ppo", "paper/beyond-reverse-kl"],
        ["paper/2305.18290", "paper/dromedary", "dataset/mt-bench"],
        ["organization/stanford-nlp", "model/dromedary"],
    ],
    "method/ppo": [
        ["method/dpo", "method/f-dpo", "paper/2305.18290"],
        ["paper/dromedary", "paper/beyond-reverse-kl", "organization/stanford-nlp"],
        ["model/dromedary", "dataset/mt-bench"],
    ],
    "method/self-align": [
        ["model/dromedary"],
        ["model/llama-65b", "paper/dromedary"],
        ["method/dpo"],
    ],
    "model/dromedary": [
        ["method/self-align", "model/llama-65b", "paper/dromedary"],
        ["method/dpo"],
        ["method/f-dpo", "method/ppo", "paper/2305.18290"],
    ],
    "model/llama-65b": [
        ["model/dromedary"],
        ["method/self-align", "paper/dromedary"],
        ["method/dpo"],
    ],
    "organization/stanford-nlp": [
        ["paper/2305.18290"],
        ["method/dpo", "method/ppo"],
        ["method/f-dpo", "paper/dromedary"],
    ],
}


@pytest.mark.parametrize("entity_id", sorted(HOPS))
def test_neighborhood_of_every_entity_at_every_depth(store, sample_graph, entity_id):
    assert set(HOPS) == set(sample_graph.entities)
    for depth in (1, 2, 3):
        sub = store.neighborhood(entity_id, depth)
        expected = [entity_id] + [n for hop in HOPS[entity_id][:depth] for n in hop]
        assert [n.id for n in sub.nodes] == expected, depth
        inside = set(expected)
        among = sorted(k for k in sample_graph.relations if {k[0], k[2]} <= inside)
        assert [r.key for r in sub.relations] == among, depth
        assert sub.focus == sample_graph.entities[entity_id] and not sub.truncated


# --- detail, search, stats ---------------------------------------------------------------------


def test_detail(store, reference, sample_graph):
    detail = store.detail("method/dpo")
    assert detail.entity == sample_graph.entities["method/dpo"]
    assert [p.id for p in detail.papers] == ["2305.18290", "beyond-reverse-kl", "dromedary"]
    assert detail.papers[0] == sample_graph.papers["paper/2305.18290"]
    assert [r.key for r in detail.relations] == [
        ("method/dpo", "OUTPERFORMS", "method/ppo"),
        ("method/f-dpo", "EXTENDS", "method/dpo"),
        ("paper/2305.18290", "PROPOSES", "method/dpo"),
        ("paper/dromedary", "USES", "method/dpo"),
    ]
    assert detail.entity == reference.detail("method/dpo").entity
    assert detail.papers == reference.detail("method/dpo").papers
    assert detail.relations == reference.detail("method/dpo").relations


def test_detail_neighbours_are_the_other_ends(store, sample_graph):
    for entity_id in sample_graph.entities:
        detail = store.detail(entity_id)
        ends = {r.head for r in detail.relations} | {r.tail for r in detail.relations}
        assert [n.id for n in detail.neighbours] == sorted(ends - {entity_id}), entity_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dpo", ["DPO", "f-DPO"]),  # the exact name first
        ("DPO", ["DPO", "f-DPO"]),
        ("PREFERENCE", ["DPO"]),  # through an alias
        ("llama", ["LLaMA-65b"]),
        ("-", ["f-DPO", "LLaMA-65b", "MT-Bench", "SELF-ALIGN"]),
        ("nothing like it", []),
        (INJECTION, []),
    ],
)
def test_search(store, reference, text, expected):
    hits = store.search(text)
    assert [e.name for e in hits] == expected
    assert hits == reference.search(text)


def test_search_limit_and_empty_text(store, reference, sample_graph):
    assert len(store.search("")) == len(sample_graph.entities)
    assert store.search("") == reference.search("")
    assert store.search("", limit=3) == reference.search("", limit=3)


def test_stats(store, reference):
    stats = store.stats()
    assert stats.papers == 3
    assert stats.entities_by_type == {"Dataset": 1, "Method": 4, "Model": 2, "Organization": 1}
    assert stats.relations_by_type == {
        "AFFILIATED_WITH": 1,
        "BASED_ON": 1,
        "EVALUATES_ON": 1,
        "EXTENDS": 1,
        "OUTPERFORMS": 2,
        "PROPOSES": 3,
        "TRAINED_WITH": 1,
        "USES": 2,
    }
    assert stats == reference.stats()


# --- the whole graph ---------------------------------------------------------------------------


def test_load_graph_round_trip(store, sample_graph):
    graph = store.load_graph()
    assert graph == sample_graph
    # Same order too: exports and pages built from either store are byte-identical.
    assert graph_to_dict(graph) == graph_to_dict(sample_graph)
    assert list(graph.entities) == list(sample_graph.entities)


def test_save_replaces_the_graph(store, sample_graph):
    smaller = store.load_graph()
    del smaller.entities["organization/stanford-nlp"]
    del smaller.relations[("paper/2305.18290", "AFFILIATED_WITH", "organization/stanford-nlp")]
    store.save(smaller)
    assert store.load_graph() == smaller
    assert store.resolve("Stanford NLP") is None
    assert "Organization" not in store.stats().entities_by_type


def test_is_empty(store):
    assert not store.is_empty()
