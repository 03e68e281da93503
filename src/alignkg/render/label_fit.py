"""Which labels a page draws at its first view, and how large: only those that fit.

The page opens fitted to a typical window (VIEW), so from the layout's size we know how
many screen pixels a canvas pixel will be. Labels are tried most important first (the
focus, its neighbours, then hubs by degree, then the rest); one is drawn if its box (the
node and the text below it) meets no box drawn already. The others keep a font so small
at that view that vis-network does not draw them (below `drawThreshold`): they appear as
one zooms in, and every label is in its node's tooltip.

No label covers another node's shape, nor the cluster of leaves around a hub: a hub's
label goes below its cluster, else above it, and only over it when neither fits.

A small page (up to SMALL_PAGE nodes) draws every node's label: there the layout is
spread out until none meets another (or its view would shrink below MIN_SPREAD of the
unspread one), then edge labels are drawn where they fit. A larger page is never spread
(that would only shrink it); its labels are at a size read at the fitted view.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

VIEW = (1300.0, 640.0)  # the drawing area the page is fitted to, screen pixels (approx.)
VIEW_MARGIN = 60.0  # canvas pixels around the drawing
LABEL_PX = 13.0  # a drawn label, screen pixels at the first view
FOCUS_PX = 19.0
EDGE_PX = 11.0
DRAW_THRESHOLD = 8  # vis-network hides a label below this many screen pixels (minus one)
HIDDEN_PX = 5.0  # a label not drawn at the first view: its size there
HIDDEN_MAX = 10.0  # ... at most, in canvas pixels
CHAR_WIDTH = 0.5  # average width of a character, in font sizes (sans-serif: 0.48 measured)
LINE = 1.2  # height of a line of text, in font sizes
LABEL_GAP = 3.0  # between a node and its label (vis-network's own margin)
SMALL_PAGE = 100  # pages up to this many nodes draw every label
SPREAD = 1.1  # factor by which a small page is spread per try
MIN_SPREAD = 0.75  # a small page is spread until its view scale would fall below this share
# of the unspread page's (its labels are then 13 * 0.75 screen pixels)


@dataclass(frozen=True, slots=True)
class Item:
    """A label to place: under a node (`size` its radius) or on an edge (size 0)."""

    key: str
    text: str
    at: tuple[float, float]
    size: float
    px: float = LABEL_PX  # screen pixels wanted at the first view
    inner: float = 0.0  # a hub's own radius, when `size` is its cluster's

    @property
    def on_edge(self) -> bool:
        return self.size == 0


@dataclass(frozen=True, slots=True)
class Fit:
    factor: float  # by which the layout was spread (1: not)
    scale: float  # screen pixels per canvas pixel at the first view
    fonts: dict[str, float]  # item key -> font size, canvas pixels
    drawn: frozenset[str]  # items drawn at the first view
    hidden: float  # font size of a label not drawn at the first view, canvas pixels
    where: dict[str, str]  # node label -> BELOW, ABOVE (its node or cluster) or OVER a hub

    def font(self, key: str) -> float:
        return self.fonts.get(key, self.hidden)


def fit_scale(points: Sequence[tuple[float, float]]) -> float:
    """Screen pixels per canvas pixel when `points` are fitted to VIEW (at most 1)."""
    if not points:
        return 1.0
    width = max(x for x, _ in points) - min(x for x, _ in points) + 2 * VIEW_MARGIN
    height = max(y for _, y in points) - min(y for _, y in points) + 2 * VIEW_MARGIN
    return min(1.0, VIEW[0] / width, VIEW[1] / height)


BELOW, ABOVE, OVER = "below", "above", "over"  # where a node's label goes


def _box(
    item: Item, font: float, factor: float, where: str = BELOW
) -> tuple[float, float, float, float]:
    x, y = item.at[0] * factor, item.at[1] * factor
    size = item.inner if where == OVER else item.size
    half = max(size, len(item.text) * CHAR_WIDTH * font / 2)
    if item.size == 0:  # an edge label, centred on the edge
        h = LINE * font / 2
        return (x - half, y - h, x + half, y + h)
    if where == ABOVE:
        return (x - half, y - size - LABEL_GAP - LINE * font, x + half, y + size)
    return (x - half, y - size, x + half, y + size + LABEL_GAP + LINE * font)


def _options(item: Item) -> tuple[str, ...]:
    if item.on_edge:
        return (BELOW,)
    return (BELOW, ABOVE, OVER) if item.inner else (BELOW, ABOVE)


def vadjust(item: Item, font: float, node_size: float, where: str) -> float:
    """vis-network's `font.vadjust` that draws a node's label where its box was fitted:
    below (or above) `item.size` from the node's centre, which is more than the node's
    own size for a hub whose leaves are around it; or over the hub (and its leaves)."""
    if where == ABOVE:
        return -round(item.size + node_size + 2 * LABEL_GAP + LINE * font, 1)
    if where == OVER:
        return 0.0
    return round(item.size - node_size, 1)


def _meets(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _dot(item: Item, factor: float) -> tuple[float, float, float, float]:
    x, y, r = item.at[0] * factor, item.at[1] * factor, item.size
    return (x - r, y - r, x + r, y + r)


def _place(items: Sequence[Item], fonts: Mapping[str, float], factor: float) -> dict[str, bool]:
    """The items drawn, in order, each with where its label goes: each drawn if its box,
    below the node (or its cluster), else above it, else over a hub's own leaves, meets
    no label drawn before it and no other node's shape or cluster."""
    dots = [(item.key, _dot(item, factor)) for item in items if not item.on_edge]
    drawn: list[tuple[float, float, float, float]] = []
    placed: dict[str, str] = {}
    for item in items:
        for where in _options(item):
            box = _box(item, fonts[item.key], factor, where)
            if any(_meets(box, other) for other in drawn):
                continue
            if any(key != item.key and _meets(box, dot) for key, dot in dots):
                continue
            drawn.append(box)
            placed[item.key] = where
            break
    return placed


