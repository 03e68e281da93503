"""The embedded store's SQLite file: its schema, opening it, and telling ours from others.

One file, `graph.sqlite`, in WAL mode. Two layers of tables:

- the graph the queries read: `papers`, `entities`, `forms` (every name and alias under
  its match key, with an FTS5 trigram index for `search`), `entity_papers`, `relations`
  and `evidence`, each with the index its queries need;
- what builds wrote, so `alignkg add` can merge new papers by the same canonical keys as
  a full build: `spellings` (canonical.Spelling: type, name, aliases, proposed, links,
  and the entity its mentions are in), `mentions` (one extracted entity of one paper, as
  its spelling), `merge_keys` (the keys a spelling can merge under, each in a component
  of keys that may belong to one thing) and `raw_relations` (extracted relations, their
  ends pointing at mentions).

A graph saved whole (`EmbeddedStore.save`) has only the first layer.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from alignkg.store.base import StoreError

SCHEMA_VERSION = 5
"""Version 1 was graph.json, 2 had no entity links, 3 no title index, 4 no spellings; bump
this when the tables change
(older files: rebuild)."""

APPLICATION_ID = 0x416B6731  # "Akg1": marks the file as alignkg's (PRAGMA application_id)

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE papers (
  node_id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  data TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX papers_titles ON papers (node_id, title);

CREATE TABLE entities (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  aliases TEXT NOT NULL,
  name_folded TEXT NOT NULL,
  paper_count INTEGER NOT NULL,
  links TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX entities_by_type ON entities (type);

CREATE TABLE entity_papers (
  entity TEXT NOT NULL,
  paper TEXT NOT NULL,
  PRIMARY KEY (entity, paper)
) WITHOUT ROWID;

CREATE TABLE forms (
  id INTEGER PRIMARY KEY,
  entity TEXT NOT NULL,
  form TEXT NOT NULL,
  key TEXT NOT NULL,
  folded TEXT NOT NULL
);
CREATE INDEX forms_by_key ON forms (key);
CREATE INDEX forms_by_entity ON forms (entity);

CREATE TABLE relations (
  id INTEGER PRIMARY KEY,
  head TEXT NOT NULL,
  type TEXT NOT NULL,
  tail TEXT NOT NULL,
  UNIQUE (head, type, tail)
);
CREATE INDEX relations_by_head ON relations (head, tail);
CREATE INDEX relations_by_tail ON relations (tail, head);
CREATE INDEX relations_by_type ON relations (type);

CREATE TABLE evidence (
  relation INTEGER NOT NULL,
  pos INTEGER NOT NULL,
  paper_id TEXT NOT NULL,
  sentence TEXT NOT NULL,
  start INTEGER NOT NULL,
  "end" INTEGER NOT NULL,
  rule TEXT NOT NULL,
  confidence REAL NOT NULL,
  PRIMARY KEY (relation, pos)
) WITHOUT ROWID;

CREATE TABLE merge_keys (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  component INTEGER NOT NULL
);
CREATE INDEX merge_keys_by_component ON merge_keys (component);

CREATE TABLE components (id INTEGER PRIMARY KEY, size INTEGER NOT NULL);

CREATE TABLE spellings (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  name TEXT NOT NULL,
  aliases TEXT NOT NULL,
  proposed INTEGER NOT NULL,
  links TEXT NOT NULL,
  merge_key INTEGER NOT NULL,
  entity TEXT,
  UNIQUE (type, name, aliases, proposed, links)
);
CREATE INDEX spellings_by_key ON spellings (merge_key);
CREATE INDEX spellings_by_entity ON spellings (entity);

CREATE TABLE mentions (
  id INTEGER PRIMARY KEY,
  paper TEXT NOT NULL,
  pos INTEGER NOT NULL,
  spelling INTEGER NOT NULL
);
CREATE INDEX mentions_by_spelling ON mentions (spelling, paper, pos);

CREATE TABLE raw_relations (
  id INTEGER PRIMARY KEY,
  paper TEXT NOT NULL,
  head INTEGER,
  type TEXT NOT NULL,
  tail INTEGER,
  paper_id TEXT NOT NULL,
  sentence TEXT NOT NULL,
  start INTEGER NOT NULL,
  "end" INTEGER NOT NULL,
  rule TEXT NOT NULL,
  confidence REAL NOT NULL
);
CREATE INDEX raw_relations_by_head ON raw_relations (head);
CREATE INDEX raw_relations_by_tail ON raw_relations (tail);
CREATE INDEX raw_relations_by_paper ON raw_relations (paper, type);
"""

