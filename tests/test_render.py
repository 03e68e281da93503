"""The neighbourhood page: offline, escaped, deterministic, complete (no browser needed).

tests/test_render_browser.py loads the same pages in headless Chromium.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace

import pytest

from alignkg.records import (
    PAPER_LABEL,
    Entity,
    EntityType,
    Evidence,
    KnowledgeGraph,
    Node,
    Paper,
    Relation,
    RelationType,
    Subgraph,
    paper_node_id,
)
from alignkg.render import KIND_STYLES, render_page
from alignkg.render.layout import LEAF_GAP
from alignkg.render.pyvis_page import FOCUS_SIZE, _sector_box, script_json
from alignkg.store.embedded import EmbeddedStore

PAYLOADS = (
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "<img src=x onerror=alert(1)>",
)
"""Titles that would run script if a page ever treated them as markup."""

_DATA = re.compile(r"^  var DATA = (\{.*\});$", re.M)
_REMOTE = re.compile(
    r"""(?:\b(?:src|href|action|poster)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?)"""
    r"\s*(?:https?:)?//",
    re.I,
)
"""A URL the page would fetch: an attribute, a CSS url() or @import, absolute or //host."""


def page_data(html: str) -> dict:
    """The nodes, edges and options the page hands to vis-network."""
    match = _DATA.search(html)
    assert match, "no graph data in the page"
    return json.loads(match.group(1))


def _evidence(paper_id: str, sentence: str) -> tuple[Evidence, ...]:
    return (Evidence(paper_id, sentence, 0, len(sentence), "synthetic", 0.8),)


def large_subgraph(n_papers: int = 60, n_entities: int = 180) -> Subgraph:
    """A 241-node neighbourhood of every node kind, built directly."""
    types = list(EntityType)
    focus = Entity("method/focus", "Focus Method", EntityType.METHOD, aliases=("FM",))
    entities = [
        Node(
            f"{types[i % len(types)].value.lower()}/e{i:03d}",
            f"Entity {i}",
            types[i % len(types)].value,
            aliases=(f"E{i}",) if i % 3 == 0 else (),
        )
        for i in range(n_entities)
    ]
    papers = [
        Node(
            paper_node_id(f"p{j:03d}"),
            f"Paper {j}: on preference optimisation, part {j}",
            PAPER_LABEL,
        )
        for j in range(n_papers)
    ]
    relations: dict[tuple[str, str, str], Relation] = {}

    def add(head: str, type_: str, tail: str, paper: int) -> None:
        rel = Relation(
            head,
            RelationType(type_),
            tail,
            _evidence(f"p{paper:03d}", f"Sentence {paper}: {head} {type_} {tail}."),
        )
        relations[rel.key] = rel

    for j, paper in enumerate(papers):
        add(paper.id, "PROPOSES", entities[(3 * j) % n_entities].id, j)
        add(paper.id, "USES", entities[(3 * j + 1) % n_entities].id, j)
        add(paper.id, "USES", entities[(3 * j + 2) % n_entities].id, j)
        add(paper.id, "USES", focus.id, j)
    for i, entity in enumerate(entities):
        if i % 10 == 0:
            add(entity.id, "EXTENDS", focus.id, i % n_papers)
        if i % 7 == 0:
            add(entity.id, "OUTPERFORMS", entities[(i + 1) % n_entities].id, i % n_papers)
    nodes = (Node(focus.id, focus.name, focus.type.value, focus.aliases), *entities, *papers)
    return Subgraph(focus, 2, nodes, tuple(relations.values()))


def add_hostile_papers(graph: KnowledgeGraph) -> KnowledgeGraph:
    """Papers titled with PAYLOADS, each using DPO, plus an entity named with a payload."""
    dpo = "method/dpo"
    for i, title in enumerate(PAYLOADS):
        sentence = f"We use DPO. {title} \u2028 next line"
        paper = Paper(id=f"hostile-{i}", title=title, abstract=sentence)
        node = paper_node_id(paper.id)
        graph.papers[node] = paper
        graph.relations[(node, "USES", dpo)] = Relation(
            node, RelationType.USES, dpo, _evidence(paper.id, sentence)
        )
    bad = Entity(
        "method/bad",
        PAYLOADS[1],
        EntityType.METHOD,
        aliases=(PAYLOADS[0],),
        papers=("paper/hostile-0",),
    )
    graph.entities[bad.id] = bad
    graph.relations[(bad.id, "EXTENDS", dpo)] = Relation(
        bad.id, RelationType.EXTENDS, dpo, _evidence("hostile-0", "It extends DPO.")
    )
    return graph


