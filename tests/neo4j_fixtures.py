"""Fixtures for tests against a real Neo4j server, never a mock.

Use with `pytest_plugins = ["neo4j_fixtures"]` in a test module and mark the tests
`@pytest.mark.neo4j`. The server is the one named by NEO4J_URI, NEO4J_USERNAME and
NEO4J_PASSWORD (`eval "$(scripts/neo4j-local start)"` sets them). Without NEO4J_URI, or
with the server unreachable, the tests skip; when the environment variable CI is set they
fail instead, so CI cannot pass without running them.

Every test that takes `neo4j_store` starts from an empty database: the fixture WIPES the
database it connects to (MATCH (n) DETACH DELETE n). Point NEO4J_URI at a test server.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from alignkg.records import KnowledgeGraph
from alignkg.store.base import StoreError
from alignkg.store.neo4j import Neo4jStore


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the Neo4j tests must run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def neo4j_server() -> None:
    """Checked once per session: the server answers, with these credentials."""
    if not os.environ.get("NEO4J_URI"):
        _unavailable(
            'NEO4J_URI is not set: run `eval "$(scripts/neo4j-local start)"` for the Neo4j tests'
        )
    try:
        Neo4jStore.from_env().close()
    except StoreError as err:
        _unavailable(f"Neo4j is not usable: {err}")


def wipe(store: Neo4jStore) -> None:
    store.driver.execute_query("MATCH (n) DETACH DELETE n", database_=store.database)


@pytest.fixture
def neo4j_store(neo4j_server) -> Iterator[Neo4jStore]:
    """A store on an empty database (wiped first)."""
    store = Neo4jStore.from_env()
    wipe(store)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def neo4j_counts(neo4j_store) -> Callable[[], tuple[int, int]]:
    """Counts every node and relationship in the database, whatever its label or type."""

    def counts() -> tuple[int, int]:
        with Neo4jStore.from_env() as store:
            records, _, _ = store.driver.execute_query(
                "CALL () { MATCH (n) RETURN count(n) AS nodes } "
                "CALL () { MATCH ()-[r]->() RETURN count(r) AS rels } RETURN nodes, rels",
                database_=store.database,
            )
        return records[0]["nodes"], records[0]["rels"]

    return counts


@pytest.fixture(scope="session")
def corpus_graph() -> KnowledgeGraph:
    """The graph of the bundled default corpus, as `alignkg build` makes it."""
    try:
        from alignkg.pipeline import build_graph_from_corpus

        return build_graph_from_corpus(None)
    except (ImportError, OSError) as err:  # no extractor or no spaCy model yet
        pytest.skip(f"the default corpus cannot be built here: {err}")
