"""Canonicalization: one node per real thing, and no more.

Per-paper extractions are merged into a KnowledgeGraph. The unit of merging is a
`Mention`: one extracted entity of one paper (its type, name, aliases, and whether the
paper proposes or introduces it). Merging never depends on the order of the papers.

The contract (the embedded store's incremental `add` relies on it)
-------------------------------------------------------------------

1. `merge_keys(mention)` is pure: it reads nothing but the mention. Every key is
   qualified by the entity type, so things of different types never merge. It gives
   - `strong`: the variant key (`variant_key`) of each spelled-out form ("Support Vector
     Machines", "Dromedary-2"): case, hyphens, spaces, plurals, function words and
     spelling variants ("fine-tuning"/"finetuning") folded, sizes and versions kept
     ("GPT-4" vs "GPT-4o", "LLaMA-2-70b" vs "LLaMA-2-Chat-70b").
   - `weak`: the variant key of each acronym-like form ("DPO", "SVMs", "GPT-4") of a
     mention that spells out none of its forms (a bare mention).
   - `claims`: the keys a mention answers to: its strong keys and the variant keys of its
     acronym-like forms.
2. `cluster_mentions(mentions)` forms the clusters in three steps, each a function of the
   set of mentions only:
   a. mentions sharing a strong key are one cluster (union-find);
   b. two clusters claiming one acronym are one when their long forms are the same up
      to an acronym inside one of them ("RL from Human Feedback" / "Reinforcement
      Learning from Human Feedback" for RLHF; not "Text Preference Optimization" /
      "timestep-segment preference optimization" for TPO): `long_forms_agree`;
   c. bare mentions (weak keys only) sharing a weak key are one group, which joins the
      dominant cluster claiming one of its keys (most papers, then `_content_order`),
      or stays a cluster of its own when none does. A bare acronym never joins two
      clusters: the same acronym spelled out differently stays apart (PAS, TPO). A
      group made only of papers' own proposals ("our method, PAS") joins only an
      established name, one that two papers or more mention ("we propose an LSTM ..."
      next to a hundred papers' LSTM), not another paper's coinage. Every choice in c
      reads the clusters of a and b, never another choice of c.
3. Ids (`assign_ids`): "<type>/<slug of the canonical name>", where the canonical name is
   the name most mentions use. Clusters whose ids would coincide (homonyms) are told
   apart by content, never by build order: the dominant one keeps the plain id, the
   others get the slug of their own most used long form
   (`method/tpo-timestep-segment-preference-optimization`), or a short hash of their
   content when they have none.

Incremental use: a cluster depends only on the mentions reachable from it through
shared `index_keys` (strong, weak and claimed keys). To add papers to a stored graph,
fetch the stored mentions that share an index key with a new mention, closed
transitively; run `cluster_mentions` on those plus the new mentions; replace the clusters
they formed; and run `assign_ids` again over every cluster whose plain id (`base_id`) was
touched. The result is the graph a full build of all the papers gives.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib.resources import files

from alignkg.keys import GREEK_NAMES, has_two_capitals, slug
from alignkg.records import (
    PAPER_REF,
    Entity,
    EntityType,
    Evidence,
    KnowledgeGraph,
    PaperExtraction,
    Relation,
    RelationType,
    paper_node_id,
)

_PROPOSING = frozenset({RelationType.PROPOSES, RelationType.INTRODUCES})


# --- variant keys --------------------------------------------------------------------


@dataclass(frozen=True)
class _VariantRules:
    function_words: frozenset[str]
    same_word: dict[str, str]
    plural_keeps: frozenset[str]
    head_nouns: frozenset[str]
    same_ending: tuple[tuple[str, str], ...]


@cache
def _rules() -> _VariantRules:
    raw = json.loads((files("alignkg") / "data" / "name_variants.json").read_text("utf-8"))
    return _VariantRules(
        frozenset(raw["function_words"]),
        dict(raw["same_word"]),
        frozenset(raw["plural_keeps"]),
        frozenset(raw["head_nouns"]),
        tuple((a, b) for a, b in raw["same_ending"].items()),
    )


_TOKEN = re.compile(r"[^\W_]+|\*")


def is_acronym_like(form: str) -> bool:
    """A short name without spaces and with two capitals: "DPO", "SVMs", "GPT-4", "f-DPO"."""
    return len(form) <= 10 and " " not in form and has_two_capitals(form)


def _singular(token: str, original: str, keeps: frozenset[str]) -> str:
    if original[:-1].isupper() and original.endswith("s") and len(original) >= 3:
        return token[:-1]  # "SVMs", "LLMs"; not "ARMS"
    if len(token) <= 3 or not token.isalpha() or original.isupper() or token in keeps:
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith(("sses", "xes", "ches", "shes")):
        return token[:-2]
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def _words(form: str) -> list[tuple[str, str]]:
    """(key word, original word) pairs: NFKC, Greek letters spelled out, case-folded,
    singular, spelling variants
    folded ("fine-tuning" -> "tuning", "convolutional" -> "convolution"), lower-case
    function words dropped, and a generic head noun after two words or more ("model",
    "network")."""
    rules = _rules()
    originals = _TOKEN.findall(unicodedata.normalize("NFKC", form).translate(GREEK_NAMES))
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(originals):
        original = originals[i]
        word = original.casefold()
        if i + 1 < len(originals):  # "fine tuning" / "fine-tuning" are "finetuning"
            joined = word + originals[i + 1].casefold()
            if joined in rules.same_word:
                original, word = originals[i] + originals[i + 1], joined
                i += 1
        i += 1
        word = rules.same_word.get(word, word)
        if word in rules.function_words and original.islower():
            continue
        word = _singular(word, original, rules.plural_keeps)
        for ending, replacement in rules.same_ending:
            if word.endswith(ending) and len(word) > len(ending) + 3:
                word = word[: -len(ending)] + replacement
        out.append((word, original))
    while len(out) >= 3 and out[-1][0] in rules.head_nouns:
        out.pop()  # "Bradley-Terry model", "long short-term memory networks"
    return out or [(o.casefold(), o) for o in originals]


@lru_cache(maxsize=1 << 18)
def variant_key(form: str) -> str:
    """One key for the spelling variants of a name: "Support Vector Machines", "support
    vector machine" -> "supportvectormachine"; "RL from Human Feedback", "RL with human
    feedback" -> "rlhumanfeedback". Sizes and versions stay: "gpt4" vs "gpt4o"."""
    return "".join(word for word, _ in _words(form))


