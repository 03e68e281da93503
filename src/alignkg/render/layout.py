"""Where each node of a neighbourhood page goes, computed once in Python.

A radial tree around the focus: the nodes one hop out on a first ring, grouped by how
they relate to the focus (all that EXTEND it together, then all that USE it, ...) with a
gap between groups; each node further out on the next ring, inside the angle of the node
it was reached from. Every node gets an angle at least in proportion to the leaves below
it, and each ring's radius grows with the number of nodes that must fit on it, so no two
nodes share a place. The page then starts with physics off: nothing to lay out in the
browser, so a page of 1,000 nodes is interactive as soon as it is drawn
(bench/render_browser.py).

Deterministic: the order of everything is decided by ids, never by the store's order.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from alignkg.records import Node, Relation

RING = 260.0  # distance between rings, canvas pixels
SPACING = 120.0  # least distance between two nodes of a ring
GROUP_GAP = 1.0  # empty slots between two of the focus's relation groups


def _group_key(focus: str, rel: Relation) -> tuple[str, str]:
    return (rel.type.value, "out" if rel.head == focus else "in")


def radial_layout(
    focus: str, nodes: Sequence[Node], relations: Sequence[Relation]
) -> dict[str, tuple[float, float]]:
    """Node id -> (x, y) on the canvas, the focus at the origin."""
    ids = sorted(n.id for n in nodes)
    present = set(ids)
    around: dict[str, set[str]] = defaultdict(set)
    first_group: dict[str, tuple[str, str]] = {}
    for rel in sorted(relations, key=lambda r: r.key):
        if rel.head not in present or rel.tail not in present or rel.head == rel.tail:
            continue
        around[rel.head].add(rel.tail)
        around[rel.tail].add(rel.head)
        if focus in (rel.head, rel.tail):
            other = rel.tail if rel.head == focus else rel.head
            first_group.setdefault(other, _group_key(focus, rel))

    # Breadth first from the focus; each node's parent is its first neighbour one ring in.
    children: dict[str, list[str]] = defaultdict(list)
    ring = {focus: 0}
    frontier = [focus]
    while frontier:
        following = []
        for node in frontier:
            for other in sorted(around[node]):
                if other not in ring:
                    ring[other] = ring[node] + 1
                    children[node].append(other)
                    following.append(other)
        frontier = following
    # Nodes the relations do not reach (a store may return such): one more ring.
    unreached = [n for n in ids if n not in ring]
    outer = max(ring.values(), default=0) + 1
    for node in unreached:
        ring[node] = outer
        children[focus].append(node)

    weight: dict[str, float] = {}

    def leaves(node: str) -> float:
        weight[node] = max(1.0, sum(leaves(c) for c in children[node]))
        return weight[node]

    # The first ring in groups (by relation, then name), a gap between groups.
    first = children[focus]
    first.sort(key=lambda n: (first_group.get(n, ("~", "")), n))
    total = leaves(focus) if first else 1.0
    groups = [first_group.get(n, ("~", "")) for n in first]
    gaps = sum(1 for a, b in zip(groups, groups[1:], strict=False) if a != b)
    if len(set(groups)) > 1:
        gaps += 1  # between the last group and the first, around the circle
    total += gaps * GROUP_GAP

    # Each ring's radius: far enough out that its nodes, at their least angle, are
    # SPACING apart, and at least one RING beyond the ring inside it.
    counts: dict[int, int] = defaultdict(int)
    for k in ring.values():
        counts[k] += 1
    least_angle = 2 * math.pi / total
    radius = {0: 0.0}
    for k in range(1, max(ring.values(), default=0) + 1):
        needed = SPACING / least_angle
        radius[k] = max(radius[k - 1] + RING, needed if counts[k] > 1 else 0.0)

    angle: dict[str, float] = {focus: 0.0}

    def place(node: str, start: float, span: float) -> None:
        """Lay `node`'s children in the angle [start, start + span)."""
        at = start
        for child in children[node]:
            share = span * weight[child] / max(weight[node], 1.0)
            angle[child] = at + share / 2
            place(child, at, share)
            at += share

    # The first ring by hand (for the gaps), the rest by recursion. Start at the top.
    at = -math.pi / 2
    unit = 2 * math.pi / total
    previous = None
    for node, group in zip(first, groups, strict=True):
        if previous is not None and group != previous:
            at += GROUP_GAP * unit
        share = weight[node] * unit
        angle[node] = at + share / 2
        place(node, at, share)
        at += share
        previous = group

    positions = {}
    for node in ids:
        r, a = radius[ring[node]], angle.get(node, 0.0)
        positions[node] = (round(r * math.cos(a), 1), round(r * math.sin(a), 1))
    return positions
