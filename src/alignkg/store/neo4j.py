"""The Neo4j store: the GraphStore contract over a Neo4j server, with the official driver.

Candidates are fetched by Cypher, with every user-given value a query parameter; ordering
and tie-breaking happen in Python with the rules in store/ranking.py, so the answers equal
the embedded store's. Writing is in store/neo4j_loader.py, the
mapping of records to labels and properties in store/neo4j_schema.py.

Connection: NEO4J_URI, NEO4J_USERNAME (default "neo4j"), NEO4J_PASSWORD (none: no auth),
NEO4J_DATABASE (default: the server's). Driver errors become one-line StoreErrors.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from neo4j import Driver, GraphDatabase, RoutingControl
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from alignkg.errors import AlignkgError
from alignkg.keys import match_key
from alignkg.records import (
    PAPER_LABEL,
    Entity,
    EntityDetail,
    GraphStats,
    KnowledgeGraph,
    Node,
    Relation,
    Subgraph,
    paper_node_id,
)
from alignkg.store.base import DEFAULT_NODE_CAP, StoreError
from alignkg.store.neo4j_loader import DEFAULT_BATCH_SIZE, DEFAULT_WORKERS, GraphLoader
from alignkg.store.neo4j_readonly import parameters, why_not_read_only
from alignkg.store.neo4j_schema import (
    ENTITY_LABEL,
    RELATION_TYPES,
    entity_from_props,
    match_by_id,
    paper_from_props,
    per_label,
    relation_from_props,
    split_by_label,
)
from alignkg.store.ranking import breadth_first, closest_names, pick_resolution, search_rank

DEFAULT_USERNAME = "neo4j"
CONNECTION_TIMEOUT = 10.0  # seconds to reach the server
RETRY_TIME = 30.0  # seconds a managed transaction is retried on transient errors

_RELATION_COLUMNS = (
    "RETURN startNode(r).id AS head, type(r) AS type, endNode(r).id AS tail, properties(r) AS props"
)


URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")

# The driver reports notifications from the server (a missing parameter, a deprecated
# syntax...) and retried transactions as log warnings, which Python would print on the
# terminal for want of a handler: alignkg's commands say what went wrong themselves, and
# `--verbose` shows these (show_driver_log).
_DRIVER_LOG = logging.getLogger("neo4j")
_DRIVER_LOG.addHandler(logging.NullHandler())


def show_driver_log(level: int = logging.INFO) -> None:
    """The driver's log on stderr from here on (`--verbose`)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("neo4j: %(message)s"))
    _DRIVER_LOG.addHandler(handler)
    _DRIVER_LOG.setLevel(level)


class QueryError(AlignkgError):
    """A Cypher query given by the user is wrong (syntax, a missing parameter...)."""


def redact(uri: str) -> str:
    """The URI without the credentials it may hold (bolt://user:secret@host)."""
    return re.sub(r"(?<=://)[^/?#]*@", "***@", uri)


def check_uri(uri: str) -> None:
    """A NEO4J_URI the Bolt driver can use, or a one-line StoreError (never echoing a
    password it holds)."""
    scheme, sep, rest = uri.partition("://")
    shown = redact(uri)
    if not sep or scheme.lower() not in URI_SCHEMES:
        raise StoreError(
            f"bad Neo4j settings: NEO4J_URI={shown} is not a Bolt URI; use one of "
            f"{', '.join(s + '://' for s in URI_SCHEMES)} (e.g. bolt://127.0.0.1:7687)"
        )
    if "@" in rest.split("/", 1)[0]:
        raise StoreError(
            f"bad Neo4j settings: NEO4J_URI={shown} holds credentials; give them in "
            "NEO4J_USERNAME and NEO4J_PASSWORD instead"
        )
    try:
        parsed = urlsplit(uri)
        parsed.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as err:
        raise StoreError(f"bad Neo4j settings: NEO4J_URI={shown}: {err}") from None
    if not parsed.hostname:
        raise StoreError(f"bad Neo4j settings: NEO4J_URI={shown} names no host")


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _first_line(err: Exception) -> str:
    message = getattr(err, "message", None) or str(err) or type(err).__name__
    return one_line(message.strip().splitlines()[0])


