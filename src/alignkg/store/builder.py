"""Builds and adds that stream: extractions go into the store as they come, and the merge
of entities across papers (canonical.py) happens with the store, in bounded memory.

How entities merge without holding the corpus:

- every extracted entity (a canonical.Mention) is written as its spelling (type, name,
  aliases, proposed, links: the `spellings` table, one row however many papers use it),
  and each spelling with its keys: canonical's `index_keys` (every key by which it can
  meet another mention) and the slug of each of its forms (ids are slugs of names, so
  clusters whose ids could coincide are decided together). Keys that occur together are
  joined into *components*, kept in the `merge_keys` table (union by size: a small
  component is relabelled into a large one);
- at the end, each component the run touched is clustered by canonical's
  `cluster_spellings` and `assign_ids` on its own spellings (with their papers, in the
  order of their first mention by paper id, then position in the paper): as
  canonical.py's contract says, a cluster depends only on the mentions reachable through
  shared index keys, so merging a component alone gives the entities and ids of merging
  the corpus, a function of the set of papers;
- only what changed is written: an entity keeping its id, spellings and fields gets its
  new papers; a spelling moving to another entity is relabelled; relations are
  re-derived from the extracted relations whose ends moved.

So `build A` then `add B` gives the same graph as `build A+B`, and an add costs what the
new papers touch (a touched component's spellings and their papers), not the size of
the graph. Joins that start from this run's temp tables (the batch's keys, the dirty
components, the moved spellings, the affected relation keys) are written `CROSS JOIN`,
which SQLite takes in the order written: without statistics its planner would often
scan the whole of the store's table and look the temp table up instead.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby, islice
from typing import NamedTuple

from alignkg.canonical import (
    Mention,
    Spelling,
    assign_ids,
    cluster_entity,
    cluster_spellings,
    index_keys,
    mentions_of,
    spelling_key,
)
from alignkg.keys import slug
from alignkg.records import (
    PAPER_REF,
    Entity,
    EntityType,
    Evidence,
    PaperExtraction,
    Relation,
    RelationType,
    paper_node_id,
)
from alignkg.store.base import StoreError
from alignkg.store.embedded import (
    EmbeddedStore,
    delete_entities,
    set_meta,
    write_entities,
    write_paper,
    write_relation,
)

BATCH = 256
"""Papers written per round trip of merge-key lookups."""

PENDING_MENTIONS = 20_000
"""Mentions of merged components held before they are written."""

_MENTION_PREFIX = "m"


@dataclass
class AddReport:
    added: int = 0
    skipped: list[str] = field(default_factory=list)  # ids of papers already in the graph

    def as_dict(self) -> dict:
        return {"added": self.added, "skipped": len(self.skipped)}


def mention_keys(mention: Mention) -> list[str]:
    """The keys under which a mention may meet others: canonical.index_keys, and the slug
    of each form (ids are slugs of names: clusters whose ids could coincide are decided
    together). The first key names the mention's component."""
    slugs = {f"{mention.type.value}|#slug|{slug(f)}" for f in mention.forms}
    return sorted(index_keys(mention) | slugs)


def _json(values: tuple[str, ...]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _tuple(text: str) -> tuple[str, ...]:
    return () if text == "[]" else tuple(json.loads(text))


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, x):
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