def long_forms_agree(a: str, b: str) -> bool:
    """The same long form up to an acronym inside one of them standing for words of the
    other: "RL from Human Feedback" / "Reinforcement Learning from Human Feedback"."""
    wa, wb = _words(a), _words(b)
    return _agree(wa, 0, wb, 0) or _agree(wb, 0, wa, 0)


def _has_inner_acronym(form: str) -> bool:
    return any(has_two_capitals(w) for w in _TOKEN.findall(form)) and " " in form


def _agree(a: list[tuple[str, str]], i: int, b: list[tuple[str, str]], j: int) -> bool:
    # Iterative over equal words, recursive only where an inner acronym may expand.
    while i < len(a) and j < len(b):
        word, original = a[i]
        if word == b[j][0]:
            i, j = i + 1, j + 1
            continue
        letters = [c.casefold() for c in original if c.isupper()]
        if len(letters) >= 2 and len(letters) == len(original.rstrip("s")):
            span = [w for w, _ in b[j : j + len(letters)]]
            if len(span) == len(letters) and all(
                w.startswith(c) for w, c in zip(span, letters, strict=True)
            ):
                return _agree(a, i + 1, b, j + len(letters))
        return False
    return i == len(a) and j == len(b)


# --- mentions and their keys ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mention:
    """One extracted entity of one paper: what merging works on."""

    paper: str  # the paper's node id
    type: EntityType
    name: str
    aliases: tuple[str, ...] = ()
    proposed: bool = False  # the paper proposes or introduces it
    links: tuple[str, ...] = ()  # pages describing it (the lexicon's), carried to the entity

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class Spelling:
    """The mentions of one spelling (type, name, aliases, proposed, links) in a set of
    mentions: all that clustering reads of them, whatever their number. Mentions spelled
    alike share every key, so they always end in one cluster."""

    type: EntityType
    name: str
    aliases: tuple[str, ...]
    proposed: bool
    links: tuple[str, ...]
    papers: frozenset[str]  # the papers' node ids
    count: int  # how many mentions (a paper may have two)

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def spelling_key(mention: Mention) -> tuple:
    return (mention.type, mention.name, mention.aliases, mention.proposed, mention.links)


