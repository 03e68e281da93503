"""The embedded default store: a SQLite file under the data directory (sqlite_db.py).

Queries read only the rows they need through indexes, so a one-entity question costs the
same at 55 papers and at 200,000. Writes happen inside one transaction, under the data
directory's writer lock (lock.py): readers see the old graph until the new one is
committed, and an interrupted build leaves the previous graph intact.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from alignkg.keys import match_key
from alignkg.records import (
    PAPER_LABEL,
    Entity,
    EntityDetail,
    EntityType,
    Evidence,
    GraphStats,
    KnowledgeGraph,
    Node,
    Paper,
    Relation,
    RelationType,
    Subgraph,
)
from alignkg.serialize import paper_from_dict, paper_to_dict
from alignkg.store import lock
from alignkg.store.base import DEFAULT_NODE_CAP, StoreError
from alignkg.store.ranking import breadth_first, closest_names, resolution_rank
from alignkg.store.sqlite_db import (
    BUILD_TABLES,
    GRAPH_TABLES,
    connect,
    create_file,
    create_schema,
    graph_state,
    remove_database,
    unreadable,
)

DB_FILE = "graph.sqlite"
LEGACY_FILE = "graph.json"
"""The store of alignkg before SQLite: not read any more, the user is told to rebuild."""


def _ids(values: Iterable[str]) -> str:
    """A list of ids as one JSON parameter, for `IN (SELECT value FROM json_each(?))`."""
    return json.dumps(list(values), ensure_ascii=False)


def _rows_as_records(method):
    """A row that does not decode (bad JSON in `data`, an unknown type) means a damaged
    file: a StoreError telling the user to rebuild, never a traceback."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (ValueError, TypeError, KeyError) as err:
            raise unreadable(self.path, f"a damaged row: {err}") from None

    return wrapper


