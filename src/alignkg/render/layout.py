"""Where each node of a neighbourhood page goes, computed once in Python.

A radial tree of clusters around the focus:
- the nodes one hop out sit on a first ring, in one sector per relation to the focus
  (all that EXTEND it together, then all that USE it, ...), a gap between sectors;
- each node further out sits on the next ring, inside the angle of the node it was
  reached from (breadth first, ties by id);
- a node's leaves (the nodes reached only through it, mostly papers) are not given a ring
  of their own: they are packed in a small disc of concentric circles around it, so a hub
  with 300 papers is one compact "flower" instead of 300 places on an outer ring.

Every node gets an angle in proportion to the width its cluster and its subtree need
(with a floor, so a small sibling is not squeezed), and each ring's radius is the least
that fits its clusters side by side and clear of the ring inside it: no two nodes share
a place. The page then starts with physics off: nothing to lay out in the browser, so a
page of 1,000 nodes is interactive as soon as it is drawn (bench/render_browser.py).

Deterministic: the order of everything is decided by ids, never by the store's order.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from alignkg.records import Node, Relation

NODE_ROOM = 46.0  # width a node without leaves takes on its ring, canvas pixels
RING_GAP = 60.0  # least clear distance between the clusters of two rings
MAX_ROWS = 6  # a crowded ring is staggered into up to this many rows
FIRST_RING_ONE_ROW = 40  # ... but the first one only when it has more nodes than this;
# then the focus's leaves there are a crowd: a leaf's room, up to CROWD_ROWS rows, unnamed
CROWD_ROWS = 16
FIRST_ROOM = 90.0  # ... on the first ring, at least
FOCUS_ROOM = 120.0  # least distance from the focus to the first ring
LEAF_HOLE = 52.0  # radius of a big cluster's first circle of leaves, around their hub
LEAF_NEAR = 26.0  # ... of a cluster of a few leaves, all on one circle
LEAF_ROW = 26.0  # distance between two circles of a cluster
LEAF_GAP = 26.0  # least distance between two leaves on a circle of a cluster
SECTOR_GAP = 90.0  # width left empty between two of the focus's relation groups
SIBLING_FLOOR = 0.5  # a node's angle is at least this share of its siblings' mean

Group = tuple[str, str]  # (relation type, "out" from the focus or "in" to it)
UNLINKED: Group = ("~", "")  # nodes the relations do not reach


@dataclass(frozen=True, slots=True)
class Sector:
    """One of the focus's relation groups: the angle its nodes and their subtrees span."""

    relation: str
    direction: str  # "out": focus -> relation -> these; "in": these -> relation -> focus
    members: int  # the focus's neighbours in it
    nodes: int  # members and everything placed within their angle
    start: float  # radians, clockwise on the canvas (y points down)
    end: float


@dataclass(frozen=True, slots=True)
class Layout:
    positions: dict[str, tuple[float, float]]  # node id -> (x, y), the focus at (0, 0)
    sectors: tuple[Sector, ...]
    ring: dict[str, int]  # hops from the focus (a leaf: its hub's ring + 1)
    packed: frozenset[str]  # leaves in a cluster around their hub (or the focus's crowd)
    parent: dict[str, str]  # the node each node (but the focus) was reached from
    clusters: dict[str, float]  # hub -> radius of the cluster of leaves around it
    radius: float  # of the whole drawing (node centres)


def _group_key(focus: str, rel: Relation) -> Group:
    return (rel.type.value, "out" if rel.head == focus else "in")


def _circles(count: int) -> list[tuple[float, int]]:
    """A cluster's circles (radius, number of leaves on it) for `count` leaves, inside
    out, each full but the last."""
    circles: list[tuple[float, int]] = []
    radius = min(LEAF_HOLE, max(LEAF_NEAR, count * LEAF_GAP / (2 * math.pi)))
    while count > 0:
        room = max(1, int(2 * math.pi * radius / LEAF_GAP))
        circles.append((radius, min(room, count)))
        count -= room
        radius += LEAF_ROW
    return circles