def spellings_of(mentions: Iterable[Mention]) -> list[Spelling]:
    """The spellings of `mentions`, in the order their first mention comes."""
    papers: dict[tuple, list[str]] = {}
    for mention in mentions:
        papers.setdefault(spelling_key(mention), []).append(mention.paper)
    return [Spelling(*key, frozenset(found), len(found)) for key, found in papers.items()]


@dataclass(frozen=True, slots=True)
class MergeKeys:
    strong: frozenset[str]
    weak: frozenset[str]
    claims: frozenset[str]
    long_forms: tuple[str, ...]  # spelled-out forms of a mention that has acronym forms


def merge_keys(mention: Mention | Spelling) -> MergeKeys:
    """The keys a mention merges by (see the module docstring). Pure."""
    t = mention.type.value
    short = sorted({f for f in mention.forms if is_acronym_like(f)})
    spelled = sorted({f for f in mention.forms if not is_acronym_like(f)})
    strong = {f"{t}|{variant_key(f)}" for f in spelled}
    acronyms = {f"{t}|{variant_key(f)}" for f in short}
    return MergeKeys(
        frozenset(strong),
        frozenset(acronyms if not spelled else ()),
        frozenset(strong | acronyms),
        tuple(spelled) if short else (),
    )


def index_keys(mention: Mention | Spelling) -> frozenset[str]:
    """Every key by which a mention can meet another: what an incremental store indexes."""
    keys = merge_keys(mention)
    return keys.strong | keys.weak | keys.claims


def mentions_of(extraction: PaperExtraction) -> list[Mention]:
    paper = paper_node_id(extraction.paper.id)
    proposed = {
        rel.tail for rel in extraction.relations if rel.head == PAPER_REF and rel.type in _PROPOSING
    }
    return [
        Mention(paper, e.type, e.name, tuple(e.aliases), e.name in proposed, tuple(e.links))
        for e in extraction.entities
    ]


# --- clusters ------------------------------------------------------------------------


@dataclass(eq=False)
class Cluster:
    """Mentions believed to name one thing, as their spellings."""

    type: EntityType
    spellings: list[Spelling] = field(default_factory=list)

    @property
    def papers(self) -> set[str]:
        return set().union(*(s.papers for s in self.spellings))

    @property
    def surface_forms(self) -> set[str]:
        return {f for s in self.spellings for f in s.forms}

    @property
    def links(self) -> tuple[str, ...]:
        return tuple(sorted({link for s in self.spellings for link in s.links}))

    def canonical_name(self) -> str:
        # The name most mentions use; ties go to the shorter, the one without spaces
        # ("Dromedary-2"), then the alphabetical first.
        names: Counter[str] = Counter()
        for s in self.spellings:
            names[s.name] += s.count
        return min(names, key=lambda n: (-names[n], len(n), " " in n, n))

    def long_form(self) -> str | None:
        """The most used spelled-out form that is not the name (for homonyms' ids)."""
        name = self.canonical_name()
        counts: Counter[str] = Counter()
        for s in self.spellings:
            for f in s.forms:
                if f != name and not is_acronym_like(f):
                    counts[f] += s.count
        if not counts:
            return None
        return min(counts, key=lambda f: (-counts[f], f))


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:  # the smaller index stays the root: no dependence on call order
            self.parent[max(ri, rj)] = min(ri, rj)