@pytest.fixture
def hostile_store(tmp_path, sample_graph) -> EmbeddedStore:
    store = EmbeddedStore(tmp_path / "hostile")
    store.save(add_hostile_papers(sample_graph))
    return store


def dpo_page(store: EmbeddedStore, depth: int = 1, node_cap: int = 250) -> tuple[Subgraph, str]:
    from alignkg.cli.common import supporting_papers

    sub = store.neighborhood(store.resolve("DPO").id, depth=depth, node_cap=node_cap)
    return sub, render_page(sub, supporting_papers(store, sub))


# --- offline --------------------------------------------------------------------------


def test_page_loads_nothing_from_the_network(embedded_store):
    _, html = dpo_page(embedded_store, depth=2)
    assert not _REMOTE.search(html)
    assert not re.search(r"<script[^>]*\ssrc\s*=", html, re.I)
    assert not re.search(r"<link[^>]*stylesheet", html, re.I)
    assert "bootstrap" not in html.casefold()
    assert "vis-network" in html and "@version 9" in html  # vis-network is inlined
    assert '<link rel="icon" href="data:,">' in html  # no favicon request either


def test_remote_pattern_catches_cdn_links():
    for link in (
        '<script src="https://cdn.example/x.js">',
        "<link href='//cdn/x.css'>",
        "background: url(http://x/y.png)",
        '@import "https://x/y.css"',
    ):
        assert _REMOTE.search(link), link


# --- escaping -------------------------------------------------------------------------


def test_hostile_text_never_appears_as_markup(hostile_store):
    sub, html = dpo_page(hostile_store, depth=2)
    assert {"paper/hostile-0", "paper/hostile-1", "method/bad"} <= {n.id for n in sub.nodes}
    for payload in (*PAYLOADS, "<script>alert(1)</script>", "<b>MT-Bench</b>"):
        assert payload not in html
    assert html.count("</script>") == 2  # only vis-network's and ours close
    assert "\u2028" not in html and "\u2029" not in html
    # ... but the text itself survives, to be shown as text.
    data = page_data(html)
    labels = {n["id"]: n["tip"]["title"] for n in data["nodes"]}
    assert labels["paper/hostile-1"] == PAYLOADS[1]
    assert labels["paper/dromedary"] == "Self-Alignment <script>alert(1)</script>"