class GraphBuilder:
    """Write extractions into an embedded store inside one transaction.

    Use as a context manager: `add` as many extractions as come, then `commit`; leaving
    the block without commit (an error, Ctrl-C) rolls everything back.
    """

    def __init__(self, store: EmbeddedStore, replace: bool) -> None:
        self.store = store
        self.replace = replace
        self.db: sqlite3.Connection | None = None
        self.report = AddReport()

    def __enter__(self) -> GraphBuilder:
        self.db = self.store.open_for_writing(replace=self.replace)
        db = self.db
        try:
            layers = dict(db.execute("SELECT key, value FROM meta")).get("layers")
            if not self.replace and layers == "graph":
                raise StoreError(
                    f"{self.store.path} was saved without its build tables; "
                    "run 'alignkg build' once, then 'alignkg add' works"
                )
            self.full = self.replace or layers is None
            db.execute("CREATE TEMP TABLE IF NOT EXISTS dirty (component INTEGER PRIMARY KEY)")
            db.execute("CREATE TEMP TABLE IF NOT EXISTS batch_keys (key TEXT PRIMARY KEY)")
            db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS batch_spellings "
                "(type TEXT, name TEXT, aliases TEXT, proposed INTEGER, links TEXT)"
            )
            db.execute("CREATE TEMP TABLE IF NOT EXISTS moved (mention INTEGER PRIMARY KEY)")
            db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS affected "
                "(head TEXT, type TEXT, tail TEXT, PRIMARY KEY (head, type, tail))"
            )
            db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS assigned "
                "(spelling INTEGER PRIMARY KEY, entity TEXT)"
            )
            self._next = {
                table: (db.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0) + 1
                for table in ("mentions", "merge_keys", "components", "spellings")
            }
            self._first_new_mention = self._next["mentions"]
        except BaseException:
            self._abort()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.db is not None:
            self._abort()

    def _abort(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("ROLLBACK")
        self.db.close()
        self.db = None

    def _new_id(self, table: str) -> int:
        value = self._next[table]
        self._next[table] = value + 1
        return value

    # --- writing extractions ---------------------------------------------------------

    def add(self, extractions: Iterable[PaperExtraction]) -> AddReport:
        iterator = iter(extractions)
        try:
            while batch := list(islice(iterator, BATCH)):
                self._add_batch(batch)
        except sqlite3.Error as err:
            raise StoreError(f"cannot write {self.store.path}: {err}") from err
        return self.report

    def _add_batch(self, batch: list[PaperExtraction]) -> None:
        db = self.db
        present = self.store_paper_ids({paper_node_id(x.paper.id) for x in batch})
        fresh: list[PaperExtraction] = []
        for extraction in batch:
            node_id = paper_node_id(extraction.paper.id)
            if node_id in present:
                self.report.skipped.append(extraction.paper.id)
                continue
            present.add(node_id)
            fresh.append(extraction)
        if not fresh:
            return
        mentions_in = [mentions_of(x) for x in fresh]
        first_of: dict[tuple, Mention] = {}
        for paper in mentions_in:
            for m in paper:
                first_of.setdefault(spelling_key(m), m)
        keys_of = {key: mention_keys(m) for key, m in first_of.items()}
        known = self._known_keys({k for keys in keys_of.values() for k in keys})
        key_ids = self._join(list(keys_of.values()), known)
        spelling_ids = self._spelling_ids(first_of, {s: key_ids[k[0]] for s, k in keys_of.items()})
        rows, raw = [], []
        for extraction, paper_mentions in zip(fresh, mentions_in, strict=True):
            node_id = paper_node_id(extraction.paper.id)
            write_paper(db, node_id, extraction.paper)
            in_paper: dict[str, int] = {}
            for pos, m in enumerate(paper_mentions):
                mention = self._new_id("mentions")
                rows.append((mention, node_id, pos, spelling_ids[spelling_key(m)]))
                for form in m.forms:
                    in_paper[form] = mention
            for rel in extraction.relations:
                ends = []
                for ref in (rel.head, rel.tail):
                    ends.append(None if ref == PAPER_REF else in_paper.get(ref, -1))
                if -1 in ends or ends[0] == ends[1]:
                    continue  # an end the paper never named, or a relation to itself
                e = rel.evidence
                raw.append(
                    (node_id, ends[0], rel.type.value, ends[1], e.paper_id, e.sentence)
                    + (e.start, e.end, e.rule, e.confidence)
                )
        db.executemany("INSERT INTO mentions VALUES (?, ?, ?, ?)", rows)
        db.executemany(
            "INSERT INTO raw_relations (paper, head, type, tail, paper_id, sentence, start,"
            ' "end", rule, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            raw,
        )
        self.report.added += len(fresh)

    def store_paper_ids(self, node_ids: set[str]) -> set[str]:
        rows = self.db.execute(
            "SELECT node_id FROM papers WHERE node_id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(node_ids), ensure_ascii=False),),
        )
        return {r[0] for r in rows}

    def _known_keys(self, keys: set[str]) -> dict[str, tuple[int, int]]:
        """key -> (key id, component) of the keys already stored."""
        db = self.db
        db.executemany("INSERT INTO batch_keys VALUES (?)", [(k,) for k in keys])
        rows = db.execute(
            "SELECT k.key, k.id, k.component FROM batch_keys b CROSS JOIN merge_keys k USING (key)"
        ).fetchall()
        db.execute("DELETE FROM batch_keys")
        return {key: (id_, comp) for key, id_, comp in rows}

    def _spelling_ids(self, first_of: dict[tuple, Mention], merge_key: dict[tuple, int]):
        """spelling_key -> the spelling's row id (new spellings are stored)."""
        db = self.db
        columns = {
            key: (m.type.value, m.name, _json(m.aliases), int(m.proposed), _json(m.links))
            for key, m in first_of.items()
        }
        db.executemany("INSERT INTO batch_spellings VALUES (?, ?, ?, ?, ?)", columns.values())
        stored = {
            tuple(row[:5]): row[5]
            for row in db.execute(
                "SELECT type, name, aliases, proposed, links, s.id FROM batch_spellings "
                "JOIN spellings s USING (type, name, aliases, proposed, links)"
            )
        }
        db.execute("DELETE FROM batch_spellings")
        ids, new = {}, []
        for key, row in columns.items():
            if row in stored:
                ids[key] = stored[row]
            else:
                ids[key] = self._new_id("spellings")
                new.append((ids[key], *row, merge_key[key]))
        db.executemany("INSERT INTO spellings VALUES (?, ?, ?, ?, ?, ?, ?, NULL)", new)
        return ids

    def _join(self, keys_of: list[list[str]], known: dict[str, tuple[int, int]]) -> dict[str, int]:
        """Join the components of keys that occur together; every key's key id back
        (new keys are stored). The components touched are marked dirty."""
        db = self.db
        uf = _UnionFind()
        for keys in keys_of:
            for key in keys:
                uf.union(keys[0], key)
        for key, (_, comp) in known.items():
            uf.union(("c", comp), key)
        groups: dict = defaultdict(list)
        for node in list(uf.parent):
            groups[uf.find(node)].append(node)
        key_ids: dict[str, int] = {}
        for members in groups.values():
            comps = sorted({n[1] for n in members if isinstance(n, tuple)})
            sizes = dict(
                db.execute(
                    "SELECT id, size FROM components WHERE id IN (SELECT value FROM json_each(?))",
                    (json.dumps(comps),),
                )
            )
            new_keys = [k for k in members if isinstance(k, str) and k not in known]
            if comps:
                target = max(comps, key=lambda c: (sizes.get(c, 0), -c))
                for other in comps:
                    if other != target:
                        db.execute(
                            "UPDATE merge_keys SET component = ? WHERE component = ?",
                            (target, other),
                        )
                        db.execute("DELETE FROM components WHERE id = ?", (other,))
                        db.execute("DELETE FROM dirty WHERE component = ?", (other,))
                size = sum(sizes.get(c, 0) for c in comps) + len(new_keys)
                db.execute("UPDATE components SET size = ? WHERE id = ?", (size, target))
            else:
                target = self._new_id("components")
                db.execute("INSERT INTO components VALUES (?, ?)", (target, len(new_keys)))
            db.execute("INSERT OR IGNORE INTO dirty VALUES (?)", (target,))
            rows = [(self._new_id("merge_keys"), k, target) for k in new_keys]
            db.executemany("INSERT INTO merge_keys VALUES (?, ?, ?)", rows)
            key_ids.update((k, id_) for id_, k, _ in rows)
        key_ids.update((k, id_) for k, (id_, _) in known.items())
        return key_ids

    # --- canonicalizing ----------------------------------------------------------------

    def commit(self) -> AddReport:
        """Merge the touched components, re-derive their relations, commit."""
        try:
            self._canonicalize()
            self._derive_relations()
            set_meta(self.db, layers="graph+build")
            self.db.execute("COMMIT")
        except sqlite3.Error as err:
            raise StoreError(f"cannot write {self.store.path}: {err}") from err
        self.db.close()
        self.db = None
        return self.report

    def _component_spellings(self) -> Iterator[list[SpellingRow]]:
        """For each dirty component: its spellings. A spelling's papers come as one JSON
        array (a paper twice when it has two such mentions), read from the (spelling,
        paper, pos) index."""
        fresh = (  # a full build writes every entity whole
            "'[]'"
            if self.full
            else "(SELECT json_group_array(paper) FROM mentions WHERE spelling = s.id AND id >= ?)"
        )
        cursor = self.db.execute(
            "SELECT k.component, s.id, s.type, s.name, s.aliases, s.proposed, s.links, "
            "s.entity, (SELECT json_group_array(paper) FROM mentions WHERE spelling = s.id), "
            "(SELECT json_array(paper, pos) FROM mentions WHERE spelling = s.id "
            f"ORDER BY paper, pos LIMIT 1), {fresh} "
            "FROM dirty d CROSS JOIN merge_keys k ON k.component = d.component "
            "CROSS JOIN spellings s ON s.merge_key = k.id ORDER BY d.component",
            () if self.full else (self._first_new_mention,),
        )
        for _, rows in groupby(cursor, key=lambda r: r[0]):
            yield [
                SpellingRow(*r[1:8], json.loads(r[8]), tuple(json.loads(r[9])), json.loads(r[10]))
                for r in rows
            ]

    def _canonicalize(self) -> None:
        db = self.db
        # Components are written in groups of about PENDING_MENTIONS mentions: memory
        # holds one group (or one large component), whatever the size of the graph.
        pending: list[tuple[list[SpellingRow], list[tuple[Entity, list[int]]]]] = []
        held = 0
        for spellings in self._component_spellings():
            pending.append((spellings, merge_component(spellings)))
            held += sum(len(s.papers) for s in spellings)
            if held >= PENDING_MENTIONS:
                self._write_components(pending)
                pending, held = [], 0
        self._write_components(pending)
        if not self.full:  # the relations the moved mentions had, before they move
            db.execute(
                "INSERT OR IGNORE INTO moved SELECT id FROM mentions WHERE id >= ?",
                (self._first_new_mention,),
            )
            db.execute(
                "INSERT OR IGNORE INTO moved SELECT m.id FROM assigned a "
                "CROSS JOIN mentions m ON m.spelling = a.spelling"
            )
            self._note_affected_keys()
        db.execute(
            "UPDATE spellings SET entity = "
            "(SELECT entity FROM assigned WHERE spelling = spellings.id) "
            "WHERE id IN (SELECT spelling FROM assigned)"
        )
        db.execute("DELETE FROM assigned")

    def _write_components(self, pending) -> None:
        """Write the entities of merged components: an entity that keeps its id, its
        spellings and its fields only gets its new papers; the others are replaced."""
        db = self.db
        old_members: dict[str, set[int]] = defaultdict(set)
        for spellings, _ in pending:
            for s in spellings:
                if s.entity is not None:
                    old_members[s.entity].add(s.row)
        stored = {
            row[0]: row[1:]
            for row in db.execute(
                "SELECT id, name, type, aliases, links FROM entities "
                "WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(old_members)),),
            )
        }
        grown, replaced, assigned, kept = [], [], [], set()
        for spellings, entities in pending:
            new_papers = {s.row: s.new_papers for s in spellings}
            was = {s.row: s.entity for s in spellings}
            for entity, members in entities:
                fields = (entity.name, entity.type.value, _json(entity.aliases))
                fields += (_json(entity.links),)
                if old_members.get(entity.id) == set(members) and stored.get(entity.id) == fields:
                    kept.add(entity.id)
                    papers = set().union(*(new_papers[m] for m in members))
                    grown.append((entity, papers))
                else:
                    replaced.append(entity)
                assigned += [(m, entity.id) for m in members if was[m] != entity.id]
        delete_entities(db, (e for e in old_members if e not in kept))
        write_entities(db, replaced)
        db.executemany(
            "INSERT OR IGNORE INTO entity_papers VALUES (?, ?)",
            [(e.id, p) for e, papers in grown for p in papers],
        )
        db.executemany(
            "UPDATE entities SET paper_count = ? WHERE id = ?",
            [(len(e.papers), e.id) for e, papers in grown if papers],
        )
        db.executemany("INSERT INTO assigned VALUES (?, ?)", assigned)

    _TAIL = "LEFT JOIN mentions tm ON tm.id = r.tail LEFT JOIN spellings t ON t.id = tm.spelling"
    _DERIVED = (
        "SELECT coalesce(h.entity, r.paper) AS head, r.type AS type, "
        'coalesce(t.entity, r.paper) AS tail, r.paper_id, r.start, r.rule, r."end", '
        "r.sentence, r.confidence FROM raw_relations r "
        "LEFT JOIN mentions hm ON hm.id = r.head LEFT JOIN spellings h ON h.id = hm.spelling "
        + _TAIL
    )

    def _note_affected_keys(self) -> None:
        """The relation keys the moved mentions' extracted relations map to now."""
        self.db.execute(
            "INSERT OR IGNORE INTO affected SELECT head, type, tail FROM ("
            f"{self._DERIVED} WHERE r.id IN (SELECT id FROM raw_relations WHERE head IN moved "
            "UNION SELECT id FROM raw_relations WHERE tail IN moved))"
        )

    def _derive_relations(self) -> None:
        """Relations from the extracted relations: all of them for a full build; for an
        add, each relation whose key a moved mention had or has is derived again from
        every extracted relation that maps to it."""
        db = self.db
        db.execute("DROP TABLE IF EXISTS temp.derived")
        if self.full:
            db.execute(f"CREATE TEMP TABLE derived AS {self._DERIVED}")
        else:
            self._note_affected_keys()
            stored = (
                "SELECT r.id FROM affected a CROSS JOIN relations r "
                "ON r.head = a.head AND r.type = a.type AND r.tail = a.tail"
            )
            db.execute(f"DELETE FROM evidence WHERE relation IN ({stored})")
            db.execute(f"DELETE FROM relations WHERE id IN ({stored})")
            # Every extracted relation of an affected key: through the head's mentions
            # (an entity head) or the head paper's own relations (a paper head), read
            # once for each head and type however many tails it has. CROSS JOIN keeps
            # SQLite's join order (from the few affected keys out; with no statistics
            # on the temp table it would scan raw_relations whole).
            pairs = "(SELECT DISTINCT head, type FROM affected)"
            db.execute(
                "CREATE TEMP TABLE derived AS SELECT * FROM ("
                "SELECT a.head, a.type, coalesce(t.entity, r.paper) AS tail, r.paper_id, "
                'r.start, r.rule, r."end", r.sentence, r.confidence '
                f"FROM {pairs} a CROSS JOIN spellings hs ON hs.entity = a.head "
                "CROSS JOIN mentions h ON h.spelling = hs.id "
                "CROSS JOIN raw_relations r ON r.head = h.id AND r.type = a.type "
                f"{self._TAIL} "
                "UNION ALL "
                "SELECT a.head, a.type, coalesce(t.entity, r.paper) AS tail, r.paper_id, "
                'r.start, r.rule, r."end", r.sentence, r.confidence '
                f"FROM {pairs} a CROSS JOIN raw_relations r "
                "ON r.paper = a.head AND r.head IS NULL AND r.type = a.type "
                f"{self._TAIL}"
                ") d WHERE EXISTS (SELECT 1 FROM affected a "
                "WHERE a.head = d.head AND a.type = d.type AND a.tail = d.tail)"
            )
        rows = db.execute("SELECT * FROM temp.derived ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9")
        for (head, type_, tail), group in groupby(rows, key=lambda r: r[:3]):
            if head == tail:
                continue
            evidence = tuple(
                Evidence(paper_id, sentence, start, end, rule, confidence)
                for _, _, _, paper_id, start, rule, end, sentence, confidence in dict.fromkeys(
                    group
                )
            )
            write_relation(db, Relation(head, RelationType(type_), tail, evidence))
        db.execute("DROP TABLE temp.derived")
        for table in ("moved", "affected", "dirty"):
            db.execute(f"DELETE FROM {table}")


class SpellingRow(NamedTuple):
    """One spelling of a component, as _component_spellings reads it."""

    row: int  # its row id in `spellings`
    type: str
    name: str
    aliases: str  # JSON
    proposed: int
    links: str  # JSON
    entity: str | None  # the entity it was in before this run
    papers: list[str]  # of all its mentions (a paper twice for two mentions)
    first: tuple  # (paper, position) of its first mention
    new_papers: list[str]  # of this run's mentions (none in a full build)


def merge_component(spellings: list[SpellingRow]) -> list[tuple[Entity, list[int]]]:
    """canonical.cluster_spellings and assign_ids on one component's spellings (rows of
    _component_spellings): [(entity, row ids of its spellings)]."""
    row_of: dict[int, int] = {}
    objects = []
    # In the order of each spelling's first mention (paper, position): the order the
    # mentions of a full build come in.
    for s in sorted(spellings, key=lambda s: s.first):
        spelling = Spelling(
            EntityType(s.type),
            s.name,
            _tuple(s.aliases),
            bool(s.proposed),
            _tuple(s.links),
            frozenset(s.papers),
            len(s.papers),
        )
        row_of[id(spelling)] = s.row
        objects.append(spelling)
    clusters = cluster_spellings(objects)
    ids = assign_ids(clusters)
    return [
        (cluster_entity(cluster, ids[id(cluster)]), [row_of[id(s)] for s in cluster.spellings])
        for cluster in clusters
    ]