def radial_layout(
    focus: str,
    nodes: Sequence[Node],
    relations: Sequence[Relation],
    pack: bool = True,
    room: float | None = None,
    first_room: float = FIRST_ROOM,
) -> Layout:
    """Positions, sectors and rings of the page of `focus`'s neighbourhood; with `pack`
    false, leaves are on rings too (a small page, where every node is named, with `room`
    in place of NODE_ROOM). `first_room`: the width of each node of the first ring."""
    ids = sorted(n.id for n in nodes)
    present = set(ids)
    around: dict[str, set[str]] = defaultdict(set)
    first_group: dict[str, Group] = {}
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
    for node in ids:  # nodes the relations do not reach (a store may return such)
        if node not in ring:
            ring[node] = 1
            children[focus].append(node)

    # Leaves go in their hub's cluster; the focus's own neighbours stay on the first ring.
    leaves = {
        n: [c for c in children[n] if not children[c]] if pack else [] for n in ids if n != focus
    }
    placed = {n: [c for c in children[n] if c not in leaves.get(n, ())] for n in ids}
    cluster = {n: _circles(len(leaves.get(n, ()))) for n in ids}
    plain = (room or NODE_ROOM) / 2
    reach = {n: (c[-1][0] + LEAF_GAP / 2 if c else plain) for n, c in cluster.items()}
    crowded = pack and len(children[focus]) > FIRST_RING_ONE_ROW
    crowd = frozenset(c for c in children[focus] if crowded and not children[c])
    for node in children[focus]:  # the focus's neighbours are named: room for it
        reach[node] = LEAF_GAP / 2 if node in crowd else max(reach[node], first_room / 2)
    reach[focus] = FOCUS_ROOM / 2

    # Width each node needs on its ring: its own cluster or its subtree's, whichever is
    # wider; a child's share of its parent's angle, by width (with the sibling floor).
    width: dict[str, float] = {}
    share: dict[str, float] = {}

    def measure(node: str) -> float:
        kids = placed[node]
        for kid in kids:
            measure(kid)
        if kids:
            floor = SIBLING_FLOOR * sum(width[k] for k in kids) / len(kids)
            for kid in kids:
                share[kid] = max(width[kid], floor)
        width[node] = max(2 * reach[node], sum(share[k] for k in kids))
        return width[node]

    first = placed[focus]
    first.sort(key=lambda n: (first_group.get(n, UNLINKED), n))
    measure(focus)
    groups = [first_group.get(n, UNLINKED) for n in first]
    gaps = sum(1 for a, b in zip(groups, groups[1:], strict=False) if a != b)
    if len(set(groups)) > 1:
        gaps += 1  # between the last group and the first, around the circle
    total = sum(share[n] for n in first) + gaps * SECTOR_GAP

    angle: dict[str, float] = {focus: 0.0}
    span: dict[str, float] = {focus: 2 * math.pi}

    def place(node: str, start: float) -> None:
        """Lay `node`'s placed children side by side in its angle, from `start`."""
        kids = placed[node]
        whole = sum(share[k] for k in kids) or 1.0
        at = start
        for kid in kids:
            span[kid] = span[node] * share[kid] / whole
            angle[kid] = at + span[kid] / 2
            place(kid, at)
            at += span[kid]

    # The first ring by hand (for the sector gaps), the rest by recursion. From the top.
    unit = 2 * math.pi / total if total else 0.0
    at = -math.pi / 2
    previous = None
    bounds: dict[Group, list[float]] = {}
    for node, group in zip(first, groups, strict=True):
        if previous is not None and group != previous:
            at += SECTOR_GAP * unit
        span[node] = share[node] * unit
        angle[node] = at + span[node] / 2
        place(node, at)
        bounds.setdefault(group, [at, at])[1] = at + span[node]
        at += span[node]
        previous = group

    # Each ring's radius: its clusters fit side by side in their angles, clear of the
    # clusters of the ring inside it. A crowded ring is staggered into a few rows (node i
    # of the ring, by angle, on row i mod rows), the count that keeps it smallest.
    by_ring: dict[int, list[str]] = defaultdict(list)
    packed = frozenset(c for cs in leaves.values() for c in cs)
    for node, k in ring.items():
        if node not in packed:
            by_ring[k].append(node)
    radius = {0: 0.0}
    offset: dict[str, float] = {}
    inner_edge = reach[focus]
    for k in range(1, max(by_ring, default=0) + 1):
        on_ring = sorted(by_ring[k], key=lambda n: (angle[n], n))
        if not on_ring:
            break
        least = radius[k - 1] + inner_edge + max(reach[n] for n in on_ring) + RING_GAP
        best = None
        most = (
            MAX_ROWS
            if k > 1
            else CROWD_ROWS
            if crowd
            else MAX_ROWS
            if len(on_ring) > FIRST_RING_ONE_ROW
            else 1
        )
        for rows in range(1, min(most, len(on_ring)) + 1):
            r, step = _ring_radius(on_ring, rows, angle, reach, least)
            edge = r + (rows - 1) * step + max(reach[n] for n in on_ring)
            if best is None or edge < best[0] - 1e-6:
                best = (edge, rows, r, step)
        edge, rows, radius[k], step = best
        for i, node in enumerate(on_ring):
            offset[node] = (i % rows) * step
        inner_edge = edge - radius[k]

    positions: dict[str, tuple[float, float]] = {}
    for node in ids:
        if node in packed:
            continue
        r, a = radius[ring[node]] + offset.get(node, 0.0), angle.get(node, 0.0)
        x, y = r * math.cos(a), r * math.sin(a)
        positions[node] = (x, y)
        start = a  # the first leaf on the far side of the hub, then around it
        remaining = iter(leaves.get(node, ()))
        for j, (circle, count) in enumerate(cluster[node]):
            for i in range(count):
                t = start + 2 * math.pi * (i + 0.5 * (j % 2)) / count  # staggered
                positions[next(remaining)] = (x + circle * math.cos(t), y + circle * math.sin(t))
    rounded = {n: (round(x, 1), round(y, 1)) for n, (x, y) in positions.items()}
    sectors = tuple(
        Sector(
            relation=group[0],
            direction=group[1],
            members=sum(1 for g in groups if g == group),
            nodes=sum(
                _subtree(n, children) for n, g in zip(first, groups, strict=True) if g == group
            ),
            start=round(start, 4),
            end=round(end, 4),
        )
        for group, (start, end) in bounds.items()
        if group != UNLINKED
    )
    extent = max((math.hypot(x, y) for x, y in rounded.values()), default=0.0)
    parent = {c: n for n, cs in children.items() for c in cs}
    clusters = {n: round(c[-1][0] + LEAF_GAP / 2, 1) for n, c in cluster.items() if c}
    return Layout(rounded, sectors, dict(ring), packed | crowd, parent, clusters, round(extent, 1))


def _ring_radius(
    on_ring: list[str],
    rows: int,
    angle: dict[str, float],
    reach: dict[str, float],
    least: float,
) -> tuple[float, float]:
    """The least radius (at least `least`) at which the nodes of a ring, by angle, on
    `rows` rows (node i on row i mod rows), keep clear of the next node on their row;
    and the distance between rows that keeps neighbours on adjacent rows clear."""
    radius = least
    for row in range(rows):
        on_row = on_ring[row::rows]
        for i, node in enumerate(on_row if len(on_row) > 1 else ()):
            other = on_row[(i + 1) % len(on_row)]
            gap = (angle[other] - angle[node]) % (2 * math.pi)
            if 0 < gap < math.pi:
                radius = max(radius, (reach[node] + reach[other]) / (2 * math.sin(gap / 2)))
            elif gap == 0:  # one angle for two nodes: cannot be
                radius = math.inf
    step = 0.0
    if rows > 1:
        pairs = zip(on_ring, on_ring[1:] + on_ring[:1], strict=True)
        step = max(reach[a] + reach[b] for a, b in pairs)
    return radius, step


def _subtree(node: str, children: dict[str, list[str]]) -> int:
    return 1 + sum(_subtree(c, children) for c in children.get(node, ()))
