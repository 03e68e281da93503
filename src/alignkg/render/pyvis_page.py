"""A neighbourhood as one self-contained, interactive HTML page (pyvis + vis-network).

pyvis builds the node and edge lists; the page is our own small template, because
pyvis's template links Bootstrap (and vis-network) from CDNs even with
`cdn_resources="in_line"`.
Here vis-network's JS (shipped inside the pyvis package) is inlined, with the little CSS
the page uses (vis-network's stylesheet is mostly icons for controls the page turns off),
so the page opens from a file with the network off and loads nothing.

Escaping, in three layers:
- the template autoescapes everything it prints (title, heading, legend, notes);
- the graph data is JSON inside a <script>, with `<`, `>`, `&`, U+2028 and U+2029
  written as \\uXXXX escapes, so no text can end the script or open a tag;
- tooltips are built in the browser as DOM elements with `textContent`, never from
  HTML strings, so a title like `<img src=x onerror=...>` shows as text.

The same subgraph gives byte-identical HTML: nodes and relations are sorted, keys are
sorted, and the layout's random seed is fixed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment
from markupsafe import Markup
from pyvis.network import Network

from alignkg.errors import AlignkgError
from alignkg.records import (
    PAPER_LABEL,
    EntityType,
    Evidence,
    Node,
    Paper,
    Relation,
    Subgraph,
    paper_node_id,
)

PAPER_PREFIX = paper_node_id("")
LAYOUT_SEED = 7
MAX_LABEL = 48  # longer labels (paper titles) are shortened on the canvas, full in tooltips
MAX_EVIDENCE = 5  # evidence sentences shown per edge tooltip
MAX_PAPERS = 8  # supporting paper titles shown per edge tooltip


@dataclass(frozen=True, slots=True)
class KindStyle:
    color: str
    shape: str  # a vis-network shape with the label below it, so sizes stay even


KIND_STYLES: dict[str, KindStyle] = {
    EntityType.METHOD.value: KindStyle("#4e79a7", "dot"),
    EntityType.MODEL.value: KindStyle("#59a14f", "diamond"),
    EntityType.DATASET.value: KindStyle("#f28e2b", "triangle"),
    EntityType.TASK.value: KindStyle("#b07aa1", "triangleDown"),
    EntityType.METRIC.value: KindStyle("#edc948", "star"),
    EntityType.ORGANIZATION.value: KindStyle("#9c755f", "hexagon"),
    PAPER_LABEL: KindStyle("#bab0ac", "square"),
}
FALLBACK_STYLE = KindStyle("#76b7b2", "dot")

# The legend draws each shape as a small SVG polygon (points in a 20x20 box).
LEGEND_SHAPES: dict[str, str] = {
    "diamond": "10,1 19,10 10,19 1,10",
    "triangle": "10,2 19,18 1,18",
    "triangleDown": "1,2 19,2 10,18",
    "star": "10,1 12.2,7.2 18.8,7.2 13.5,11.1 15.5,17.6 10,13.7 4.5,17.6 6.5,11.1 1.2,7.2 7.8,7.2",
    "hexagon": "5,2 15,2 19.5,10 15,18 5,18 0.5,10",
    "square": "3,3 17,3 17,17 3,17",
}

IMPROVED_LAYOUT_MAX = 100
NODE_SIZE = 12
FOCUS_SIZE = 26
FOCUS_BORDER = "#d62728"

OPTIONS: dict[str, Any] = {
    "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": True},  # see page_options
    "physics": {
        "enabled": True,
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {
            "gravitationalConstant": -70,
            "centralGravity": 0.012,
            "springLength": 110,
            "springConstant": 0.06,
            "damping": 0.5,
            "avoidOverlap": 0.6,
        },
        "maxVelocity": 60,
        "minVelocity": 1,
        "timestep": 0.4,
        "stabilization": {"enabled": True, "iterations": 1200, "updateInterval": 40, "fit": True},
    },
    "nodes": {
        "size": NODE_SIZE,
        "borderWidth": 1,
        "font": {"size": 13, "face": "sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
    },
    "edges": {
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
        "color": {"color": "#a0a0a0", "highlight": "#333333", "hover": "#555555"},
        "font": {"size": 9, "align": "middle", "color": "#555555", "strokeWidth": 2},
        "smooth": {"enabled": True, "type": "continuous", "roundness": 0.3},
        "width": 1,
        "selectionWidth": 2,
    },
    "interaction": {
        "hover": True,
        "tooltipDelay": 120,
        "hideEdgesOnDrag": True,
        "navigationButtons": False,
        "keyboard": False,
    },
}


class RenderError(AlignkgError):
    """The page cannot be built (e.g. vis-network is missing from the pyvis install)."""


# --- what goes into the page -----------------------------------------------------------


def style_of(kind: str) -> KindStyle:
    return KIND_STYLES.get(kind, FALLBACK_STYLE)


def shorten(text: str, limit: int = MAX_LABEL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def paper_id_of(node_id: str) -> str:
    return node_id.removeprefix(PAPER_PREFIX)


def paper_titles_in(sub: Subgraph) -> dict[str, str]:
    """Titles of the papers that are nodes of the subgraph, by Paper.id."""
    return {paper_id_of(n.id): n.label for n in sub.nodes if n.kind == PAPER_LABEL}


def _ordered_nodes(sub: Subgraph) -> list[Node]:
    """The focus first, then by id: the same graph gives the same order, whatever the store."""
    return sorted(sub.nodes, key=lambda n: (n.id != sub.focus.id, n.id))


def _node_tip(node: Node, is_focus: bool) -> dict[str, Any]:
    subtitle = node.kind + (" · focus of this page" if is_focus else "")
    sections = []
    if node.aliases:
        sections.append({"heading": "Also called", "items": [{"text": a} for a in node.aliases]})
    if node.kind == PAPER_LABEL:
        sections.append({"heading": "Paper", "items": [{"text": paper_id_of(node.id)}]})
    return {"title": node.label, "subtitle": subtitle, "sections": sections}


def _node_options(node: Node, is_focus: bool) -> dict[str, Any]:
    style = style_of(node.kind)
    options: dict[str, Any] = {
        "label": shorten(node.label),
        "shape": style.shape,
        "color": {
            "background": style.color,
            "border": FOCUS_BORDER if is_focus else "#555555",
            "highlight": {"background": style.color, "border": "#000000"},
            "hover": {"background": style.color, "border": "#000000"},
        },
        "kind": node.kind,
        "tip": _node_tip(node, is_focus),
    }
    if is_focus:
        options |= {
            "size": FOCUS_SIZE,
            "borderWidth": 4,
            "font": {"size": 20, "color": "#000000", "strokeWidth": 4, "strokeColor": "#ffffff"},
            "mass": 3,
        }
    return options


def _source(evidence: Evidence, titles: Mapping[str, str]) -> str:
    title = titles.get(evidence.paper_id)
    paper = f"{title} [{evidence.paper_id}]" if title else f"paper {evidence.paper_id}"
    return f"{paper} · rule {evidence.rule}, confidence {evidence.confidence:.2f}"


def _edge_tip(rel: Relation, labels: Mapping[str, str], titles: Mapping[str, str]) -> dict:
    evidence = sorted(rel.evidence, key=lambda e: (e.paper_id, e.start, e.rule))
    items = [{"text": e.sentence, "note": _source(e, titles)} for e in evidence[:MAX_EVIDENCE]]
    if len(evidence) > MAX_EVIDENCE:
        items.append({"note": f"(+{len(evidence) - MAX_EVIDENCE} more sentences)"})
    sections = [{"heading": "Evidence", "items": items}] if items else []
    if len(evidence) > MAX_EVIDENCE:  # the notes above do not name every paper
        paper_ids = sorted({e.paper_id for e in evidence})
        papers = [{"text": titles.get(p, p), "note": p} for p in paper_ids[:MAX_PAPERS]]
        if len(paper_ids) > MAX_PAPERS:
            papers.append({"note": f"(+{len(paper_ids) - MAX_PAPERS} more papers)"})
        sections.append({"heading": "Supporting papers", "items": papers})
    n = len(evidence)
    return {
        "title": f"{labels[rel.head]} → {rel.type.value} → {labels[rel.tail]}",
        "subtitle": f"{n} evidence sentence{'' if n == 1 else 's'}",
        "sections": sections,
    }


def _edge_curves(relations: list[Relation]) -> list[dict[str, Any] | None]:
    """Edges between the same two nodes would be drawn on top of each other: the second
    and later ones curve away by growing amounts."""
    seen: Counter[frozenset[str]] = Counter()
    curves: list[dict[str, Any] | None] = []
    for rel in relations:
        pair = frozenset((rel.head, rel.tail))
        k = seen[pair]
        seen[pair] += 1
        curves.append(None if k == 0 else {"type": "curvedCW", "roundness": 0.25 * k})
    return curves


def build_network(sub: Subgraph, paper_titles: Mapping[str, Paper | str] | None = None) -> Network:
    """The subgraph as a pyvis Network: styled nodes, labelled edges, structured tooltips
    (the `tip` field, turned into DOM elements by the page)."""
    given = {k: v.title if isinstance(v, Paper) else v for k, v in (paper_titles or {}).items()}
    titles = paper_titles_in(sub) | given
    net = Network(directed=True)
    nodes = _ordered_nodes(sub)
    for node in nodes:
        net.add_node(node.id, **_node_options(node, node.id == sub.focus.id))
    labels = {n.id: n.label for n in nodes}
    relations = sorted(sub.relations, key=lambda r: r.key)
    for rel, curve in zip(relations, _edge_curves(relations), strict=True):
        options: dict[str, Any] = {
            "id": "|".join(rel.key),
            "label": rel.type.value,
            "relation": rel.type.value,
            "tip": _edge_tip(rel, labels, titles),
        }
        if curve is not None:
            options["smooth"] = curve
        net.add_edge(rel.head, rel.tail, **options)
    return net


# --- the page ----------------------------------------------------------------------------

_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_UNSAFE = re.compile("[<>&\u2028\u2029]")


def script_json(value: Any) -> Markup:
    """JSON that is safe inside <script>: nothing in it can close the element or start
    markup, and the JS line separators are escaped."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(_SCRIPT_UNSAFE.sub(lambda m: _SCRIPT_ESCAPES[m.group()], text))


