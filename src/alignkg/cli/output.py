"""Text output of the query commands, through rich.

On a terminal: wrapped to its width, names in bold, sources (paper, rule, confidence)
dimmed. In a pipe or a file: the same layout as plain text, without colour codes
(rich's own terminal detection; NO_COLOR and FORCE_COLOR are honoured). User text is
printed as text, never read as markup, and control characters are shown as U+FFFD.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.text import Text

from alignkg.records import (
    PAPER_LABEL,
    Entity,
    EntityDetail,
    Evidence,
    GraphStats,
    Node,
    Paper,
    Relation,
    Subgraph,
    paper_node_id,
)
from alignkg.render.labels import printable, short_title

INDENT = 2  # per level of the tree
SENTENCES_FIRST_HOP = 2  # evidence sentences shown per relation of the focus
SENTENCES_LATER_HOPS = 1  # and per relation further out


_console: list[Console] = []


def console() -> Console:
    """A console on the current sys.stdout (made again when it changes: tests swap it)."""
    if not _console or _console[0].file is not sys.stdout:
        _console[:] = [Console(file=sys.stdout, highlight=False, markup=False, emoji=False)]
    return _console[0]


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def _text(*parts: tuple[str, str] | str) -> Text:
    text = Text()
    for part in parts:
        if isinstance(part, str):
            text.append(printable(part))
        else:
            text.append(printable(part[0]), style=part[1])
    return text


def _line(indent: int, *parts: tuple[str, str] | str) -> None:
    """One paragraph, wrapped to the console's width with a hanging indent, no trailing
    spaces (rich's Padding would pad every line to the width)."""
    out = console()
    for line in _text(*parts).wrap(out, max(20, out.width - indent)):
        line.rstrip()
        out.print(Text(" " * indent) + line, soft_wrap=True)


def heading(entity: Entity, extra: str = "") -> None:
    parts: list[tuple[str, str] | str] = [(entity.name, "bold"), f" [{entity.type.value}]"]
    if extra:
        parts.append(("  " + extra, "dim"))
    if entity.aliases:
        parts.append(("  also: ", "dim"))
        parts.append(", ".join(entity.aliases))
    _line(0, *parts)


# --- relations, grouped, as a tree over the hops --------------------------------------------


class Papers:
    """What the text says of the papers: a short title with its year."""

    def __init__(self, papers: Mapping[str, Paper], labels: Mapping[str, str]) -> None:
        self.papers = papers  # by Paper.id
        self.labels = labels  # by node id: entity names and paper titles

    def node_label(self, node_id: str, kind: str | None) -> str:
        if kind == PAPER_LABEL:
            paper_id = node_id.removeprefix(paper_node_id(""))
            if paper := self.papers.get(paper_id):
                return short_title(paper.title, paper.date)
            return short_title(self.labels.get(node_id, paper_id))
        return self.labels.get(node_id, node_id)

    def source(self, evidence: Evidence) -> str:
        if paper := self.papers.get(evidence.paper_id):
            return short_title(paper.title, paper.date)
        return f"paper {evidence.paper_id}"


def _evidence(rel: Relation, indent: int, limit: int, papers: Papers, shown: str | None) -> None:
    """Up to `limit` sentences, each wrapped, with its source dimmed below it; `shown` is
    the paper already named on the line above (a paper node), not repeated."""
    evidence = sorted(rel.evidence, key=lambda e: (-e.confidence, e.paper_id, e.start))
    for item in evidence[:limit]:
        _line(indent, f"“{item.sentence}”")
        source = papers.source(item)
        where = "" if shown == item.paper_id else f"{source} · "
        _line(indent, (f"{where}{item.rule} · {item.confidence:.2f}", "dim"))
    if len(evidence) > limit:
        _line(indent, (f"(+{plural(len(evidence) - limit, 'more sentence')})", "dim"))


def hops_from(focus: str, relations: Sequence[Relation]) -> dict[str, int]:
    """Each node's distance from the focus, following relations either way."""
    around: dict[str, list[str]] = defaultdict(list)
    for rel in relations:
        around[rel.head].append(rel.tail)
        around[rel.tail].append(rel.head)
    hops, frontier = {focus: 0}, [focus]
    while frontier:
        following = []
        for node in frontier:
            for other in around[node]:
                if other not in hops:
                    hops[other] = hops[node] + 1
                    following.append(other)
        frontier = following
    return hops


def print_relation_tree(
    focus: str,
    nodes: Sequence[Node],
    relations: Sequence[Relation],
    papers: Papers,
) -> None:
    """The focus's relations grouped by type and direction, each with its evidence; at
    depth 2 and more, under each neighbour its relations one hop further out, and so on
    (a tree by path: each relation under its end nearer the focus, each node's subtree
    once). Relations between two nodes at the same distance are left to --json."""
    kinds = {n.id: n.kind for n in nodes}
    hops = hops_from(focus, relations)
    owned: dict[str, list[Relation]] = defaultdict(list)
    for rel in relations:
        a, b = hops.get(rel.head), hops.get(rel.tail)
        if a is not None and b is not None and abs(a - b) == 1:
            owned[rel.head if a < b else rel.tail].append(rel)
    expanded = {focus}

    def groups(node: str, indent: int) -> None:
        by_group: dict[tuple[str, str], list[tuple[str, Relation]]] = defaultdict(list)
        for rel in owned[node]:
            if rel.head == node:
                by_group[(rel.type.value, "->")].append((rel.tail, rel))
            else:
                by_group[(rel.type.value, "<-")].append((rel.head, rel))
        first_hop = node == focus
        for (type_, direction), items in sorted(by_group.items()):
            arrow = f"{type_} ->" if direction == "->" else f"<- {type_}"
            if first_hop:
                console().print()
            _line(indent, (arrow, "bold"), (f" ({len(items)})", "dim"))
            items.sort(key=lambda item: papers.node_label(item[0], kinds.get(item[0])).casefold())
            for other, rel in items:
                kind = kinds.get(other)
                label = papers.node_label(other, kind)
                _line(indent + INDENT, (label, "bold" if kind != PAPER_LABEL else ""))
                shown = other.removeprefix(paper_node_id("")) if kind == PAPER_LABEL else None
                limit = SENTENCES_FIRST_HOP if first_hop else SENTENCES_LATER_HOPS
                _evidence(rel, indent + 2 * INDENT, limit, papers, shown)
                if other not in expanded and owned.get(other):
                    expanded.add(other)
                    groups(other, indent + 2 * INDENT)

    groups(focus, 0)


def print_neighborhood(sub: Subgraph, papers: Mapping[str, Paper]) -> None:
    labels = {n.id: n.label for n in sub.nodes}
    heading(sub.focus)
    print_relation_tree(sub.focus.id, sub.nodes, sub.relations, Papers(papers, labels))
    console().print()
    within = "1 hop" if sub.depth == 1 else f"{sub.depth} hops"
    summary = f"{plural(len(sub.nodes), 'node')} and {plural(len(sub.relations), 'relation')}"
    _line(0, (f"{summary} within {within}.", "dim"))
    if sub.truncated:
        _line(0, (f"Cut at {plural(len(sub.nodes), 'node')}.", "dim"))


def print_detail(detail: EntityDetail) -> None:
    entity = detail.entity
    papers = {p.id: p for p in detail.papers}
    heading(entity)
    console().print()
    _line(0, ("Papers", "bold"), (f" ({len(detail.papers)})", "dim"))
    for paper in detail.papers:
        _line(INDENT, printable(" ".join(paper.title.split())))
        _line(2 * INDENT, (f"{paper.date or 'undated'} · {paper.id}", "dim"))
    labels = {n.id: n.label for n in detail.neighbours}
    nodes = (Node(entity.id, entity.name, entity.type.value), *detail.neighbours)
    print_relation_tree(entity.id, nodes, detail.relations, Papers(papers, labels))


def _columns(
    rows: Sequence[Sequence[tuple[str, str]]], right: frozenset[int] = frozenset()
) -> None:
    """Rows of (text, style) cells, aligned in columns two spaces apart, no trailing spaces."""
    widths = [max(len(row[i][0]) for row in rows) for i in range(len(rows[0]))] if rows else []
    for row in rows:
        line = Text()
        for i, (cell, style) in enumerate(row):
            pad = " " * (widths[i] - len(cell))
            line.append("  " if i else "")
            line.append(pad if i in right else "")
            line.append(cell, style=style)
            line.append("" if i in right else pad)
        line.rstrip()
        console().print(line, soft_wrap=True)


def print_search(hits: Sequence[Entity]) -> None:
    _columns(
        [
            (
                (printable(e.name), "bold"),
                (e.type.value, ""),
                (plural(len(e.papers), "paper"), "dim"),
                (printable(", ".join(e.aliases)), ""),
            )
            for e in hits
        ]
    )


def print_stats(figures: GraphStats) -> None:
    rows = [(("papers", "bold"), (str(figures.papers), ""))]
    rows.append((("entities", "bold"), (str(figures.entities), "")))
    rows += [((f"  {t}", ""), (str(n), "")) for t, n in figures.entities_by_type.items()]
    rows.append((("relations", "bold"), (str(figures.relations), "")))
    rows += [((f"  {t}", ""), (str(n), "")) for t, n in figures.relations_by_type.items()]
    _columns(rows, right=frozenset({1}))