def test_script_json_cannot_close_the_script():
    text = script_json({"a": "</script><!-- \u2028\u2029 & <b>"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"a": "</script><!-- \u2028\u2029 & <b>"}


def test_template_text_is_escaped(hostile_store):
    bad = hostile_store.resolve(PAYLOADS[1])
    sub = hostile_store.neighborhood(bad.id)
    html = render_page(replace(sub, truncated=True))
    title = re.search(r"<title>(.*)</title>", html).group(1)
    assert title.startswith("&lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt;")
    assert "<h1>&lt;img src=x" in html
    assert "<span>&lt;img src=x" in html  # the legend's focus entry
    assert PAYLOADS[1] not in html


# --- content --------------------------------------------------------------------------


def test_counts_styles_and_focus(embedded_store):
    sub, html = dpo_page(embedded_store, depth=2)
    data = page_data(html)
    assert [n["id"] for n in data["nodes"]] == sorted(n.id for n in sub.nodes)  # DPO sorts 1st
    assert [e["id"] for e in data["edges"]] == sorted("|".join(r.key) for r in sub.relations)
    focus = data["nodes"][0]
    assert focus["id"] == "method/dpo" and focus["size"] == FOCUS_SIZE
    assert focus["borderWidth"] > 1
    for node in data["nodes"]:
        style = KIND_STYLES[node["kind"]]
        assert node["shape"] == style.shape and node["color"]["background"] == style.color
    assert len({s.shape for s in KIND_STYLES.values()}) == len(KIND_STYLES)
    # Each edge carries its relation; on a small page it is written on the edge where it fits.
    assert {e["relation"] for e in data["edges"]} == {r.type.value for r in sub.relations}
    labelled = [e for e in data["edges"] if "label" in e]
    assert len(labelled) > len(data["edges"]) / 2
    assert all(e["label"] == e["relation"] for e in labelled)
    assert f"{len(sub.nodes)} nodes, {len(sub.relations)} relations" in html


def test_legend_lists_the_kinds_and_relations_present(embedded_store):
    sub, html = dpo_page(embedded_store, depth=2)
    legend = re.search(r'<aside id="legend".*?</aside>', html, re.S).group(0)
    kinds = set(re.findall(r'data-kind="([^"]+)"', legend))
    assert kinds == {n.kind for n in sub.nodes}
    relations = set(re.findall(r'data-relation="([^"]+)"', legend))
    assert relations == {r.type.value for r in sub.relations}
    assert "DPO (focus)" in legend


def test_tooltips_hold_aliases_evidence_and_paper_titles(embedded_store, sample_graph):
    # Without its paper nodes, no title is in the subgraph: they all come from the store.
    sub = embedded_store.neighborhood("method/dpo")
    papers = {n.id for n in sub.nodes if n.kind == PAPER_LABEL}
    sub = replace(
        sub,
        nodes=tuple(n for n in sub.nodes if n.id not in papers),
        relations=tuple(r for r in sub.relations if not {r.head, r.tail} & papers),
    )
    from alignkg.cli.render import supporting_paper_titles

    titles = supporting_paper_titles(embedded_store, sub)
    cited = {e.paper_id for r in sub.relations for e in r.evidence}
    assert "beyond-reverse-kl" in cited
    assert {p: titles.get(p) for p in cited} == {
        p: sample_graph.papers[paper_node_id(p)].title for p in cited
    }
    data = page_data(render_page(sub, titles))
    edge = next(e for e in data["edges"] if e["id"] == "method/f-dpo|OUTPERFORMS|method/ppo")
    items = edge["tip"]["sections"][0]["items"]
    assert items[0]["text"] == "f-DPO beats PPO on <b>MT-Bench</b>."
    assert "Beyond Reverse KL [beyond-reverse-kl]" in items[0]["note"]
    dpo = next(n for n in data["nodes"] if n["id"] == "method/dpo")
    aliases = next(s for s in dpo["tip"]["sections"] if s["heading"] == "Also called")
    assert [i["text"] for i in aliases["items"]] == ["Direct Preference Optimization"]


def test_edge_tooltips_name_every_paper_past_the_evidence_shown():
    sub = large_subgraph()
    rel = sub.relations[0]
    many = tuple(
        Evidence(f"p{j:03d}", f"Sentence {j}.", 0, 11, "synthetic", 0.5) for j in range(12)
    )
    sub = replace(sub, relations=(replace(rel, evidence=many), *sub.relations[1:]))
    edge = next(e for e in page_data(render_page(sub))["edges"] if e["id"] == "|".join(rel.key))
    evidence, papers = edge["tip"]["sections"]
    assert len(evidence["items"]) == 6 and evidence["items"][-1]["note"] == "(+7 more sentences)"
    assert papers["heading"] == "Supporting papers"
    assert papers["items"][0]["text"].startswith("Paper 0:")
    assert papers["items"][-1]["note"] == "(+4 more papers)"


def test_parallel_edges_do_not_overlap():
    focus = Entity("method/a", "A", EntityType.METHOD)
    b = Node("method/b", "B", "Method")
    rels = tuple(
        Relation("method/a", t, "method/b", _evidence("p", "A and B."))
        for t in (RelationType.USES, RelationType.OUTPERFORMS, RelationType.EXTENDS)
    )
    sub = Subgraph(focus, 1, (Node("method/a", "A", "Method"), b), rels)
    smooth = [e.get("smooth") for e in page_data(render_page(sub))["edges"]]
    assert smooth[0] is None
    assert smooth[1]["roundness"] != smooth[2]["roundness"]


def test_large_neighbourhood_is_laid_out_in_python():
    sub = large_subgraph()
    assert len(sub.nodes) == 241
    data = page_data(render_page(sub))
    assert len(data["nodes"]) == 241 and len(data["edges"]) == len(sub.relations)
    assert data["options"]["physics"] == {"enabled": False}
    assert data["options"]["layout"]["improvedLayout"] is False
    points = {n["id"]: (n["x"], n["y"]) for n in data["nodes"]}
    assert points[sub.focus.id] == (0, 0)
    # No two nodes share a place: at least two leaves' spacing apart (rounding aside).
    xs = sorted(points.values())
    closest = min(
        math.dist(a, b) for i, a in enumerate(xs) for b in xs[i + 1 :] if abs(a[0] - b[0]) < 200
    )
    assert closest >= 0.95 * LEAF_GAP
    # The sectors' names (narrow sectors side by side) do not meet.
    boxes = [_sector_box(sector) for sector in data["sectors"]]
    assert len(boxes) == 2  # EXTENDS and USES the focus
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
    # Large pages are coloured by relation, not labelled.
    assert all("label" not in e and e["color"]["color"].startswith("#") for e in data["edges"])


def test_layout_separates_the_focus_relation_groups(embedded_store):
    sub, html = dpo_page(embedded_store, depth=2)
    points = {n["id"]: (n["x"], n["y"]) for n in page_data(html)["nodes"]}
    group = {}
    for rel in sorted(sub.relations, key=lambda r: r.key):
        if sub.focus.id in (rel.head, rel.tail):
            other = rel.tail if rel.head == sub.focus.id else rel.head
            group.setdefault(other, (rel.type.value, rel.head == sub.focus.id))
    # Around the focus, each group's nodes come one after another: walking the first ring
    # by angle, the group changes once per group (plus once to close the circle).
    first = sorted(group, key=lambda n: math.atan2(points[n][1], points[n][0]))
    labels = [group[n] for n in first]
    changes = sum(1 for a, b in zip(labels, labels[1:] + labels[:1], strict=True) if a != b)
    assert changes == len(set(labels)) > 1
    # The first ring is a circle around the focus; the second further out.
    radii = {round(math.dist((0, 0), points[n])) for n in first}
    assert len(radii) == 1
    second = [n for n in points if n not in group and n != sub.focus.id]
    assert second and min(math.dist((0, 0), points[n]) for n in second) > max(radii)


def test_paper_nodes_show_first_words_and_year(embedded_store):
    _, html = dpo_page(embedded_store)
    paper = next(n for n in page_data(html)["nodes"] if n["id"] == "paper/2305.18290")
    assert paper["label"] == "Direct Preference Optimization (2023)"
    assert paper["tip"]["title"] == "Direct Preference Optimization"


def test_truncation_note(embedded_store):
    sub, html = dpo_page(embedded_store, depth=2, node_cap=3)
    assert sub.truncated and len(page_data(html)["nodes"]) == 3
    assert 'id="truncation-note"' in html and "Cut at 3 nodes" in html
    _, full = dpo_page(embedded_store, depth=2)
    assert 'id="truncation-note"' not in full


def test_same_graph_same_bytes(embedded_store):
    sub, html = dpo_page(embedded_store, depth=2)
    assert dpo_page(embedded_store, depth=2)[1] == html
    # Another store may list nodes and relations in another order: same page.
    shuffled = replace(sub, nodes=sub.nodes[::-1], relations=sub.relations[::-1])
    from alignkg.cli.common import supporting_papers

    assert render_page(shuffled, supporting_papers(embedded_store, sub)) == html


# --- command line ---------------------------------------------------------------------


@pytest.fixture
def cli(embedded_store):
    from typer.testing import CliRunner

    from alignkg.cli import app

    runner = CliRunner()
    data_dir = str(embedded_store.path.parent)

    def run(*args: str):
        return runner.invoke(app, [*args, "--data-dir", data_dir])

    return run


def test_render_command(cli, embedded_store, tmp_path):
    out = tmp_path / "dpo.html"
    result = cli("render", "direct preference optimization", "--depth", "2", "-o", str(out))
    assert result.exit_code == 0, result.output
    sub = embedded_store.neighborhood("method/dpo", depth=2)
    assert f"Wrote {out}: {len(sub.nodes)} nodes, {len(sub.relations)} relations." in result.output
    assert len(page_data(out.read_text(encoding="utf-8"))["nodes"]) == len(sub.nodes)


def test_render_command_max_nodes(cli, tmp_path):
    out = tmp_path / "dpo.html"
    result = cli("render", "DPO", "-d", "2", "--max-nodes", "4", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "cut at 4 nodes" in result.output
    assert 'id="truncation-note"' in out.read_text(encoding="utf-8")


def test_render_command_default_file_name(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli("render", "f-dpo").exit_code == 0
    assert (tmp_path / "f-dpo.html").exists()


def test_render_command_unknown_entity(cli, tmp_path):
    result = cli("render", "DPOO", "-o", str(tmp_path / "x.html"))
    assert result.exit_code == 1
    assert "no entity named 'DPOO'" in result.output and "DPO" in result.output
    assert not (tmp_path / "x.html").exists()


def test_render_command_unwritable_output(cli, tmp_path):
    result = cli("render", "DPO", "-o", str(tmp_path / "missing" / "dir" / "x.html"))
    assert result.exit_code == 0  # parents are created
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = cli("render", "DPO", "-o", str(blocker / "x.html"))
    assert result.exit_code == 1 and "cannot write" in result.output
    assert "Traceback" not in result.output


def test_neighborhood_html_option(cli, tmp_path):
    out = tmp_path / "n.html"
    result = cli("neighborhood", "DPO", "--html", str(out))
    assert result.exit_code == 0, result.output
    assert "OUTPERFORMS ->" in result.output  # the text answer is still printed
    sub_nodes = page_data(out.read_text(encoding="utf-8"))["nodes"]
    assert sub_nodes[0]["id"] == "method/dpo"