@cache
def vis_network_js() -> Markup:
    """vis-network's minified JS, the newest version shipped inside the pyvis package."""
    lib = files("pyvis") / "templates" / "lib"
    try:
        versions = sorted(
            (d for d in lib.iterdir() if d.name.startswith("vis-")),
            key=lambda d: tuple(int(p) for p in re.findall(r"\d+", d.name)),
        )
        js = (versions[-1] / "vis-network.min.js").read_text(encoding="utf-8")
    except (OSError, IndexError) as err:
        raise RenderError(f"vis-network not found in the pyvis package ({lib}): {err}") from err
    if re.search(r"</script", js, re.I):  # inlined verbatim: it must not end its element
        raise RenderError("vis-network's script cannot be inlined safely")
    return Markup(js)


def page_options(node_count: int) -> dict[str, Any]:
    """vis-network's options. Its "improved layout" (Kamada-Kawai seeding) helps small
    graphs but is slow, and noisy on the console, past about a hundred nodes."""
    layout = OPTIONS["layout"] | {"improvedLayout": node_count <= IMPROVED_LAYOUT_MAX}
    return OPTIONS | {"layout": layout}


def _legend(sub: Subgraph) -> list[dict[str, Any]]:
    counts = Counter(n.kind for n in sub.nodes)
    known = [k for k in KIND_STYLES if k in counts]
    kinds = known + sorted(k for k in counts if k not in KIND_STYLES)
    return [
        {
            "kind": k,
            "count": counts[k],
            "color": style_of(k).color,
            "points": LEGEND_SHAPES.get(style_of(k).shape),
        }
        for k in kinds
    ]