class EmbeddedStore:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DB_FILE
        self._db: sqlite3.Connection | None = None
        self._last: Entity | None = None  # resolve then neighborhood read a hub's papers once

    # --- opening ---------------------------------------------------------------------

    def _legacy_error(self) -> StoreError:
        return StoreError(
            f"{self.data_dir / LEGACY_FILE} is a graph of an older alignkg; "
            f"run 'alignkg build' to rebuild it"
        )

    def is_empty(self) -> bool:
        """No committed graph: no file, or a first build still running. A corrupt or old
        store is not empty (queries tell the user to rebuild, a first query never builds
        over it)."""
        if not self.path.exists():
            return not (self.data_dir / LEGACY_FILE).exists()
        try:
            db = connect(self.path)
            try:
                return graph_state(db, self.path) == "empty"
            finally:
                db.close()
        except StoreError:
            return False

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            if not self.path.exists():
                if (self.data_dir / LEGACY_FILE).exists():
                    raise self._legacy_error()
                raise StoreError(f"no graph in {self.data_dir}; run 'alignkg build' first")
            db = connect(self.path)
            try:
                state = graph_state(db, self.path)
            except StoreError:
                db.close()
                raise
            if state == "empty":
                db.close()
                raise StoreError(f"no graph in {self.data_dir} yet; run 'alignkg build' first")
            self._db = db
        return self._db

    def _query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as err:
            raise unreadable(self.path, err) from err

    def close(self) -> None:
        self._last = None
        if self._db is not None:
            self._db.close()
            self._db = None

    # --- writing -----------------------------------------------------------------------

    def open_for_writing(self, replace: bool) -> sqlite3.Connection:
        """A connection inside an open write transaction (BEGIN IMMEDIATE), the schema in
        place. `replace` empties the graph; a corrupt, foreign or older file is replaced
        by a new one only then. The caller holds the data directory's lock."""
        self.close()
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"cannot write {self.data_dir}: {err.strerror}") from err
        if self.path.exists():
            db = connect(self.path)
            try:
                state = graph_state(db, self.path)
            except StoreError:
                if not replace:
                    raise
                state = "unusable"
            finally:
                db.close()
            if state == "unusable":
                remove_database(self.path)
        if not self.path.exists():
            create_file(self.path)
        db = connect(self.path)
        try:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA temp_store = FILE")
            db.execute("PRAGMA cache_size = -32768")  # 32 MiB of page cache, not more
            db.execute("BEGIN IMMEDIATE")
            if graph_state(db, self.path) == "empty":
                create_schema(db)
            elif replace:
                for table in (*GRAPH_TABLES, *BUILD_TABLES):
                    db.execute(f"DELETE FROM {table}")
                if _has_table(db, "forms_fts"):
                    db.execute("DELETE FROM forms_fts")
        except sqlite3.Error as err:
            db.close()
            raise StoreError(f"cannot write {self.path}: {err}") from err
        except BaseException:
            db.close()
            raise
        return db

    def save(self, graph: KnowledgeGraph) -> None:
        """Replace the stored graph by `graph`, all or nothing (without the build tables:
        `alignkg add` needs a store that `alignkg build` wrote)."""
        with lock.writing(self.data_dir):
            db = self.open_for_writing(replace=True)
            try:
                write_graph(db, graph)
                set_meta(db, layers="graph")
                db.execute("COMMIT")
            except sqlite3.Error as err:
                db.execute("ROLLBACK")
                raise StoreError(f"cannot write {self.path}: {err}") from err
            except BaseException:
                db.execute("ROLLBACK")
                raise
            finally:
                db.close()

    # --- reading -------------------------------------------------------------------------

    def _entities(self, ids: Iterable[str]) -> dict[str, Entity]:
        # A hub's papers (tens of thousands) come as one JSON array each, read in order
        # from the (entity, paper) key: no Python row per paper.
        return {
            id_: Entity(
                id=id_,
                name=name,
                type=EntityType(type_),
                aliases=tuple(json.loads(aliases)),
                papers=tuple(json.loads(papers)),
                links=tuple(json.loads(links)),
            )
            for id_, name, type_, aliases, links, papers in self._query(
                "SELECT id, name, type, aliases, links, (SELECT json_group_array(paper) FROM "
                "(SELECT paper FROM entity_papers WHERE entity = e.id ORDER BY paper)) "
                "FROM entities e WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
                (_ids(ids),),
            )
        }

    def _papers(self, node_ids: Iterable[str]) -> dict[str, Paper]:
        return {
            node_id: paper_from_dict(json.loads(data))
            for node_id, data in self._query(
                "SELECT node_id, data FROM papers "
                "WHERE node_id IN (SELECT value FROM json_each(?))",
                (_ids(node_ids),),
            )
        }

    def _nodes(self, node_ids: Sequence[str]) -> list[Node]:
        ids = _ids(node_ids)
        found: dict[str, Node] = {
            node_id: Node(id=node_id, label=title, kind=PAPER_LABEL)
            for node_id, title in self._query(
                "SELECT node_id, title FROM papers INDEXED BY papers_titles "
                "WHERE node_id IN (SELECT value FROM json_each(?))",
                (ids,),
            )
        }
        for id_, name, type_, aliases in self._query(
            "SELECT id, name, type, aliases FROM entities "
            "WHERE id IN (SELECT value FROM json_each(?))",
            (ids,),
        ):
            found.setdefault(id_, Node(id_, name, type_, tuple(json.loads(aliases))))
        return [found[n] for n in node_ids if n in found]

    def _relations(self, where: str, params: Sequence) -> list[Relation]:
        """Relations chosen by `where` (over `relations r`), in key order, with evidence."""
        rows = self._query(
            f"SELECT r.id, r.head, r.type, r.tail FROM relations r WHERE {where}", params
        )
        rows.sort(key=lambda r: (r[1], r[2], r[3]))
        evidence: dict[int, list[Evidence]] = defaultdict(list)
        for rel, *fields in self._query(
            'SELECT relation, paper_id, sentence, start, "end", rule, confidence FROM evidence '
            "WHERE relation IN (SELECT value FROM json_each(?)) ORDER BY relation, pos",
            (json.dumps([r[0] for r in rows]),),
        ):
            evidence[rel].append(Evidence(*fields))
        return [
            Relation(head=h, type=RelationType(t), tail=tl, evidence=tuple(evidence[id_]))
            for id_, h, t, tl in rows
        ]

    @_rows_as_records
    def resolve(self, name: str) -> Entity | None:
        """Ranked on names and paper counts; only the chosen entity is read whole."""
        candidates = [
            (Entity(id_, entity_name, EntityType(type_)), count)
            for id_, entity_name, type_, count in self._query(
                "SELECT id, name, type, paper_count FROM entities WHERE id IN "
                "(SELECT entity FROM forms WHERE key = ?)",
                (match_key(name),),
            )
        ]
        if not candidates:
            return None
        best, _ = min(candidates, key=lambda c: resolution_rank(c[0], name, c[1]))
        return self._entity(best.id)

    def _entity(self, entity_id: str) -> Entity:
        if self._last is None or self._last.id != entity_id:
            self._last = self._entities([entity_id])[entity_id]
        return self._last

    @_rows_as_records
    def suggest(self, name: str, limit: int = 5) -> list[str]:
        forms = (r[0] for r in self._query("SELECT DISTINCT form FROM forms"))
        return closest_names(name, forms, limit)

    @_rows_as_records
    def neighborhood(
        self, entity_id: str, depth: int = 1, node_cap: int = DEFAULT_NODE_CAP
    ) -> Subgraph:
        focus = self._entity(entity_id)

        def neighbours_of(frontier: list[str]) -> dict[str, list[str]]:
            # Each node's first 2 * node_cap neighbours in id order are all breadth_first
            # can visit: read from the (head, tail) and (tail, head) indexes in order and
            # cut there, so a hub's thousands of papers never leave SQLite.
            limit = 2 * node_cap
            adjacent: dict[str, list[str]] = {}
            for node in frontier:
                out = self._query(
                    "SELECT tail FROM relations WHERE head = ? ORDER BY tail LIMIT ?",
                    (node, limit),
                )
                into = self._query(
                    "SELECT head FROM relations WHERE tail = ? ORDER BY head LIMIT ?",
                    (node, limit),
                )
                adjacent[node] = sorted({r[0] for r in out} | {r[0] for r in into})[:limit]
            return adjacent

        order, truncated = breadth_first(entity_id, depth, node_cap, neighbours_of)
        nodes = self._nodes(order)
        seen = {node.id for node in nodes}  # a relation to a missing node is left out
        # The relations among the nodes, by head: a node with few relations has them
        # read from the head index and kept when their tail is a node (+tail: no index
        # on it); a hub (more papers than there are nodes) is looked up at each node
        # instead, so its thousands of relations are never read.
        ids = _ids(order)
        hubs = {
            r[0]
            for r in self._query(
                "SELECT id FROM entities WHERE id IN (SELECT value FROM json_each(?)) "
                "AND paper_count > ?",
                (ids, len(order)),
            )
        }
        others = [n for n in order if n not in hubs]
        relations = [
            r
            for r in self._relations(
                "r.id IN (SELECT id FROM relations WHERE head IN (SELECT value FROM json_each(?)) "
                "AND +tail IN (SELECT value FROM json_each(?)) UNION ALL "
                "SELECT id FROM relations INDEXED BY relations_by_head "
                "WHERE head IN (SELECT value FROM json_each(?)) "
                "AND tail IN (SELECT value FROM json_each(?)))",
                (_ids(others), ids, _ids(hubs), ids),
            )
            if r.head in seen and r.tail in seen
        ]
        return Subgraph(
            focus=focus,
            depth=depth,
            nodes=tuple(nodes),
            relations=tuple(relations),
            truncated=truncated,
        )

    @_rows_as_records
    def detail(self, entity_id: str) -> EntityDetail:
        entity = self._entity(entity_id)
        relations = self._relations(
            "r.id IN (SELECT id FROM relations WHERE head = ? "
            "UNION SELECT id FROM relations WHERE tail = ?)",
            (entity_id, entity_id),
        )
        papers = self._papers(entity.papers)
        others = sorted(({r.head for r in relations} | {r.tail for r in relations}) - {entity_id})
        return EntityDetail(
            entity=entity,
            papers=tuple(papers[p] for p in entity.papers if p in papers),
            relations=tuple(relations),
            neighbours=tuple(self._nodes(others)),
        )

    @_rows_as_records
    def search(self, text: str, limit: int = 20) -> list[Entity]:
        """Names and aliases containing `text` case-insensitively (Python's casefold, as
        ranking.matches_search), ranked as ranking.search_rank: through the FTS5 trigram
        index for three characters or more."""
        needle = text.casefold()
        if len(needle) >= 3 and _has_table(self.db, "forms_fts"):
            phrase = '"' + needle.replace('"', '""') + '"'
            hits = "id IN (SELECT rowid FROM forms_fts WHERE forms_fts MATCH ?)"
            params: tuple = (phrase,)
        else:
            hits, params = "instr(folded, ?) > 0", (needle,)
        rows = self._query(
            "SELECT e.id FROM entities e JOIN ("
            "  SELECT entity, max(folded = ?) AS exact, max(substr(folded, 1, ?) = ?) AS prefix"
            f"  FROM forms WHERE {hits} GROUP BY entity"
            ") f ON f.entity = e.id "
            "ORDER BY f.exact DESC, f.prefix DESC, e.paper_count DESC, e.name_folded, e.id "
            "LIMIT ?",
            (needle, len(needle), needle, *params, limit),
        )
        found = self._entities(r[0] for r in rows)
        return [found[r[0]] for r in rows]

    @_rows_as_records
    def stats(self) -> GraphStats:
        return GraphStats(
            papers=self._query("SELECT count(*) FROM papers")[0][0],
            entities_by_type=dict(
                self._query("SELECT type, count(*) FROM entities GROUP BY type ORDER BY type")
            ),
            relations_by_type=dict(
                self._query("SELECT type, count(*) FROM relations GROUP BY type ORDER BY type")
            ),
        )

    @_rows_as_records
    def paper_ids(self, node_ids: Iterable[str]) -> set[str]:
        """Which of these paper node ids the store holds."""
        return {
            r[0]
            for r in self._query(
                "SELECT node_id FROM papers WHERE node_id IN (SELECT value FROM json_each(?))",
                (_ids(node_ids),),
            )
        }

    @_rows_as_records
    def load_graph(self) -> KnowledgeGraph:
        """The whole graph (for exports and Neo4j): memory grows with it, unlike queries."""
        graph = KnowledgeGraph()
        for node_id, data in self._query("SELECT node_id, data FROM papers ORDER BY node_id"):
            graph.papers[node_id] = paper_from_dict(json.loads(data))
        papers: dict[str, list[str]] = defaultdict(list)
        for entity, paper in self._query(
            "SELECT entity, paper FROM entity_papers ORDER BY entity, paper"
        ):
            papers[entity].append(paper)
        for id_, name, type_, aliases, links in self._query(
            "SELECT id, name, type, aliases, links FROM entities ORDER BY id"
        ):
            graph.entities[id_] = Entity(
                id_,
                name,
                EntityType(type_),
                tuple(json.loads(aliases)),
                tuple(papers[id_]),
                tuple(json.loads(links)),
            )
        for rel in self._relations("1", ()):
            graph.relations[rel.key] = rel
        return graph


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    return bool(db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone())