def fit_labels(items: Sequence[Item], points: Sequence[tuple[float, float]]) -> Fit:
    """Fonts and drawn labels for `items`, most important first; `points`: every node."""
    scale = fit_scale(points)
    fonts = {item.key: item.px / scale for item in items}
    small = len(points) <= SMALL_PAGE
    factor = 1.0
    on_nodes = [item for item in items if not item.on_edge]
    while small and len(_place(on_nodes, fonts, factor)) < len(on_nodes):
        wider = [(x * factor * SPREAD, y * factor * SPREAD) for x, y in points]
        if fit_scale(wider) < MIN_SPREAD * scale:
            break
        factor *= SPREAD
    placed = _place(items, fonts, factor)
    scale = fit_scale([(x * factor, y * factor) for x, y in points])
    hidden = round(min(HIDDEN_MAX, HIDDEN_PX / scale), 1)
    shown = frozenset(placed)
    return Fit(
        factor=factor,
        scale=scale,
        fonts={k: (round(f, 1) if k in shown else hidden) for k, f in fonts.items()},
        drawn=shown,
        hidden=hidden,
        where=placed,
    )


def spread(point: tuple[float, float], factor: float) -> tuple[float, float]:
    return (round(point[0] * factor, 1), round(point[1] * factor, 1))


def sector_anchor(start: float, end: float, radius: float) -> tuple[float, float, str]:
    """Where a sector's name goes: beyond the drawing, at the middle of its angle, and
    which way the text runs from there (canvas textAlign)."""
    mid = (start + end) / 2
    x, y = radius * math.cos(mid), radius * math.sin(mid)
    align = "left" if math.cos(mid) > 0.35 else "right" if math.cos(mid) < -0.35 else "center"
    return (round(x, 1), round(y, 1), align)
