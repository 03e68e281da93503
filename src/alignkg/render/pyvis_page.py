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

from jinja2 import Environment, PackageLoader
from markupsafe import Markup
from pyvis.network import Network

from alignkg.errors import AlignkgError
from alignkg.records import (
    PAPER_LABEL,
    Evidence,
    Node,
    Paper,
    Relation,
    Subgraph,
    paper_node_id,
)
from alignkg.render.label_fit import (
    CHAR_WIDTH,
    DRAW_THRESHOLD,
    EDGE_PX,
    FOCUS_PX,
    LABEL_PX,
    LINE,
    SMALL_PAGE,
    VIEW_MARGIN,
    Fit,
    Item,
    fit_labels,
    fit_scale,
    sector_anchor,
    spread,
    vadjust,
)
from alignkg.render.labels import short_title
from alignkg.render.layout import Layout, radial_layout

PAPER_PREFIX = paper_node_id("")
LAYOUT_SEED = 7
MAX_LABEL = 48  # longer entity names are shortened on the canvas, full in tooltips
PAPER_LABEL_WORDS = 4  # a paper on the canvas: its first words and year
MAX_EVIDENCE = 5  # evidence sentences shown per edge tooltip
MAX_PAPERS = 8  # supporting paper titles shown per edge tooltip


@dataclass(frozen=True, slots=True)
class KindStyle:
    color: str
    shape: str  # a vis-network shape with the label below it, so sizes stay even


STYLES: dict[str, Any] = json.loads(
    (files("alignkg.render") / "templates" / "styles.json").read_text(encoding="utf-8")
)
"""The style tables (templates/styles.json): node kinds, legend shapes, relation colours."""
KIND_STYLES: dict[str, KindStyle] = {k: KindStyle(**v) for k, v in STYLES["kinds"].items()}
FALLBACK_STYLE = KindStyle(**STYLES["fallback"])
LEGEND_SHAPES: dict[str, str] = STYLES["legend_shapes"]
RELATION_COLORS: dict[str, str] = STYLES["relations"]
EDGE_LABELS_MAX = 30  # edges are labelled on pages up to this many; beyond, colour says it

NODE_SIZE = 12
LEAF_SIZE = 8  # a leaf packed around its hub
FOCUS_SIZE = 26
TREE_EDGES = 0.6  # opacity of an edge to the node it was reached from (unlabelled pages)
CROSS_EDGES = 0.2  # ... of the other edges not at the focus: the structure stands out
FIRST_PX = 60.0  # width of a node of the first ring on a larger page, screen pixels
SMALL_ROOM = 100.0  # width of a node on its ring on a small page, where all are named
MAX_SECTOR_MOVES = 8  # times a sector's name moves out to clear another's
SECTOR_PX = 15.0  # a sector's name, screen pixels at the first view
FOCUS_BORDER = "#d62728"