def _content_order(cluster: Cluster) -> tuple:
    """A total order of clusters by content alone: more papers first."""
    papers = cluster.papers
    return (-len(papers), sorted({variant_key(f) for f in cluster.surface_forms}), sorted(papers))


def cluster_mentions(mentions: Sequence[Mention]) -> list[Cluster]:
    """The clusters of a set of mentions (see the module docstring), in content order."""
    return cluster_spellings(spellings_of(mentions))


def cluster_spellings(mentions: Sequence[Spelling]) -> list[Cluster]:
    """cluster_mentions on the mentions' spellings (spellings_of: in the order of their
    first mention, which keeps every tie as cluster_mentions breaks it)."""
    keys = [merge_keys(m) for m in mentions]
    uf = _UnionFind(len(mentions))
    # a. shared strong keys
    first_with: dict[str, int] = {}
    for i, k in enumerate(keys):
        for key in k.strong:
            uf.union(first_with.setdefault(key, i), i)
    # b. long forms of one acronym that agree
    by_acronym: dict[str, dict[str, int]] = defaultdict(dict)  # acronym -> long form -> mention
    for i, k in enumerate(keys):
        for key in k.claims - k.strong:
            for form in k.long_forms:
                by_acronym[key].setdefault(form, i)
    for forms in by_acronym.values():
        # Only a long form with an acronym inside can agree with a differently keyed one.
        inner = [(f, i) for f, i in sorted(forms.items()) if _has_inner_acronym(f)]
        for form_a, i in inner:
            for form_b, j in sorted(forms.items()):
                if uf.find(i) != uf.find(j) and long_forms_agree(form_a, form_b):
                    uf.union(i, j)
    # c. bare mentions: the uses of one weak key are one group; a paper's own (proposed)
    # bare acronym is a group of its own
    for i, k in enumerate(keys):
        for key in k.weak:
            uf.union(first_with.setdefault(f"weak:{key}", i), i)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(mentions)):
        groups[uf.find(i)].append(i)
    clusters = {
        root: Cluster(mentions[root].type, [mentions[i] for i in members])
        for root, members in groups.items()
    }
    claimants: dict[str, list[int]] = defaultdict(list)
    for root, members in groups.items():
        if not keys[root].weak:
            for key in {c for i in members for c in keys[i].claims}:
                claimants[key].append(root)
    # Every choice reads the clusters before any bare group joins: no order dependence.
    order = {root: _content_order(cluster) for root, cluster in clusters.items()}
    joins: dict[int, int] = {}
    for root in (r for r in groups if keys[r].weak):
        members = groups[root]
        candidates = {c for i in members for key in keys[i].weak for c in claimants.get(key, ())}
        # A bare use refers to the name's dominant meaning; papers' own proposals alone
        # join an established name (two papers or more), not another paper's coinage.
        if all(mentions[i].proposed for i in members):
            candidates = {c for c in candidates if len(clusters[c].papers) >= 2}
        if candidates:
            joins[root] = min(candidates, key=order.__getitem__)
    for root, target in sorted(joins.items()):
        clusters[target].spellings.extend(clusters.pop(root).spellings)
    return sorted(clusters.values(), key=_content_order)


# --- ids -----------------------------------------------------------------------------


def base_id(cluster: Cluster) -> str:
    return f"{cluster.type.value.lower()}/{slug(cluster.canonical_name())}"