def render_page(sub: Subgraph, paper_titles: Mapping[str, Paper | str] | None = None) -> str:
    """The whole HTML page of a neighbourhood; `paper_titles` (by Paper.id) names the
    papers behind each edge's evidence beyond those in the subgraph itself."""
    net = build_network(sub, paper_titles)
    nodes, edges, *_ = net.get_network_data()
    relation_counts = Counter(r.type.value for r in sub.relations)
    return _template().render(
        focus=sub.focus,
        depth=sub.depth,
        node_count=len(nodes),
        edge_count=len(edges),
        truncated=sub.truncated,
        legend=_legend(sub),
        relation_counts=sorted(relation_counts.items()),
        focus_color=style_of(sub.focus.type.value).color,
        focus_border=FOCUS_BORDER,
        data=script_json({"nodes": nodes, "edges": edges, "options": page_options(len(nodes))}),
        vis_js=vis_network_js(),
    )


@cache
def _template():
    env = Environment(
        autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True
    )
    return env.from_string(PAGE_TEMPLATE)


PAGE_TEMPLATE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="alignkg">
<link rel="icon" href="data:,">
<title>{{ focus.name }} · neighbourhood · alignkg</title>
<style>
html, body { margin: 0; height: 100%; font-family: sans-serif; color: #222; }
body { display: flex; flex-direction: column; }
header { padding: 8px 14px; border-bottom: 1px solid #ddd; background: #fafafa; }
header h1 { font-size: 18px; margin: 0; }
header p { margin: 2px 0 0; font-size: 13px; color: #555; }
#truncation-note { margin-top: 6px; padding: 6px 10px; background: #fff3cd;
  border: 1px solid #e0c46c; border-radius: 4px; color: #5c4500; font-size: 13px; }
main { position: relative; flex: 1; min-height: 0; }
#network { position: absolute; inset: 0; }
#legend { position: absolute; top: 10px; right: 10px; max-height: calc(100% - 40px);
  overflow: auto; background: rgba(255, 255, 255, 0.94); border: 1px solid #ccc;
  border-radius: 6px; padding: 8px 12px; font-size: 12px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
#legend h2 { font-size: 12px; margin: 6px 0 4px; text-transform: uppercase; color: #666; }
#legend ul { list-style: none; margin: 0; padding: 0; }
#legend li { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
#legend svg { width: 16px; height: 16px; flex: none; }
#legend .count { color: #777; }
#loading { position: absolute; inset: 0; display: flex; align-items: center;
  justify-content: center; background: rgba(255, 255, 255, 0.85); font-size: 16px; }
#loading[hidden] { display: none; }
div.vis-tooltip { position: absolute; visibility: hidden; pointer-events: none; z-index: 5;
  max-width: 460px; padding: 8px 10px; background: #fffef6; color: #000;
  border: 1px solid #808074; border-radius: 3px; box-shadow: 3px 3px 10px rgba(0,0,0,.2);
  font: 12px/1.35 sans-serif; }
.tip-title { font-weight: bold; font-size: 13px; }
.tip-subtitle { color: #666; margin-bottom: 4px; }
.tip-heading { font-weight: bold; margin-top: 6px; }
.tip ul { margin: 2px 0 0; padding-left: 16px; }
.tip-text { font-style: italic; }
.tip-note { color: #666; }
</style>
</head>
<body>
<header>
<h1>{{ focus.name }} <small>({{ focus.type.value }})</small>: \
neighbourhood at depth {{ depth }}</h1>
<p>{{ node_count }} nodes, {{ edge_count }} relations. Hover a node or an edge for details \
(aliases, evidence sentences, papers); drag to move, scroll to zoom.</p>
{% if truncated %}
<div id="truncation-note" role="status">Cut at {{ node_count }} nodes: the full neighbourhood \
is larger, so only the nearest nodes and the relations among them are shown. Raise \
<code>--max-nodes</code> or lower <code>--depth</code> to see more.</div>
{% endif %}
</header>
<main>
<div id="network"></div>
<aside id="legend" aria-label="Legend">
<h2>Nodes</h2>
<ul>
<li><svg viewBox="0 0 20 20" aria-hidden="true"><circle cx="10" cy="10" r="7" \
fill="{{ focus_color }}" stroke="{{ focus_border }}" stroke-width="3"/></svg>\
<span>{{ focus.name }} (focus)</span></li>
{% for item in legend %}
<li data-kind="{{ item.kind }}"><svg viewBox="0 0 20 20" aria-hidden="true">\
{% if item.points %}<polygon points="{{ item.points }}" fill="{{ item.color }}" stroke="#555"/>\
{% else %}<circle cx="10" cy="10" r="8" fill="{{ item.color }}" stroke="#555"/>{% endif %}\
</svg><span>{{ item.kind }}</span> <span class="count">{{ item.count }}</span></li>
{% endfor %}
</ul>
{% if relation_counts %}
<h2>Edges (labelled by relation)</h2>
<ul>
{% for type, count in relation_counts %}
<li data-relation="{{ type }}"><span>{{ type }}</span> <span class="count">{{ count }}</span></li>
{% endfor %}
</ul>
{% endif %}
</aside>
<div id="loading" role="status">Laying out {{ node_count }} nodes… \
<span id="progress">0%</span></div>
</main>
<script>{{ vis_js }}</script>
<script>
(function () {
  "use strict";
  var DATA = {{ data }};

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;  // text, never markup
    return node;
  }

  function tooltip(tip) {
    var box = element("div", "tip");
    box.appendChild(element("div", "tip-title", tip.title));
    box.appendChild(element("div", "tip-subtitle", tip.subtitle));
    tip.sections.forEach(function (section) {
      box.appendChild(element("div", "tip-heading", section.heading));
      var list = element("ul");
      section.items.forEach(function (item) {
        var li = element("li");
        if (item.text !== undefined) li.appendChild(element("div", "tip-text", item.text));
        if (item.note !== undefined) li.appendChild(element("div", "tip-note", item.note));
        list.appendChild(li);
      });
      box.appendChild(list);
    });
    return box;
  }

  function withTooltip(item) {
    var copy = Object.assign({}, item);
    copy.title = tooltip(item.tip);
    delete copy.tip;
    return copy;
  }

  var nodes = new vis.DataSet(DATA.nodes.map(withTooltip));
  var edges = new vis.DataSet(DATA.edges.map(withTooltip));
  var network = new vis.Network(
    document.getElementById("network"), {nodes: nodes, edges: edges}, DATA.options);
  var loading = document.getElementById("loading");
  var progress = document.getElementById("progress");
  window.alignkg = {network: network, nodes: nodes, edges: edges, stabilized: false};

  network.on("stabilizationProgress", function (params) {
    progress.textContent = Math.round(100 * params.iterations / params.total) + "%";
  });
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: false});  // laid out once; no jiggling afterwards
    loading.hidden = true;
    window.alignkg.stabilized = true;
  });
})();
</script>
</body>
</html>
"""