@contextmanager
def neo4j_errors(uri: str, *, user_query: bool = False) -> Iterator[None]:
    """Driver errors as one-line StoreErrors (or QueryErrors for the user's own Cypher)."""
    uri = redact(uri)
    try:
        yield
    except (ServiceUnavailable, SessionExpired) as err:
        reason = re.search(r"\(reason (.+)\)\s*$", str(err))
        raise StoreError(
            f"cannot reach Neo4j at {uri} ({reason[1] if reason else _first_line(err)}); "
            "is the server running?"
        ) from None
    except ConfigurationError as err:
        raise StoreError(f"bad Neo4j settings (NEO4J_URI={uri}): {_first_line(err)}") from None
    except ClientError as err:
        # A wrong password, or too many of them in a row (the server then waits a while).
        if isinstance(err, AuthError) or (err.code or "").startswith(
            "Neo.ClientError.Security.Authentication"
        ):
            raise StoreError(
                f"Neo4j at {uri} refused to log in ({_first_line(err)}); "
                "check NEO4J_USERNAME and NEO4J_PASSWORD"
            ) from None
        if err.code == "Neo.ClientError.Database.DatabaseNotFound":
            raise StoreError(f"Neo4j at {uri}: {_first_line(err)}") from None
        if user_query and err.code == "Neo.ClientError.Statement.AccessMode":
            raise QueryError(
                "this query would change the database; add --write to run it anyway"
            ) from None
        if user_query:
            raise QueryError(f"Cypher error: {_first_line(err)}") from None
        raise StoreError(f"Neo4j at {uri} rejected a query: {_first_line(err)}") from None
    except Neo4jError as err:
        raise StoreError(f"Neo4j at {uri} failed: {_first_line(err)}") from None
    except DriverError as err:
        raise StoreError(f"Neo4j driver error ({uri}): {_first_line(err)}") from None
    except (ValueError, OverflowError) as err:  # a value the driver cannot send
        if user_query:
            raise QueryError(f"a parameter cannot be sent to Neo4j: {_first_line(err)}") from None
        raise StoreError(f"Neo4j at {uri}: {_first_line(err)}") from None


def _translated(method: Callable) -> Callable:
    @functools.wraps(method)
    def wrapper(self: Neo4jStore, *args, **kwargs):
        with neo4j_errors(self.uri):
            return method(self, *args, **kwargs)

    return wrapper


