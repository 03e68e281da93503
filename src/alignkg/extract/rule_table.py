"""The relation rule table (data/relation_rules.json), loaded and compiled once.

Each row is one rule: its `name` (the evidence's `rule`), the `relation` it makes (a list
when the schema picks by types: a contribution is PROPOSES for a method, INTRODUCES for a
dataset), `confidence`, `priority` (when two rules claim one pair, the higher decides),
and for cue rules a `pattern`, who the `subject` is ("claimant": the paper's
contribution; "own-model": the paper's model), which is the subject, when the sentence
names none before the cue (a name that is no preposition's object, or "our method", "the
resulting model"), as `fallback` says: "always", "unless-paper-acts" ("We extend DPO":
the paper, not its method, extends) or "if-paper-acts" ("we train it with DPO"), which `objects` it
takes ("first": the first name after the cue with the names of its type coordinated
with it, "X, Y (7B) and Z", over which the claim distributes; "last-before": the last
model before the cue, "respectively": "X and Y are versions of A and B", "apply-to": "applying
M to X"), what `gap` may stand between the cue and its first object ("close": three
words at most, no preposition, no punctuation; "no-scope": no preposition that opens a
scope, "on X"),
whether the relation goes in `reverse` (object -> subject) and, optionally, the `pairs`
of types it may connect (a subset of the schema's). Rules without a pattern are
structural (naming, titles); their code is in relations.py, their row says what they
make. `lists` are word lists; `markers` are cue spans that make no relation alone.

The pattern language, compiled once (CueMatcher) and matched on lower-cased tokens: tokens
separated by spaces; `a|b` alternatives; `@list` any entry of a list; `WORD` any token
that is not punctuation, `ANY` any token but ; and a sentence's end (. ! ? a blank
line); `/regex/` a token matching it, `/regex/!a|b` but not a or b; an operator after
a token: `?`, `*`, `+`, `{m,n}`. A word with a hyphen or a space is several tokens
("fine-tuned").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from spacy.attrs import IS_PUNCT, LOWER
from spacy.language import Language

from alignkg.records import RelationType
from alignkg.schema import SCHEMA, Kind

RULES_FILE = "relation_rules.json"
_OBJECTS = {"first", "last-before", "respectively", "apply-to"}
_SUBJECTS = {"claimant", "own-model"}
_GAPS = {"close", "no-scope"}
_FALLBACKS = {"always", "unless-paper-acts", "if-paper-acts"}
_OP = re.compile(r"^(?P<spec>.+?)(?P<op>\?|\*|\+|\{\d*,\d*\})?$")


class RuleTableError(ValueError):
    """The rule table is malformed: names the rule and what is wrong."""


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    relations: tuple[RelationType, ...]
    confidence: float
    priority: int
    patterns: tuple[str, ...] = ()
    subject: str | None = None
    objects: str | None = None
    pairs: frozenset[tuple[Kind, Kind]] = frozenset()
    fallback: str | None = None  # when the contribution is the subject no name gives
    gap: str | None = None  # what may stand between the cue and its first object
    reverse: bool = False  # the object is the head: "DPO is a special case of X"
    doc: str = ""

    def admits(self, head: Kind, tail: Kind) -> RelationType | None:
        """The relation this rule makes between these kinds, or None: the first of its
        relations that the schema (and the rule's own pairs, if it has any) allows."""
        if self.pairs and (head, tail) not in self.pairs:
            return None
        return next((t for t in self.relations if (head, tail) in SCHEMA[t].pairs), None)


@dataclass(frozen=True, slots=True)
class RuleTable:
    rules: dict[str, Rule]
    lists: dict[str, tuple[str, ...]]
    markers: dict[str, tuple[str, ...]]
    data: dict  # the table as read, to save with a pipeline

    def __getitem__(self, name: str) -> Rule:
        return self.rules[name]

    def patterns(self) -> dict[str, tuple[str, ...]]:
        """Matcher label -> patterns: every cue rule and every marker."""
        cues = {name: rule.patterns for name, rule in self.rules.items() if rule.patterns}
        return {**cues, **self.markers}

    def words(self, name: str) -> tuple[str, ...]:
        return self.lists[name]


def parse_table(data: dict, source: str = RULES_FILE) -> RuleTable:
    try:
        lists = {k: tuple(str(w).lower() for w in v) for k, v in data["lists"].items()}
        markers = {k: tuple(v) for k, v in data["markers"].items()}
        rows = data["rules"]
    except (KeyError, TypeError, AttributeError) as exc:
        raise RuleTableError(f"{source}: needs lists, markers and rules ({exc})") from None
    rules: dict[str, Rule] = {}
    for row in rows:
        name = row.get("name") if isinstance(row, dict) else None
        if not name:
            raise RuleTableError(f"{source}: a rule without a name: {row!r}")
        if name in rules or name in markers:
            raise RuleTableError(f"{source}: rule {name!r} is defined twice")
        try:
            relations = tuple(RelationType(r) for r in row["relation"])
            rule = Rule(
                name=name,
                relations=relations,
                confidence=float(row["confidence"]),
                priority=int(row["priority"]),
                patterns=tuple(row.get("pattern", ())),
                subject=row.get("subject"),
                objects=row.get("objects"),
                pairs=frozenset(tuple(p) for p in row.get("pairs", ())),
                fallback=row.get("fallback"),
                gap=row.get("gap"),
                reverse=bool(row.get("reverse", False)),
                doc=row.get("doc", ""),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise RuleTableError(f"{source}: rule {name!r}: {exc}") from None
        if not 0 < rule.confidence <= 1:
            raise RuleTableError(f"{source}: rule {name!r}: confidence must be in (0, 1]")
        if rule.subject is not None and rule.subject not in _SUBJECTS:
            raise RuleTableError(f"{source}: rule {name!r}: unknown subject {rule.subject!r}")
        if rule.fallback is not None and rule.fallback not in _FALLBACKS:
            raise RuleTableError(f"{source}: rule {name!r}: unknown fallback {rule.fallback!r}")
        if rule.gap is not None and rule.gap not in _GAPS:
            raise RuleTableError(f"{source}: rule {name!r}: unknown gap {rule.gap!r}")
        if rule.objects is not None and rule.objects not in _OBJECTS:
            raise RuleTableError(f"{source}: rule {name!r}: unknown objects {rule.objects!r}")
        allowed = frozenset().union(*(SCHEMA[t].pairs for t in relations))
        if not rule.pairs <= allowed:
            raise RuleTableError(
                f"{source}: rule {name!r}: pairs {sorted(rule.pairs - allowed)} are not in "
                f"the schema of {', '.join(relations)}"
            )
        rules[name] = rule
    table = RuleTable(rules, lists, markers, data)
    for label, patterns in table.patterns().items():
        for pattern in patterns:
            for token in pattern.split():
                for ref in re.findall(r"@(\w+)", token):
                    if ref not in lists:
                        raise RuleTableError(f"{source}: {label!r}: no list named {ref!r}")
    return table


@cache
def load_rule_table(path: str | None = None) -> RuleTable:
    if path is None:
        text = resources.files("alignkg.data").joinpath(RULES_FILE).read_text("utf-8")
        source = RULES_FILE
    else:
        text, source = Path(path).read_text("utf-8"), path
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RuleTableError(f"{source}:{exc.lineno}: {exc.msg}") from None
    return parse_table(data, source)


def words_regex(words: tuple[str, ...]) -> str:
    """A list's words as a regex alternation, longest first, spaces as any whitespace."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in ordered)


# --- the pattern language --------------------------------------------------------------
# A step is (kind, value, least, most): kind "in" (the lower-cased token is one of a set of
# words), "word" (not punctuation), "any" (not ; nor a sentence's end), "regex" (value:
# the regex and the excluded words); least and most, how many tokens in a row it takes.

Step = tuple[str, object, int, float]
# ANY stops at ";" and at a sentence's end (the ends of components.SentenceSplitter: a
# title has no full stop, so a blank line ends it).
_ANY_EXCLUDED = frozenset({".", ";", "!", "?", "\n\n", "\n\n\n", "\n\n\n\n"})


def compile_pattern(pattern: str, table: RuleTable, nlp: Language) -> list[list[Step]]:
    """One pattern of the table -> the step sequences it stands for (alternatives of
    several tokens, "put forward", make one sequence each)."""
    branches: list[list[Step]] = [[]]
    for token in pattern.split():
        m = _OP.match(token)
        spec, op = m.group("spec"), m.group("op")
        least, most = _bounds(op)
        alternatives = _alternatives(spec, table, nlp)
        single = {a[0] for a in alternatives if len(a) == 1 and isinstance(a[0], str)}
        options: list[list[Step]] = []
        if single:
            options.append([("in", frozenset(single), least, most)])
        for alternative in alternatives:
            if len(alternative) == 1 and isinstance(alternative[0], str):
                continue
            if len(alternative) == 1:
                kind, value = alternative[0]
                options.append([(kind, value, least, most)])
                continue
            if op and op != "?":
                raise RuleTableError(f"{pattern!r}: {op} after a phrase of several tokens")
            options.append([("in", frozenset({t}), 1, 1) for t in alternative])
            if op == "?" and [] not in options:
                options.append([])
        branches = [b + o for b in branches for o in options]
    return [b for b in branches if b]


def _bounds(op: str | None) -> tuple[int, float]:
    if op is None:
        return 1, 1
    if op in ("?", "*", "+"):
        return {"?": (0, 1), "*": (0, float("inf")), "+": (1, float("inf"))}[op]
    low, _, high = op[1:-1].partition(",")
    return int(low or 0), (int(high) if high else float("inf"))


def _alternatives(spec: str, table: RuleTable, nlp: Language) -> list[list]:
    if spec == "WORD":
        return [[("word", None)]]
    if spec == "ANY":
        return [[("any", _ANY_EXCLUDED)]]
    if spec.startswith("/"):
        regex, _, excluded = spec[1:].partition("/")
        words = frozenset(excluded[1:].split("|")) if excluded.startswith("!") else frozenset()
        return [[("regex", (re.compile(regex), words))]]
    words: list[str] = []
    for alternative in spec.split("|"):
        words.extend(table.lists[alternative[1:]] if alternative.startswith("@") else [alternative])
    return [[t.lower_ for t in nlp.make_doc(w)] for w in words]


# label, steps, the words one of which must come second, the word sets the doc must hold
_Sequence = tuple[str, list[Step], frozenset[int] | None, tuple[frozenset[int], ...]]


class CueMatcher:
    """Every cue rule and marker of the table, compiled once; one pass over a doc's
    tokens finds them all. Words are compared as the vocabulary's hashes of lower-cased
    tokens; sequences that start with a required word are tried only where that word
    stands (an index by word), the others everywhere."""

    def __init__(self, table: RuleTable, nlp: Language) -> None:
        self.strings = nlp.vocab.strings
        self.by_word: dict[int, list[_Sequence]] = {}
        self.anywhere: list[_Sequence] = []
        for label, patterns in table.patterns().items():
            for pattern in patterns:
                for steps in compile_pattern(pattern, table, nlp):
                    hashed = [self._hashed(step) for step in steps]
                    kind, value, least, _ = hashed[0]
                    entry = (label, hashed, _second_words(hashed), _required_words(hashed))
                    if kind == "in" and least >= 1:
                        for word in value:
                            self.by_word.setdefault(word, []).append(entry)
                    else:
                        self.anywhere.append(entry)

    def _hashed(self, step: Step) -> Step:
        kind, value, least, most = step
        if kind in ("in", "any"):
            value = frozenset(self.strings.add(w) for w in value)
        return kind, value, least, most

    def __call__(self, doc) -> list[tuple[str, int, int]]:
        """(label, first token, end token) of every match, every length."""
        if not len(doc):
            return []
        array = doc.to_array([LOWER, IS_PUNCT])
        lower, punct = array[:, 0].tolist(), array[:, 1].tolist()
        found = []
        n = len(lower)
        present = set(lower)
        by_word = self.by_word
        # only the positions where a sequence may start (all of them if some start anywhere)
        starts = range(n) if self.anywhere else [i for i, w in enumerate(lower) if w in by_word]
        for i in starts:
            candidates = by_word.get(lower[i], ())
            following = lower[i + 1] if i + 1 < n else None
            sequences = (*candidates, *self.anywhere) if self.anywhere else candidates
            for label, steps, after, required in sequences:
                if after is not None and following not in after:
                    continue  # the second token cannot match: skip the sequence
                if required and any(words.isdisjoint(present) for words in required):
                    continue  # a word the sequence needs is nowhere in the doc
                for end in _ends(steps, lower, punct, i, self.strings):
                    if end > i:
                        found.append((label, i, end))
        return found


def _second_words(steps: list[Step]) -> frozenset[int] | None:
    """The words one of which must follow a sequence's first token (its first step takes
    exactly one token, its second is a required word), or None when there is no such
    set."""
    if len(steps) < 2 or steps[0][2:] != (1, 1):
        return None
    kind, value, least, _ = steps[1]
    return value if kind == "in" and least >= 1 else None


def _required_words(steps: list[Step]) -> tuple[frozenset[int], ...]:
    """The word sets of the steps after the first that must take a token: each needs
    one of its words somewhere in the doc."""
    return tuple(value for kind, value, least, _ in steps[1:] if kind == "in" and least >= 1)


def _passes(kind: str, value, word: int, is_punct: int, strings) -> bool:
    if kind == "in":
        return word in value
    if kind == "word":
        return not is_punct
    if kind == "any":
        return word not in value
    regex, excluded = value
    text = strings[word]
    return bool(regex.search(text)) and text not in excluded


def _ends(steps, lower: list[int], punct: list[int], start: int, strings) -> list[int]:
    """Where the sequence `steps` can end when it starts at `start`, in order."""
    n = len(lower)
    positions = [start]
    for kind, value, least, most in steps:
        if least == most == 1 and len(positions) == 1:  # the common step: one token, one way
            p = positions[0]
            if p >= n:
                return []
            word = lower[p]
            ok = word in value if kind == "in" else _passes(kind, value, word, punct[p], strings)
            if not ok:
                return []
            positions[0] = p + 1
            continue
        reached = set()
        for p in positions:
            k = 0
            while True:
                if k >= least:
                    reached.add(p + k)
                if k >= most or p + k >= n:
                    break
                if not _passes(kind, value, lower[p + k], punct[p + k], strings):
                    break
                k += 1
        if not reached:
            return []
        positions = sorted(reached)
    return positions