def set_meta(db: sqlite3.Connection, **values: str) -> None:
    db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))


def write_entities(db: sqlite3.Connection, entities: Iterable[Entity]) -> None:
    """Entities with their forms (and their search index) and papers, in few statements."""
    entities = list(entities)
    db.executemany(
        "INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                e.id,
                e.name,
                e.type.value,
                json.dumps(list(e.aliases), ensure_ascii=False),
                e.name.casefold(),
                len(e.papers),
                json.dumps(list(e.links), ensure_ascii=False),
            )
            for e in entities
        ],
    )
    db.executemany(
        "INSERT INTO entity_papers VALUES (?, ?)",
        [(e.id, p) for e in entities for p in set(e.papers)],
    )
    next_form = (db.execute("SELECT max(id) FROM forms").fetchone()[0] or 0) + 1
    forms = [
        (next_form + i, entity_id, form, match_key(form), form.casefold())
        for i, (entity_id, form) in enumerate(
            (e.id, f) for e in entities for f in dict.fromkeys((e.name, *e.aliases))
        )
    ]
    db.executemany("INSERT INTO forms VALUES (?, ?, ?, ?, ?)", forms)
    if _has_table(db, "forms_fts"):
        db.executemany(
            "INSERT INTO forms_fts (rowid, folded) VALUES (?, ?)", [(f[0], f[4]) for f in forms]
        )