class Neo4jStore:
    def __init__(
        self,
        driver: Driver,
        database: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        uri: str = "neo4j",
        workers: int = DEFAULT_WORKERS,
    ) -> None:
        self.driver = driver
        self.database = database
        self.batch_size = batch_size
        self.uri = uri
        self.workers = workers  # write transactions in flight during a load

    @classmethod
    def from_env(
        cls,
        database: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        **driver_config: Any,
    ) -> Neo4jStore:
        """A store on the server named by NEO4J_URI, checked to answer. The password is
        only ever read from the environment."""
        uri = os.environ.get("NEO4J_URI", "").strip()
        if not uri:
            raise StoreError(
                "NEO4J_URI is not set: export NEO4J_URI, NEO4J_USERNAME and NEO4J_PASSWORD "
                '(eval "$(scripts/neo4j-local start)" does it for a local server)'
            )
        check_uri(uri)
        password = os.environ.get("NEO4J_PASSWORD")
        user = os.environ.get("NEO4J_USERNAME") or DEFAULT_USERNAME
        auth = (user, password) if password else None
        database = database or os.environ.get("NEO4J_DATABASE") or None
        config = {
            "connection_timeout": CONNECTION_TIMEOUT,
            "max_transaction_retry_time": RETRY_TIME,
            **driver_config,
        }
        with neo4j_errors(uri):
            driver = GraphDatabase.driver(uri, auth=auth, **config)
            try:
                driver.verify_connectivity()
                # Names the database: a wrong --database fails here, not mid-command.
                driver.execute_query("RETURN 1", database_=database, routing_=RoutingControl.READ)
            except BaseException:
                driver.close()
                raise
        return cls(driver, database=database, batch_size=batch_size, uri=redact(uri))

    @property
    def where(self) -> str:
        """The server and database, for messages."""
        return f"Neo4j at {self.uri}" + (f" (database {self.database})" if self.database else "")

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- plumbing ------------------------------------------------------------------------

    def _read(self, query: str, **params: Any) -> list:
        records, _, _ = self.driver.execute_query(
            query, params, database_=self.database, routing_=RoutingControl.READ
        )
        return records

    def session(self):
        return self.driver.session(database=self.database)

    def run(self, query: str, params: dict[str, Any] | None = None, *, write: bool = False):
        """The user's own Cypher: (column names, records). Read-only unless `write`: a
        statement that can write or act is refused before it is sent
        (store/neo4j_readonly.py), and the rest runs in a READ transaction, which the
        server does not let write."""
        params = params or {}
        if not write and (reason := why_not_read_only(query)):
            raise QueryError(f"refused without --write: {reason}; add --write to run it anyway")
        if missing := sorted(parameters(query) - set(params)):
            listed = ", ".join(f"${name}" for name in missing)
            raise QueryError(
                f"the query needs {listed}: give a value with --param {missing[0]}=VALUE"
            )
        with neo4j_errors(self.uri, user_query=True):
            routing = RoutingControl.WRITE if write else RoutingControl.READ
            records, _, keys = self.driver.execute_query(
                query, params, database_=self.database, routing_=routing
            )
        return keys, records

    # --- writing -------------------------------------------------------------------------

    @_translated
    def save(self, graph: KnowledgeGraph, on_batch: Callable[[str, int], None] | None = None):
        """Replace the stored graph by `graph` (batched; see neo4j_loader: idempotent, and
        complete after a re-run, but not atomic)."""
        GraphLoader(
            self.driver, self.database, self.batch_size, on_batch, self.workers, self.where
        ).save(graph)

    @_translated
    def apply_schema(self) -> None:
        """The constraints and indexes of cypher/schema.cypher (after a bulk import)."""
        loader = GraphLoader(self.driver, self.database, where=self.where)
        try:
            loader.apply_schema()
        finally:
            loader.close()

    # --- reading -------------------------------------------------------------------------

    @_translated
    def is_empty(self) -> bool:
        records = self._read(
            "RETURN EXISTS { MATCH (n:Paper) } OR EXISTS { MATCH (n:Entity) } AS found"
        )
        return not records[0]["found"]

    def _entities(self, where: str = "", **params: Any) -> list[Entity]:
        records = self._read(f"MATCH (n:Entity) {where} RETURN n {{.*}} AS props", **params)
        return [entity_from_props(r["props"]) for r in records]

    def _relations(self, query: str, **params: Any) -> list[Relation]:
        """Relations from rows of (head, type, tail, props), sorted by key like the
        embedded store's, and only of alignkg's types."""
        records = self._read(query, types=list(RELATION_TYPES), **params)
        relations = [
            relation_from_props(r["head"], r["type"], r["tail"], r["props"]) for r in records
        ]
        return sorted(relations, key=lambda rel: rel.key)

    @_translated
    def load_graph(self) -> KnowledgeGraph:
        papers = [
            paper_from_props(r["props"])
            for r in self._read("MATCH (n:Paper) RETURN n {.*} AS props")
        ]
        entities = self._entities()
        relations = self._relations(
            f"MATCH (:Paper|Entity)-[r]->(:Paper|Entity) WHERE type(r) IN $types "
            f"{_RELATION_COLUMNS}"
        )
        return KnowledgeGraph(
            papers={paper_node_id(p.id): p for p in sorted(papers, key=lambda p: p.id)},
            entities={e.id: e for e in sorted(entities, key=lambda e: e.id)},
            relations={rel.key: rel for rel in relations},
        )

    @_translated
    def resolve(self, name: str) -> Entity | None:
        candidates = self._entities("WHERE $key IN n.keys", key=match_key(name))
        return pick_resolution(candidates, name)

    @_translated
    def suggest(self, name: str, limit: int = 5) -> list[str]:
        records = self._read("MATCH (n:Entity) RETURN n.name AS name, n.aliases AS aliases")
        forms = {f for r in records for f in (r["name"], *(r["aliases"] or ()))}
        return closest_names(name, forms, limit)

    def _entity(self, entity_id: str) -> Entity:
        found = self._entities("WHERE n.id = $id", id=entity_id)
        if not found:
            raise KeyError(entity_id)
        return found[0]

    def _neighbours(self, ids: list[str]) -> dict[str, list[str]]:
        records = self._read(
            per_label(
                "MATCH (n)--(m) WHERE m:Paper OR m:Entity "
                "RETURN id, collect(DISTINCT m.id) AS neighbours"
            ),
            **split_by_label(ids),
        )
        return {r["id"]: r["neighbours"] for r in records}

    def _nodes(self, ids: Iterable[str]) -> list[Node]:
        """Nodes for `ids`, in that order."""
        ids = list(ids)
        records = self._read(
            per_label("RETURN n {.*} AS props, labels(n) AS labels"), **split_by_label(ids)
        )
        by_id = {}
        for r in records:
            props = r["props"]
            if PAPER_LABEL in r["labels"]:
                by_id[props["id"]] = Node(id=props["id"], label=props["title"], kind=PAPER_LABEL)
            else:
                entity = entity_from_props(props)
                by_id[entity.id] = Node(
                    id=entity.id,
                    label=entity.name,
                    kind=entity.type.value,
                    aliases=entity.aliases,
                )
        return [by_id[node_id] for node_id in ids]

    @_translated
    def neighborhood(
        self, entity_id: str, depth: int = 1, node_cap: int = DEFAULT_NODE_CAP
    ) -> Subgraph:
        focus = self._entity(entity_id)
        order, truncated = breadth_first(entity_id, depth, node_cap, self._neighbours)
        relations = self._relations(
            per_label(
                f"MATCH (n)-[r]->(m) WHERE type(r) IN $types AND m.id IN $all {_RELATION_COLUMNS}"
            ),
            all=order,
            **split_by_label(order),
        )
        return Subgraph(
            focus=focus,
            depth=depth,
            nodes=tuple(self._nodes(order)),
            relations=tuple(relations),
            truncated=truncated,
        )

    @_translated
    def detail(self, entity_id: str) -> EntityDetail:
        entity = self._entity(entity_id)
        relations = self._relations(
            f"MATCH {match_by_id('n', ENTITY_LABEL, '$id')}-[r]-() WHERE type(r) IN $types "
            f"{_RELATION_COLUMNS}",
            id=entity_id,
        )
        records = self._read(
            f"UNWIND $ids AS id MATCH {match_by_id('n', PAPER_LABEL)} RETURN n {{.*}} AS props",
            ids=list(entity.papers),
        )
        by_id = {r["props"]["id"]: paper_from_props(r["props"]) for r in records}
        others = sorted(({r.head for r in relations} | {r.tail for r in relations}) - {entity_id})
        return EntityDetail(
            entity=entity,
            papers=tuple(by_id[p] for p in entity.papers),
            relations=tuple(relations),
            neighbours=tuple(self._nodes(others)),
        )

    @_translated
    def search(self, text: str, limit: int = 20) -> list[Entity]:
        hits = self._entities(
            "WHERE any(form IN n.search_forms WHERE form CONTAINS $needle)",
            needle=text.casefold(),
        )
        return sorted(hits, key=lambda e: search_rank(e, text))[:limit]

    @_translated
    def stats(self) -> GraphStats:
        papers = self._read("MATCH (n:Paper) RETURN count(n) AS n")[0]["n"]
        entities: dict[str, int] = defaultdict(int)
        for r in self._read("MATCH (n:Entity) RETURN n.type AS type, count(n) AS n"):
            entities[r["type"]] += r["n"]
        relations = {
            r["type"]: r["n"]
            for r in self._read(
                "MATCH ()-[r]->() WHERE type(r) IN $types RETURN type(r) AS type, count(r) AS n",
                types=list(RELATION_TYPES),
            )
        }
        return GraphStats(
            papers=papers,
            entities_by_type=dict(sorted(entities.items())),
            relations_by_type=dict(sorted(relations.items())),
        )