OPTIONS: dict[str, Any] = {
    # Laid out in Python (layout.py): no physics, no layout work in the browser.
    "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": False},
    "physics": {"enabled": False},
    "nodes": {
        "size": NODE_SIZE,
        "borderWidth": 1,
        "font": {"size": 13, "face": "sans-serif", "strokeWidth": 3, "strokeColor": "#ffffff"},
        # Labels too small to read at the current zoom are not drawn (label_fit.py).
        "scaling": {"label": {"drawThreshold": DRAW_THRESHOLD, "maxVisible": 40}},
    },
    "edges": {
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
        "color": {"color": "#a0a0a0", "highlight": "#333333", "hover": "#555555"},
        "font": {"size": 11, "align": "horizontal", "color": "#444444", "strokeWidth": 3},
        "smooth": {"enabled": False},
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


def _canvas_label(node: Node, papers: Mapping[str, Paper]) -> str:
    """Entities by name; papers by their first words and year (the title is in the tip)."""
    if node.kind != PAPER_LABEL:
        return shorten(node.label)
    paper = papers.get(paper_id_of(node.id))
    return short_title(node.label, paper.date if paper else None, words=PAPER_LABEL_WORDS)


def _node_options(
    node: Node, is_focus: bool, label: str, at: tuple[float, float], size: float, font: float
) -> dict[str, Any]:
    style = style_of(node.kind)
    options: dict[str, Any] = {
        "x": at[0],
        "y": at[1],
        "label": label,
        "size": size,
        "font": {"size": font},
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
            "borderWidth": 4,
            "font": {"size": font, "color": "#000000", "strokeWidth": 4, "strokeColor": "#ffffff"},
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


@dataclass(frozen=True, slots=True)
class Drawing:
    """The network, with what the page draws around it."""

    net: Network
    sectors: list[dict[str, Any]]  # the focus's relation groups: wedge, colour, name
    view: dict[str, float]  # the canvas box the page opens fitted to (x0, y0, x1, y1)


def build_network(sub: Subgraph, paper_titles: Mapping[str, Paper | str] | None = None) -> Network:
    """The subgraph as a pyvis Network: laid out (x, y), styled nodes, edges coloured
    (and on small pages labelled) by relation, structured tooltips (the `tip` field,
    turned into DOM elements by the page). `paper_titles` maps Paper.id to the paper (or
    its title) for the papers behind the evidence."""
    return draw(sub, paper_titles).net


def _label_items(
    sub: Subgraph,
    nodes: list[Node],
    relations: list[Relation],
    layout: Layout,
    labels: Mapping[str, str],
    sizes: Mapping[str, float],
    labelled_edges: list[int],
) -> list[Item]:
    """Every label the page could draw, most important first: the focus, its neighbours,
    nodes on the rings by degree, leaves by degree; then the edge labels."""
    degree: Counter[str] = Counter()
    for rel in relations:
        degree[rel.head] += 1
        degree[rel.tail] += 1

    def rank(node: Node) -> tuple:
        near = 3 if layout.ring.get(node.id) == 1 else 1  # the focus's neighbours: ahead
        return (node.id != sub.focus.id, node.id in layout.packed, -near * degree[node.id])

    small = len(nodes) <= SMALL_PAGE  # on a larger page, leaves are named on zoom only
    at, hubs = layout.positions, layout.clusters
    cluster = {n.id: hubs.get(n.id, sizes[n.id]) for n in nodes}
    # A hub's label goes below (or above) its cluster, which other labels keep clear of.
    items = [
        Item(n.id, labels[n.id], at[n.id], cluster[n.id], inner=sizes[n.id] * (n.id in hubs))
        if n.id != sub.focus.id
        else Item(n.id, labels[n.id], layout.positions[n.id], sizes[n.id], FOCUS_PX)
        for n in sorted(nodes, key=lambda n: (rank(n), n.id))
        if small or n.id not in layout.packed
    ]
    for i in labelled_edges:
        rel = relations[i]
        (x1, y1), (x2, y2) = layout.positions[rel.head], layout.positions[rel.tail]
        items.append(Item(f"edge {i}", rel.type.value, ((x1 + x2) / 2, (y1 + y2) / 2), 0, EDGE_PX))
    return items


def _sectors(sub: Subgraph, layout: Layout, fit: Fit) -> list[dict[str, Any]]:
    """The sectors' wedges and names; a name that would meet another's (a narrow sector
    beside another) moves further out, the biggest sectors' names placed first."""
    radius = layout.radius * fit.factor + 2 * FOCUS_SIZE
    font = round(SECTOR_PX / fit.scale, 1)
    sectors = []
    for sector in layout.sectors:
        name = (
            f"{sector.relation} {sub.focus.name}"
            if sector.direction == "in"
            else f"{sub.focus.name} {sector.relation}"
        )
        sectors.append(
            {
                "label": f"{name} · {sector.members}",
                "color": RELATION_COLORS.get(sector.relation, "#a0a0a0"),
                "start": sector.start,
                "end": sector.end,
                "radius": round(radius, 1),
                "font": font,
                "members": sector.members,
            }
        )
    placed: list[tuple[float, float, float, float]] = []
    for sector in sorted(sectors, key=lambda s: (-s["members"], s["start"])):
        out = radius + font + LINE * LABEL_PX / fit.scale  # past the names of the rim
        for _ in range(MAX_SECTOR_MOVES):
            sector["x"], sector["y"], sector["align"] = sector_anchor(
                sector["start"], sector["end"], out
            )
            box = _sector_box(sector)
            if not any(
                b[0] < box[2] and box[0] < b[2] and b[1] < box[3] and box[1] < b[3] for b in placed
            ):
                break
            out += 1.5 * font
        placed.append(_sector_box(sector))
    for sector in sectors:
        del sector["members"]
    return sectors


def _sector_box(sector: dict[str, Any]) -> tuple[float, float, float, float]:
    """Where a sector's name is drawn, canvas pixels."""
    width = len(sector["label"]) * CHAR_WIDTH * sector["font"]
    left = {"left": 0.0, "right": width, "center": width / 2}[sector["align"]]
    x, y, half = sector["x"], sector["y"], sector["font"]
    return (x - left, y - half, x - left + width, y + half)


def _view(points: list[tuple[float, float]], sectors: list[dict[str, Any]]) -> dict[str, float]:
    """The box of the nodes and the sectors' names, canvas pixels."""
    boxes = [(x, y, x, y) for x, y in points] + [_sector_box(s) for s in sectors]
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    pad = VIEW_MARGIN
    return {"x0": x0 - pad, "y0": y0 - pad, "x1": x1 + pad, "y1": y1 + pad + 2 * NODE_SIZE}


def draw(sub: Subgraph, paper_titles: Mapping[str, Paper | str] | None = None) -> Drawing:
    """The laid-out network of `sub`, its sectors and the view the page opens with."""
    given = dict(paper_titles or {})
    papers = {k: v for k, v in given.items() if isinstance(v, Paper)}
    titles = paper_titles_in(sub) | {
        k: v.title if isinstance(v, Paper) else v for k, v in given.items()
    }
    net = Network(directed=True)
    nodes = _ordered_nodes(sub)
    relations = sorted(sub.relations, key=lambda r: r.key)
    focus = sub.focus.id
    small = len(nodes) <= SMALL_PAGE
    layout = radial_layout(
        focus, nodes, relations, pack=not small, room=SMALL_ROOM if small else None
    )
    if not small:  # room on the first ring for names read at the page's first view
        scale = fit_scale(list(layout.positions.values()))
        layout = radial_layout(focus, nodes, relations, first_room=FIRST_PX / scale)
    labels = {n.id: _canvas_label(n, papers) for n in nodes}
    sizes = {
        n.id: FOCUS_SIZE
        if n.id == focus
        else LEAF_SIZE
        if n.id in layout.packed and not small
        else NODE_SIZE
        for n in nodes
    }
    curves = _edge_curves(relations)
    labelled = len(relations) <= EDGE_LABELS_MAX
    straight = [i for i, c in enumerate(curves) if c is None] if labelled else []
    items = _label_items(sub, nodes, relations, layout, labels, sizes, straight)
    fit = fit_labels(items, list(layout.positions.values()))
    moved = {
        i.key: vadjust(i, fit.font(i.key), sizes[i.key], fit.where[i.key])
        for i in items
        if i.key in fit.drawn and not i.on_edge
    }
    moved = {k: v for k, v in moved.items() if v}
    at = {n: spread(p, fit.factor) for n, p in layout.positions.items()}
    for node in nodes:
        is_focus = node.id == focus
        options = _node_options(
            node, is_focus, labels[node.id], at[node.id], sizes[node.id], fit.font(node.id)
        )
        if node.id in fit.drawn and not small and node.id not in moved:  # over the edges
            options["font"]["background"] = "rgba(255,255,255,0.8)"  # (not moved: vis
        if node.id in moved:  # draws a label's background where it would be unmoved)
            options["font"]["vadjust"] = moved[node.id]
        net.add_node(node.id, **options)
    names = {n.id: n.label for n in nodes}
    for i, (rel, curve) in enumerate(zip(relations, curves, strict=True)):
        color = RELATION_COLORS.get(rel.type.value, "#a0a0a0")
        tree = focus in (rel.head, rel.tail) or (
            layout.parent.get(rel.head) == rel.tail or layout.parent.get(rel.tail) == rel.head
        )
        options: dict[str, Any] = {
            "id": "|".join(rel.key),
            "relation": rel.type.value,
            "color": {"color": color, "highlight": "#333333", "hover": "#333333"},
            "tip": _edge_tip(rel, names, titles),
        }
        if not labelled and focus not in (rel.head, rel.tail):
            options["color"]["opacity"] = TREE_EDGES if tree else CROSS_EDGES
        if f"edge {i}" in fit.drawn:
            options["label"] = rel.type.value
            options["font"] = {"size": fit.font(f"edge {i}")}
        if curve is not None:
            options["smooth"] = curve
        net.add_edge(rel.head, rel.tail, **options)
    sectors = _sectors(sub, layout, fit)
    return Drawing(net, sectors, _view(list(at.values()), sectors))


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
    """vis-network's options (the same for every size: the layout is done already)."""
    return OPTIONS


def _legend(sub: Subgraph) -> list[dict[str, Any]]:
    """The node kinds present, in the style table's order, with their counts."""
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
    drawing = draw(sub, paper_titles)
    nodes, edges, *_ = drawing.net.get_network_data()
    relation_counts = Counter(r.type.value for r in sub.relations)
    return _template().render(
        focus=sub.focus,
        depth=sub.depth,
        node_count=len(nodes),
        edge_count=len(edges),
        truncated=sub.truncated,
        legend=_legend(sub),
        relation_counts=[
            (t, n, RELATION_COLORS.get(t, "#a0a0a0")) for t, n in sorted(relation_counts.items())
        ],
        focus_color=style_of(sub.focus.type.value).color,
        focus_border=FOCUS_BORDER,
        sectors=drawing.sectors,
        data=script_json(
            {
                "nodes": nodes,
                "edges": edges,
                "options": page_options(len(nodes)),
                "sectors": drawing.sectors,
                "view": drawing.view,
            }
        ),
        vis_js=vis_network_js(),
    )


@cache
def _template():
    env = Environment(
        loader=PackageLoader("alignkg.render", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env.get_template(PAGE_TEMPLATE)


PAGE_TEMPLATE = "page.html.j2"
"""The page (HTML, CSS and the script that builds the network), in templates/."""
