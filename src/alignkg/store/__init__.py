"""Graph stores: the embedded default (a JSON file + networkx) and Neo4j, one contract."""

from __future__ import annotations

import os
from pathlib import Path

from alignkg.store.base import DEFAULT_NODE_CAP, GraphStore, StoreError

__all__ = ["DEFAULT_NODE_CAP", "GraphStore", "StoreError", "default_data_dir", "open_store"]

BACKENDS = ("embedded", "neo4j")


def default_data_dir() -> Path:
    """$ALIGNKG_DATA_DIR, else $XDG_DATA_HOME/alignkg, else ~/.local/share/alignkg."""
    if env := os.environ.get("ALIGNKG_DATA_DIR"):
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "alignkg"


def open_store(backend: str = "embedded", data_dir: Path | None = None, **options) -> GraphStore:
    if backend == "embedded":
        from alignkg.store.embedded import EmbeddedStore

        return EmbeddedStore(data_dir or default_data_dir())
    if backend == "neo4j":
        from alignkg.store.neo4j import Neo4jStore

        return Neo4jStore.from_env(**options)
    raise StoreError(f"unknown backend {backend!r}; choose one of: {', '.join(BACKENDS)}")