FTS_SCHEMA = (
    "CREATE VIRTUAL TABLE forms_fts USING fts5(folded, tokenize='trigram case_sensitive 1')"
)
"""Substring search over case-folded names and aliases; trigrams answer needles of three
characters or more, shorter ones scan `forms`."""

GRAPH_TABLES = ("papers", "entities", "entity_papers", "forms", "relations", "evidence")
BUILD_TABLES = ("merge_keys", "components", "spellings", "mentions", "raw_relations")


def has_fts5() -> bool:
    """Whether this Python's SQLite has FTS5 with the trigram tokenizer (3.34+)."""
    try:
        with sqlite3.connect(":memory:") as db:
            db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
        return True
    except sqlite3.OperationalError:
        return False


def connect(path: Path) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA foreign_keys = OFF")
        return db
    except sqlite3.Error as err:
        raise StoreError(f"cannot open {path}: {err}") from err


def unreadable(path: Path, reason: object) -> StoreError:
    return StoreError(
        f"{path}: not a readable alignkg graph ({reason}); run 'alignkg build' to rebuild it"
    )


def writable(directory: Path) -> bool:
    return os.access(directory, os.W_OK)


def not_writable(directory: Path) -> StoreError:
    """SQLite in WAL mode writes beside the file (its -wal and -shm files), even to read."""
    return StoreError(
        f"{directory} is not writable: the store needs to write SQLite's -wal and -shm "
        "files there, even to read; make it writable or copy it elsewhere"
    )


def graph_state(db: sqlite3.Connection, path: Path) -> str:
    """'empty' (no tables yet, or a first build not committed), 'ready', or raises a
    StoreError telling the user to rebuild (a corrupt, foreign or older file, or one of
    zero bytes: a first build writes a header before anything else, see `create_file`)."""
    try:
        if path.stat().st_size == 0:
            raise unreadable(path, "an empty file, the store is damaged")
    except FileNotFoundError:
        pass
    try:
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables and app_id == 0:
            return "empty"
        if app_id != APPLICATION_ID or "meta" not in tables:
            raise unreadable(path, "not a file alignkg wrote")
        meta = dict(db.execute("SELECT key, value FROM meta"))
    except sqlite3.DatabaseError as err:
        if not writable(path.parent):
            raise not_writable(path.parent) from err
        raise unreadable(path, err) from err
    if meta.get("schema") != str(SCHEMA_VERSION):
        raise unreadable(path, f"written by another alignkg version, schema {meta.get('schema')}")
    return "ready"


def create_file(path: Path) -> None:
    """A new, empty database file in WAL mode, put in place whole: it is never seen with
    zero bytes (which graph_state calls damaged)."""
    partial = path.with_name(f".{path.name}.new")
    remove_database(partial)
    db = connect(partial)
    try:
        db.execute("PRAGMA journal_mode = WAL")
    except sqlite3.Error as err:
        raise StoreError(f"cannot write {path}: {err}") from err
    finally:
        db.close()
    partial.replace(path)
    remove_database(partial)


def create_schema(db: sqlite3.Connection) -> None:
    """Inside the caller's transaction."""
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    if has_fts5():
        db.execute(FTS_SCHEMA)
    db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))


def remove_database(path: Path) -> None:
    """The file and its WAL companions (a corrupt or foreign file a build replaces)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
