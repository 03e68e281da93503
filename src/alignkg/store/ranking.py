"""Ordering rules shared by every store, so both give the same answer in the same order."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

from alignkg.keys import match_key
from alignkg.records import Entity


def resolution_rank(entity: Entity, name: str, paper_count: int | None = None) -> tuple:
    """Among entities whose name or alias matches `name`: exact spelling of the name first,
    then the name over an alias, then the most-cited, then the id. A store may give the
    paper count instead of the papers themselves."""
    return (
        entity.name != name,
        entity.name.casefold() != name.casefold(),
        match_key(entity.name) != match_key(name),
        -(len(entity.papers) if paper_count is None else paper_count),
        entity.id,
    )


def pick_resolution(candidates: Iterable[Entity], name: str) -> Entity | None:
    return min(candidates, key=lambda e: resolution_rank(e, name), default=None)


def search_rank(entity: Entity, text: str) -> tuple:
    needle = text.casefold()
    forms = [entity.name.casefold(), *(a.casefold() for a in entity.aliases)]
    return (
        needle not in forms,
        not any(f.startswith(needle) for f in forms),
        -len(entity.papers),
        entity.name.casefold(),
        entity.id,
    )


def matches_search(entity: Entity, text: str) -> bool:
    needle = text.casefold()
    return any(needle in f.casefold() for f in (entity.name, *entity.aliases))


def closest_names(name: str, known_names: Iterable[str], limit: int = 5) -> list[str]:
    """Suggestions for an unknown name: fuzzy matches on the names and aliases given."""
    by_folded: dict[str, str] = {}
    for known in sorted(known_names):
        by_folded.setdefault(known.casefold(), known)
    close = difflib.get_close_matches(name.casefold(), list(by_folded), n=limit, cutoff=0.6)
    contains = [f for f in sorted(by_folded) if name.casefold() in f and f not in close]
    return [by_folded[f] for f in (close + contains)[:limit]]


def breadth_first(
    start: str,
    depth: int,
    node_cap: int,
    neighbours_of: Callable[[list[str]], dict[str, list[str]]],
) -> tuple[list[str], bool]:
    """Nodes within `depth` hops of `start` in visiting order, and whether `node_cap` cut
    them. Neighbours are visited in id order, so the cap always keeps the nearest nodes.
    `neighbours_of` answers for a whole frontier at once (one query for a remote store);
    it may give each node only its first 2 * `node_cap` neighbours in id order: no more
    are ever visited (at most `node_cap` of them are already seen)."""
    order, frontier, seen = [start], [start], {start}
    truncated = False
    for _ in range(depth):
        adjacent = neighbours_of(frontier) if frontier else {}
        next_frontier = []
        for node in frontier:
            for neighbour in sorted(adjacent.get(node, ())):
                if neighbour in seen:
                    continue
                if len(order) >= node_cap:
                    truncated = True
                    break
                seen.add(neighbour)
                order.append(neighbour)
                next_frontier.append(neighbour)
        frontier = next_frontier
        if truncated:  # the cap is reached: nothing further can be added
            break
    return order, truncated