def delete_entities(db: sqlite3.Connection, ids: Iterable[str]) -> None:
    ids = _ids(ids)
    if _has_table(db, "forms_fts"):
        db.execute(
            "DELETE FROM forms_fts WHERE rowid IN (SELECT id FROM forms "
            "WHERE entity IN (SELECT value FROM json_each(?)))",
            (ids,),
        )
    for table, column in (("forms", "entity"), ("entity_papers", "entity"), ("entities", "id")):
        db.execute(
            f"DELETE FROM {table} WHERE {column} IN (SELECT value FROM json_each(?))", (ids,)
        )


def write_relation(db: sqlite3.Connection, relation: Relation) -> None:
    cursor = db.execute(
        "INSERT INTO relations (head, type, tail) VALUES (?, ?, ?)",
        (relation.head, relation.type.value, relation.tail),
    )
    db.executemany(
        "INSERT INTO evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (cursor.lastrowid, pos, e.paper_id, e.sentence, e.start, e.end, e.rule, e.confidence)
            for pos, e in enumerate(relation.evidence)
        ],
    )


def write_paper(db: sqlite3.Connection, node_id: str, paper: Paper) -> None:
    db.execute(
        "INSERT INTO papers VALUES (?, ?, ?)",
        (node_id, paper.title, json.dumps(paper_to_dict(paper), ensure_ascii=False)),
    )


def write_graph(db: sqlite3.Connection, graph: KnowledgeGraph) -> None:
    for node_id, paper in graph.papers.items():
        write_paper(db, node_id, paper)
    write_entities(db, graph.entities.values())
    for relation in graph.relations.values():
        write_relation(db, relation)