def _content_hash(cluster: Cluster) -> str:
    content = "\n".join(sorted({variant_key(f) for f in cluster.surface_forms} | cluster.papers))
    return hashlib.sha256(content.encode()).hexdigest()[:8]


def assign_ids(clusters: Iterable[Cluster]) -> dict[int, str]:
    """Ids by content (see the module docstring), keyed by id() of each cluster."""
    by_base: dict[str, list[Cluster]] = defaultdict(list)
    for cluster in clusters:
        by_base[base_id(cluster)].append(cluster)
    ids: dict[int, str] = {}
    taken: set[str] = set(by_base)
    for base, homonyms in sorted(by_base.items()):
        dominant, *others = sorted(homonyms, key=_content_order)
        ids[id(dominant)] = base
        for cluster in others:
            long_form = cluster.long_form()
            entity_id = f"{base}-{slug(long_form, 60)}" if long_form else ""
            if not long_form or entity_id in taken:
                entity_id = f"{base}-{_content_hash(cluster)}"
            taken.add(entity_id)
            ids[id(cluster)] = entity_id
    return ids


# --- the graph -----------------------------------------------------------------------


def build_graph(extractions: Iterable[PaperExtraction]) -> KnowledgeGraph:
    """Merge per-paper extractions into one graph, the same whatever their order."""
    graph = KnowledgeGraph()
    kept: list[PaperExtraction] = []
    for extraction in extractions:
        node_id = paper_node_id(extraction.paper.id)
        if node_id in graph.papers:
            continue  # the same paper twice is one paper
        graph.papers[node_id] = extraction.paper
        kept.append(extraction)

    mentions = [m for extraction in kept for m in mentions_of(extraction)]
    clusters = cluster_mentions(mentions)
    ids = assign_ids(clusters)
    entity_of: dict[tuple[str, str], str] = {}  # (paper node id, form) -> entity id
    for cluster in clusters:
        entity_id = ids[id(cluster)]
        graph.entities[entity_id] = cluster_entity(cluster, entity_id)
        for spelling in cluster.spellings:
            for paper in spelling.papers:
                for form in spelling.forms:
                    entity_of[(paper, form)] = entity_id

    evidence: dict[tuple[str, str, str], list[Evidence]] = defaultdict(list)
    for extraction in kept:
        paper = paper_node_id(extraction.paper.id)
        for rel in extraction.relations:
            head = paper if rel.head == PAPER_REF else entity_of.get((paper, rel.head))
            tail = paper if rel.tail == PAPER_REF else entity_of.get((paper, rel.tail))
            if head is None or tail is None or head == tail:
                continue
            evidence[(head, rel.type.value, tail)].append(rel.evidence)

    for key in sorted(evidence):
        head, type_, tail = key
        items = sorted(set(evidence[key]), key=lambda e: (e.paper_id, e.start, e.rule))
        rel = Relation(head=head, type=RelationType(type_), tail=tail, evidence=tuple(items))
        graph.relations[key] = rel
    graph.entities = dict(sorted(graph.entities.items()))
    graph.papers = dict(sorted(graph.papers.items()))
    return graph


def cluster_entity(cluster: Cluster, entity_id: str) -> Entity:
    """The entity a cluster becomes, under the id assign_ids gave it."""
    name = cluster.canonical_name()
    return Entity(
        id=entity_id,
        name=name,
        type=cluster.type,
        aliases=_distinct_aliases(cluster.surface_forms, name),
        papers=tuple(sorted(cluster.papers)),
        links=cluster.links,
    )


def _distinct_aliases(forms: set[str], name: str) -> tuple[str, ...]:
    """Other surface forms, one per case-insensitive spelling (the sorted-first wins)."""
    chosen: dict[str, str] = {name.casefold(): name}
    for form in sorted(forms):
        chosen.setdefault(form.casefold(), form)
    return tuple(sorted((f for f in chosen.values() if f != name), key=str.casefold))
