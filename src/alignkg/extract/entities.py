"""Entity mentions of one paper: lexicon matches, acronym definitions, naming patterns,
the title's named contribution, and names introduced by cue phrases ("named X").

Candidates overlap; the longest wins ("f-DPO" over "DPO"), then the most trusted source.
Every surface form of one thing is folded into one LocalEntity ("DPO" and "Direct
Preference Optimization").
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS

from alignkg.extract import names
from alignkg.extract.acronyms import AcronymDefinition
from alignkg.extract.lexicon import Lexicon
from alignkg.extract.rule_table import load_rule_table, words_regex
from alignkg.extract.type_rules import (
    explicit_type,
    is_generic_phrase,
    list_mates,
    list_types_first,
    task_phrases,
    type_from_context,
    type_from_phrase,
)
from alignkg.keys import has_two_capitals, match_key, written_as_name
from alignkg.records import EntityType


@dataclass(eq=False)
class LocalEntity:
    name: str
    type: EntityType
    known: bool  # in the lexicon: the field's, not this paper's
    aliases: set[str] = field(default_factory=set)
    mentions: list[tuple[int, int]] = field(default_factory=list)
    title_contribution: bool = False  # "X: ..." names the paper's contribution
    named_at: int | None = None  # where "an assistant named X" names it
    variant_of: str | None = None  # the parent's name, for "f-DPO" -> "DPO"
    links: tuple[str, ...] = ()  # the lexicon entry's pages (Papers with Code)

    @property
    def first(self) -> int:
        return min(start for start, _ in self.mentions) if self.mentions else 1 << 30


# Candidate sources, most trusted first. LEARNED: the trained NER (learned.py), last.
(
    LEXICON,
    ACRONYM,
    TITLE,
    BENCH,
    MODEL,
    VARIANT,
    SIZED,
    NAMED,
    DESCRIBED,
    QUOTED,
    COINED,
    TASK_PHRASE,
    LEARNED,
) = range(13)


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    source: int
    type: EntityType | None
    parent: str | None = None
    learned: EntityType | None = None  # the trained NER's type, below every rule's


_TITLE_SPLIT = re.compile(
    r"^(?P<name>[^:]{2,60}?)"
    r"(?:\s*(?::|\s--\s|\s—\s)\s*(?P<rest>.+)|\s+(?P<report>Technical Report))$"
)
_TITLE_NOT_A_NAME = re.compile(
    r"\b(?:survey|review|overview|tutorial|study|studies|report|position|perspective|primer"
    r"|lessons|guide)\b",
    re.I,
)
_NAME_WORD = re.compile(r"^(?:[A-Z0-9*][\w*.'-]*|of|for|and|the)$")
_TITLE_LEADS = frozenset(
    {
        "towards",
        "toward",
        "beyond",
        "on",
        "position",
        "rethinking",
        "when",
        "why",
        "how",
        "what",
        "can",
        "do",
        "does",
        "is",
        "are",
        "from",
        "of",
        "the",
        "a",
        "an",
        "secrets",
        "revisiting",
        "understanding",
        "learning",
        "aligning",
        "improving",
        "large",
        # Slogans, not names: "One Loss for All: ...", "All Tokens Matter", "No ..."
        "one",
        "all",
        "every",
        "no",
        "not",
        "more",
        "less",
        "just",
        "only",
    }
)
_CAPITALISED = r"(?=[^\W\d_])[\w*-]+"  # a word starting with a letter (Greek too: "ΨPO")
_RULES = load_rule_table()  # its word lists: naming words, proposal verbs
_NAMED_CUE = re.compile(
    rf"\b(?:{words_regex(_RULES.words('naming_words'))})\s+"
    rf"(?P<name>[\"“]?{_CAPITALISED}(?:\.\d+)?(?:\s[A-Z][\w*-]*){{0,3}})"
)
# "We develop Wombat, a model ...": a capitalised word right after a first-person
# proposal verb, followed by its description or definition.
_PROPOSED_NAME = re.compile(
    rf"(?i:\b(?:{words_regex(_RULES.words('first_person'))})\s+(?:\w+\s+){{0,2}}?"
    rf"(?:{words_regex(_RULES.words('proposal_verbs'))})"
    r"\s+(?:(?:a|an|the|our)\s+)?)"
    rf"(?P<name>{_CAPITALISED}(?:\s[A-Z][\w*-]*){{0,3}})(?=\s*[,(:]|\s+(?i:which|that|is|as|to)\b)"
)
# "We call the resulting models InstructGPT", "we name our method X": a name the paper
# gives its own model or method, which says which it is.
_CALLED = re.compile(
    r"(?i:\bwe\s+(?:call|name|term|dub)\s+(?:(?:the|this|our|these|such)\s+)?"
    r"(?:(?:resulting|final|new|proposed|trained|fine-tuned)\s+)?)"
    rf"(?P<noun>(?i:{words_regex(_RULES.words('model_nouns') + _RULES.words('method_nouns'))}))"
    rf"\s+(?P<name>[\"“]?{_CAPITALISED}(?:\s[A-Z][\w*-]*){{0,3}})"
)
_MODEL_NOUNS = frozenset(_RULES.words("model_nouns"))
# "We propose the gradient tracking ... (GTAdam)", "we present DOT (Dynamic Object
# Tracking)": a definition in the paper's own proposal sentence coins a name.
_PROPOSED_BEFORE = re.compile(
    rf"(?i:\b(?:{words_regex(_RULES.words('first_person'))})\s+(?:\w+\s+){{0,2}}?"
    rf"(?:{words_regex(_RULES.words('proposal_verbs'))})\b)[^.;:!?]{{0,100}}$"
)
# "...; and Chatbot Arena, a crowdsourced platform": a capitalised phrase opening a clause
# and described by an apposition.
_DESCRIBED_PHRASE = re.compile(
    r"(?:[,;:]\s+|\band\s+)(?P<name>[A-Z][\w*-]*(?:\s[A-Z][\w*-]*){1,3})"
    r"(?=,\s+(?:a|an|the)\s)"
)
# The naming regexes try every position of the text. Each first gets a quick search
# (a literal start, so `re` skips ahead) for what all its matches hold: (regex, quick
# search, in the lower-cased text (for case-blind regexes), whether matches start there).
_NAMED = (
    (_NAMED_CUE, re.compile(rf"(?:{words_regex(_RULES.words('naming_words'))})\s"), False, True),
    (
        _PROPOSED_NAME,
        re.compile(rf"(?:{words_regex(_RULES.words('first_person'))})\s"),
        True,
        True,
    ),
    (_DESCRIBED_PHRASE, re.compile(r",\s+(?:a|an|the)\s"), False, False),
    (_CALLED, re.compile(r"we\s+(?:call|name|term|dub)\s"), True, True),
)


def _named_matches(text: str) -> Iterator[re.Match[str]]:
    """Every match of the naming regexes, regex by regex, as `finditer` gives them."""
    # Lower-casing is the regexes' case folding, offset for offset, in ASCII text only.
    folded = text.lower() if text.isascii() else None
    for regex, quick, case_blind, starts in _NAMED:
        haystack = folded if case_blind else text
        if haystack is None:
            yield from regex.finditer(text)
        elif starts:
            yield from names.matches_where(regex, quick, text, haystack)
        elif quick.search(haystack):
            yield from regex.finditer(text)


_PHRASE_BEFORE = re.compile(r"(?<=\s)(?:[A-Z][a-z]+[ -]){1,3}$")


def _variant_phrases(text: str, parent: str, where: list[int]) -> Iterator[tuple[int, int]]:
    """Capitalised words before a known method: "Factually Augmented RLHF". Each
    occurrence of the parent (`where`) is read with a bounded look back: linear time."""
    end = 0
    for at in where:
        after = at + len(parent)
        if at >= end and (after == len(text) or not (text[after].isalnum() or text[after] == "_")):
            m = _PHRASE_BEFORE.search(text, max(end, at - 120), at)
            if m:
                yield m.start(), after
                end = after


def title_contribution(title: str) -> tuple[str, str] | None:
    """The name a title gives its contribution ("CycleAlign: Iterative Distillation ...")
    and the description after it, or None for titles that name none."""
    m = _TITLE_SPLIT.match(title)
    if not m:
        return None
    name = re.sub(r"\s*\([^)]*\)", "", m.group("name")).strip()
    rest = m.group("rest") or ""
    words = name.split()
    if not words or len(words) > 4 or words[0].lower() in _TITLE_LEADS:
        return None
    if (rest and _TITLE_NOT_A_NAME.search(rest)) or _TITLE_NOT_A_NAME.search(name):
        return None
    if rest.rstrip().endswith("?"):
        return None  # "Jailbroken: How Does LLM Safety Training Fail?" names a finding
    if not all(_NAME_WORD.match(w) for w in words):
        return None
    return name, rest


def title_contribution_type(name: str, description: str) -> EntityType:
    if not description:
        return type_from_phrase(name) or EntityType.METHOD
    first = description.split()[0]
    if first.lower().endswith("ing"):
        return EntityType.METHOD  # "Aligning ...", "Training ...": the name is a method
    type_ = type_from_phrase(re.sub(r"^(?:an?|the)\s+", "", description, flags=re.I))
    if type_ is EntityType.TASK:
        return EntityType.METHOD  # "DOT: Dynamic Object Tracking for ...": what does the task
    return type_ or type_from_phrase(name) or EntityType.METHOD


class EntityFinder:
    """Finds the entities of one paper's text. Built once per pipeline, used per doc."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        # The words known task names put before their head ("human" in "human pose
        # estimation"): a task phrase's outer modifiers must be among them.
        self.task_words = frozenset(
            word
            for e in lexicon.entries
            if e.type is EntityType.TASK
            for form in e.forms
            for word in re.split(r"[\s-]+", form.lower())[:-1]
        )
        self.method_acronyms = tuple(
            sorted(
                {
                    e.name
                    for e in lexicon.entries
                    if e.curated
                    and e.type is EntityType.METHOD
                    and len(e.name) >= 3
                    and e.name.isupper()
                }
            )
        )

    # --- candidates ------------------------------------------------------------------

    def candidates(
        self,
        text: str,
        title_end: int,
        lexicon_spans: list[tuple[int, int]],
        definitions: list[AcronymDefinition],
        learned: list[tuple[int, int, EntityType]] = (),
    ) -> list[Candidate]:
        """The rules' candidates, then the trained NER's `learned` spans (learned.py):
        one that overlaps a rule's candidate only lends its type to a candidate of the
        same span; the others are candidates of their own, typed by the model."""
        found = [Candidate(s, e, LEXICON, None) for s, e in lexicon_spans]
        for d in definitions:
            if self._generic_definition(d):
                continue
            found.append(Candidate(d.short_start, d.short_start + len(d.short), ACRONYM, None))
            found.append(Candidate(d.long_start, d.long_end, ACRONYM, None))
        families = self.lexicon.model_families
        if contribution := title_contribution(text[:title_end]):
            name, rest = contribution
            type_ = _type_from_name(name, families) or title_contribution_type(name, rest)
            found.append(Candidate(0, len(name), TITLE, type_))
            # The contribution wherever the abstract names it, over shorter names inside it
            # ("optimized through Baichuan Alignment", not the model family "Baichuan").
            if " " in name:
                for start in _occurrences(text, name):
                    if start > title_end:
                        found.append(Candidate(start, start + len(name), TITLE, type_))
        for source, spans in (
            (BENCH, names.benchmark_names(text)),
            (MODEL, names.model_names(text, families)),
            (SIZED, names.sized_models(text)),
            (DESCRIBED, names.described_names(text)),
            (QUOTED, names.quoted_names(text)),
            (COINED, names.coined_names(text)),
        ):
            found.extend(Candidate(s, e, source, t) for s, e, t in spans)
        parents = set(self.method_acronyms) | {
            d.short for d in definitions if len(d.short) >= 3 and d.short.isupper()
        }
        where = names.occurrences(text, parents)
        for s, e, parent in names.method_variants(text, parents, where):
            found.append(Candidate(s, e, VARIANT, None, parent))
        for parent in sorted(where):
            for start, end in _variant_phrases(text, parent, where[parent]):
                if start > title_end and not _sentence_initial(text, start):
                    found.append(Candidate(start, end, VARIANT, None, parent))
        for m in _named_matches(text):
            start = m.start("name") + (1 if m.group("name")[0] in '"“' else 0)
            name = text[start : m.end("name")].rstrip(".")
            noun = m.groupdict().get("noun")
            type_ = None
            if noun:
                type_ = EntityType.MODEL if noun.lower() in _MODEL_NOUNS else EntityType.METHOD
            if name[0].isupper():
                found.append(Candidate(start, start + len(name), NAMED, type_))
        # "sentiment classification": a lower-case task phrase, in the abstract.
        found.extend(
            Candidate(s, e, TASK_PHRASE, EntityType.TASK)
            for s, e in task_phrases(text, self.task_words)
            if s > title_end
        )
        urls = names.url_spans(text)
        in_url = _Intervals()
        for s, e in urls:
            in_url.add(s, e)
        accepted = [
            c
            for c in found
            if self._acceptable(text[c.start : c.end].strip(), c)
            and not in_url.overlaps(c.start, c.start + 1)
        ]
        return (
            _join_learned(
                text, title_end, accepted, learned, urls, self._acceptable, self.lexicon.is_generic
            )
            if learned
            else accepted
        )

    # --- resolution ------------------------------------------------------------------

    def resolve(
        self, text: str, candidates: list[Candidate], definitions: list[AcronymDefinition]
    ) -> list[LocalEntity]:
        chosen = _longest_first(candidates)
        # What a span is, whichever source won it: the title's contribution, a variant.
        title_spans = {(c.start, c.end) for c in candidates if c.source is TITLE}
        named_starts = {c.start for c in candidates if c.source is NAMED}
        parents = {(c.start, c.end): c.parent for c in candidates if c.parent}
        registry: dict[str, LocalEntity] = {}
        learned = [(c.start, c.end, c.learned) for c in candidates if c.learned]
        # Acronym definitions make one entity of both forms, before any mention is read.
        for d in definitions:
            self._define(d, text, registry, learned)
        entities: list[LocalEntity] = []
        for cand in chosen:
            surface = text[cand.start : cand.end].strip()
            entity = self._entity_for(surface, cand, text, registry)
            if entity is None:
                continue
            if (cand.start, cand.end) in title_spans:
                entity.title_contribution = True
            parent = parents.get((cand.start, cand.end))
            if parent and not entity.known and match_key(parent) != match_key(entity.name):
                entity.variant_of = parent
                self._ensure_parent(parent, cand.start + surface.find(parent), registry, entities)
            if cand.start in named_starts and entity.named_at is None:
                entity.named_at = cand.start
            entity.mentions.append((cand.start, cand.start + len(surface)))
            if surface != entity.name:
                entity.aliases.add(surface)
            if entity not in entities:
                entities.append(entity)
        for cand in candidates:
            if cand.source is NAMED and cand.type is not None:
                entity = registry.get(match_key(text[cand.start : cand.end].strip()))
                if entity is not None and not entity.known:
                    entity.type = cand.type  # "We call the resulting model WizardLM"
        _add_repeated_mentions(text, entities, chosen)
        _type_title_name_by_its_models(entities)
        return sorted(entities, key=lambda e: e.first)

    def _generic_definition(self, d: AcronymDefinition) -> bool:
        """ "large language models (LLMs)": defines a term, not an entity."""
        return self.lexicon.is_generic(d.short) or (
            is_generic_phrase(d.long) and not self.lexicon.lookup(d.long)
        )

    def _ensure_parent(self, parent: str, at: int, registry, entities) -> None:
        """A variant's parent is mentioned by the variant's name ("MAH-DPO" names DPO)."""
        entity = registry.get(match_key(parent))
        if entity is None:
            entry = self.lexicon.lookup(parent)
            if entry is None:
                return
            entity = LocalEntity(entry.name, entry.type, True, links=entry.links)
            for key in self.lexicon.form_keys(entry):
                registry.setdefault(key, entity)
        if not entity.mentions:
            entity.mentions.append((at, at + len(parent)))
            entities.append(entity)

    def _define(
        self, d: AcronymDefinition, text: str, registry: dict[str, LocalEntity], learned=()
    ) -> None:
        if self._generic_definition(d):
            return
        entry = self.lexicon.lookup(d.long) or self.lexicon.lookup(d.short)
        if entry is not None and not (
            self.lexicon.lookup(d.long) or match_key(d.short) in self.lexicon.form_keys(entry)
        ):
            entry = None
        if entry is not None and not entry.curated and not self.lexicon.lookup(d.long):
            entry = None  # the paper's own "CD (Contrastive Divergence)", not a listed CD
        if entry is not None:
            entity = registry.get(match_key(entry.name)) or LocalEntity(
                entry.name, entry.type, True, links=entry.links
            )
        else:
            type_ = (
                # What the text says it is ("the X (Y) dataset"), then its spelled-out
                # name ("... Optimization", "Multi-Action-Head DPO": a DPO), then later
                # mentions of the acronym ("Y outperforms ...; Y score").
                type_from_context(*_context(text, d.long_start, d.short_end + 1))
                or _coined_phrase_type(d, text)
                or _type_from_name(d.long, self.lexicon.model_families)
                or self._type_of_last_word(d.long)
                or _type_from_mentions(d.short, text)
                or _learned_type(learned, d.long_start, d.long_end)
                or _learned_type(learned, d.short_start, d.short_start + len(d.short))
            )
            if type_ is None:
                return  # "men who have sex with men (MSM)": a term, no evidence of a name
            if type_ is EntityType.MODEL and d.long.islower():
                # "nonlinear feedback (NLF) ... the NLF model": a lower-case long form
                # names a technique, as type_from_phrase reads a lower-case "... model".
                type_ = EntityType.METHOD
            entity = registry.get(match_key(d.short)) or LocalEntity(d.short, type_, False)
        for form in (d.short, d.long, entity.name):
            registry.setdefault(match_key(form), entity)
        if entry is not None:
            for key in self.lexicon.form_keys(entry):
                registry.setdefault(key, entity)

    def _known_type(self, name: str) -> EntityType | None:
        entry = self.lexicon.lookup(name)
        return entry.type if entry is not None else None

    def _sized_known_model(self, surface: str) -> EntityType | None:
        """ "ResNet-50", "BERT-large", "T5-11B": a size or version of a known model."""
        m = _MODEL_SUFFIX.fullmatch(surface)
        if m and self._known_type(m.group("stem")) is EntityType.MODEL:
            return EntityType.MODEL
        return None

    def _list_type(self, before: str) -> EntityType | None:
        """ "tasks such as ImageNet and VTAB": a name listed with known names of one type
        is of that type, whatever the list's noun says."""
        types = {t for mate in list_mates(before) if (t := self._known_type(mate))}
        return types.pop() if len(types) == 1 else None

    def _type_of_last_word(self, phrase: str) -> EntityType | None:
        """ "Multi-Action-Head DPO" is a kind of DPO: the type of a known last word."""
        words = phrase.split()
        return self._known_type(words[-1]) if len(words) > 1 else None

    def _acceptable(self, surface: str, cand: Candidate) -> bool:
        if len(surface) < 2 or self.lexicon.is_generic(surface):
            return False
        if cand.source > LEXICON and "-" in surface:
            last = surface.rsplit("-", 1)[1]
            if last.islower() and (last.endswith(("ed", "ing")) or last in _COMPOUND_TAILS):
                return False  # "PPO-based", "GPT-4-generated", "RL-trained"
            parts = surface.split("-")
            if cand.source is COINED and not any(
                has_two_capitals(part) and not self.lexicon.is_generic(part) for part in parts
            ):
                return False  # "Human-AI": its only acronym is a generic one
            if (
                cand.source >= NAMED
                and cand.source is not TASK_PHRASE  # "text-to-image generation"
                and all(self.lexicon.is_generic(p) or p.islower() for p in parts)
            ):
                return False  # "AI-human", "LLM-judge"
        if cand.source >= NAMED and surface.lower() in STOP_WORDS:
            return False
        if cand.source is COINED and re.fullmatch(r"[IVX]+|[A-Z]{1,2}\d{0,2}", surface):
            return False  # Roman numerals, "RQ1", "H2": numbering, not names
        return not (cand.source > LEXICON and is_generic_phrase(surface))

    def _entity_for(
        self, surface: str, cand: Candidate, text: str, registry: dict[str, LocalEntity]
    ) -> LocalEntity | None:
        key = match_key(surface)
        if key in registry:
            return registry[key]
        entry = self.lexicon.lookup(surface) or (
            self.lexicon.lookup(surface[:-1]) if surface.endswith("s") else None  # "LoRAs"
        )
        # What the paper says it is ("an approach, dubbed TeBaQA", "an agent called CLIC")
        # beats the name's shape ("-QA") and the type of an imported homonym (a PwC dataset).
        if entry is None:
            said = explicit_type(text[max(0, cand.start - 40) : cand.start])
        else:  # any mention may say it: "CLIC: ..." in the title, "an agent called CLIC"
            said = None if entry.curated else _type_from_mentions(surface, text, explicit=True)
        if entry is not None and said is not None and said is not entry.type:
            entry = None
        if entry is not None:
            entity = registry.get(match_key(entry.name)) or LocalEntity(
                entry.name, entry.type, True, links=entry.links
            )
            for key in self.lexicon.form_keys(entry):
                registry.setdefault(key, entity)
        else:
            listed = self._list_type(text[max(0, cand.start - 200) : cand.start])
            type_ = (
                said
                or cand.type
                or (
                    registry[match_key(cand.parent)].type
                    if cand.parent and match_key(cand.parent) in registry
                    else None
                )
                or (self._known_type(cand.parent) if cand.parent else None)
                or self._sized_known_model(surface)
                or (listed if listed in list_types_first() else None)
                or type_from_context(*_context(text, cand.start, cand.end))
                or _type_from_mentions(surface, text)
                or listed
                or cand.learned  # the trained NER (learned.py), below every rule
                # "named X", "we propose X": a proposal is a method's or a model's evidence.
                or (EntityType.METHOD if cand.source is NAMED else None)
            )
            if type_ is None:
                return None  # no evidence of what it is: no entity ("EEG", "HOV")
            entity = LocalEntity(surface, type_, False, variant_of=cand.parent)
        registry[key] = entity
        return entity


_MODEL_SUFFIX = re.compile(
    r"(?P<stem>[^\s-]+)-(?:v?\d+(?:\.\d+)*[A-Za-z]?|\d+(?:\.\d+)?[BMK]|(?i:large|base|small|tiny"
    r"|huge|xl|xxl|mini|medium))"
)

_COMPOUND_TAILS = frozenset(
    {
        "based",
        "like",
        "style",
        "free",
        "only",
        "type",
        "aware",
        "level",
        "wise",
        "specific",
        "centric",
        "driven",
        "related",
        "friendly",
        "compatible",
        "ready",
        "scale",
    }
)


def _join_learned(
    text, title_end: int, rules: list[Candidate], learned, urls, acceptable, generic
) -> list[Candidate]:
    """The precedence of learned.py: rules' spans win; the model types what they leave
    untyped and adds the spans they did not find, in the abstract (it learnt from
    abstracts: a title's capitals look like names to it)."""
    joined = []
    for c in rules:
        type_ = None if c.type else _learned_type(learned, c.start, c.end)
        joined.append(Candidate(c.start, c.end, c.source, c.type, c.parent, type_) if type_ else c)
    for start, end, type_ in learned:
        if start < title_end or any(start < c.end and c.start < end for c in rules):
            continue
        if any(s <= start < e for s, e in urls):
            continue
        cand = Candidate(start, end, LEARNED, None, learned=type_)
        # Metrics are written in lower case ("win rate"); learned.counts checked their head.
        as_name = type_ is EntityType.METRIC or _looks_named(text[start:end], generic)
        if as_name and acceptable(text[start:end].strip(), cand):
            joined.append(cand)
    return joined


def _coined_phrase_type(d: AcronymDefinition, text: str) -> EntityType | None:
    """The type of a definition's long form; one the paper defines as its own proposal
    ("we present DOT (Dynamic Object Tracking)") is what does the task, a method, even
    when its head word names a task."""
    type_ = type_from_phrase(d.long)
    if type_ is EntityType.TASK:
        start = min(d.short_start, d.long_start)
        if _PROPOSED_BEFORE.search(text, max(0, start - 160), start):
            return EntityType.METHOD
    return type_


def _learned_type(learned, start: int, end: int) -> EntityType | None:
    """The model's type for a span: of a learned span over it that starts or ends with it
    ("Direct Preference Optimization (DPO)" types "Direct Preference Optimization")."""
    for s, e, type_ in learned:
        if s < end and start < e and (s == start or e == end):
            return type_
    return None


def _type_from_name(name: str, families: tuple[str, ...]) -> EntityType | None:
    """The type a naming pattern gives a whole name: "HumanAgencyBench" is a dataset."""
    spans = (*names.benchmark_names(name), *names.model_names(name, families))
    for s, e, type_ in (*spans, *names.sized_models(name)):
        if s == 0 and e == len(name):
            return type_
    return None


def _type_title_name_by_its_models(entities: list[LocalEntity]) -> None:
    """A title's name whose sized releases are models is a model too: "Zephyr" beside
    "Zephyr-7B"."""
    for entity in entities:
        if entity.title_contribution and not entity.known:
            prefix = entity.name.casefold()
            if any(
                other.type is EntityType.MODEL
                and other.name.casefold().startswith((prefix + "-", prefix + " "))
                for other in entities
            ):
                entity.type = EntityType.MODEL


def _add_repeated_mentions(text: str, entities: list[LocalEntity], chosen: list[Candidate]) -> None:
    """A name found once is a mention wherever it recurs ("named Dromedary. Dromedary
    surpasses ..."), so cue phrases in later sentences see it."""
    taken = _Intervals()
    for c in chosen:
        taken.add(c.start, c.end)
    folded = text.lower()
    if len(folded) != len(text):  # a rare letter whose lower case is longer: keep offsets
        folded = text
    words: dict[int, dict[str, list[int]] | None] = {}
    for entity in entities:
        for form in sorted({entity.name, *entity.aliases}, key=len, reverse=True):
            # Acronym-like forms recur as spelled ("PRO" is not "pro"); others in any case.
            exact = has_two_capitals(form)
            haystack, needle = (text, form) if exact else (folded, form.lower())
            if id(haystack) not in words:  # an index pays off on long texts only
                long_text = len(text) > names.SHORT_TEXT
                words[id(haystack)] = _word_starts(haystack) if long_text else None
            for start in _occurrences(haystack, needle, words[id(haystack)]):
                end = start + len(form)
                if not taken.overlaps(start, end):
                    taken.add(start, end)
                    entity.mentions.append((start, end))


_RUN = re.compile(r"[^\W_]+")


def _word_starts(haystack: str) -> dict[str, list[int]]:
    """Each run of letters and digits -> where it starts: one pass over the text."""
    starts: dict[str, list[int]] = {}
    for m in _RUN.finditer(haystack):
        starts.setdefault(m.group(), []).append(m.start())
    return starts


_cached_word_starts = lru_cache(maxsize=4)(_word_starts)  # str hashes are cached: cheap


def _occurrences(
    haystack: str, needle: str, words: dict[str, list[int]] | None = None
) -> Iterator[int]:
    """Where `needle` stands as a whole word: not inside a longer word or hyphenated name.
    Only where its first run of letters stands (`words`, from `_word_starts`): linear in
    the text for all the forms together, not a scan of the text per form."""
    if words is None and len(haystack) > names.SHORT_TEXT:
        words = _cached_word_starts(haystack)
    first = _RUN.match(needle)
    if first is None or words is None:  # short, or starts with "*" ("*PO"): read the text
        candidates: Iterable[int] = _finds(haystack, needle)
    else:
        candidates = words.get(first.group(), ())
    for start in candidates:
        end = start + len(needle)
        if not haystack.startswith(needle, start):
            continue
        before = haystack[start - 1] if start else " "
        after = haystack[end] if end < len(haystack) else " "
        if not (before.isalnum() or before in "_-" or after.isalnum() or after in "_-"):
            yield start


def _finds(haystack: str, needle: str) -> Iterator[int]:
    start = haystack.find(needle)
    while start >= 0:
        yield start
        start = haystack.find(needle, start + 1)


def _type_from_mentions(
    surface: str, text: str, explicit: bool = False, limit: int = 8
) -> EntityType | None:
    """The first type cue around any mention of `surface` ("X is ...; on the X dataset");
    `explicit`: only the kind-and-naming-verb cue ("an agent called X")."""
    for i, start in enumerate(_occurrences(text, surface)):
        if i == limit:
            break
        before, after = _context(text, start, start + len(surface))
        if type_ := explicit_type(before) if explicit else type_from_context(before, after):
            return type_
    return None


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    """The text around a name, as much as type_from_context reads (never the whole text
    on each side: that made extraction quadratic in the text's length)."""
    return text[max(0, start - 200) : start], text[end : end + 200]


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return i < 0 or text[i] in ".!?:\n"


class _Intervals:
    """Disjoint character spans, sorted: is a new span free of them? (log time)"""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_left(self.starts, end) - 1  # the last span starting before `end`
        return i >= 0 and self.ends[i] > start

    def add(self, start: int, end: int) -> None:
        i = bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def _longest_first(candidates: list[Candidate]) -> list[Candidate]:
    """Non-overlapping candidates: longer spans first, then the more trusted source."""
    ordered = sorted(candidates, key=lambda c: (-(c.end - c.start), c.source, c.start))
    taken = _Intervals()
    chosen = []
    for cand in ordered:
        if taken.overlaps(cand.start, cand.end):
            continue
        taken.add(cand.start, cand.end)
        chosen.append(cand)
    return sorted(chosen, key=lambda c: c.start)


def _looks_named(surface: str, generic) -> bool:
    """A span only the model found (but a metric) joins when it is written as a name
    (capitals beyond a sentence-initial one, or digits), generic acronyms aside ("LLM
    alignment", "human-AI interaction"): lower-case phrases are where its training data
    (SciREX) and GUIDELINES.md disagree most ("data generation", "semantic reasoning")."""
    words = [w for w in re.split(r"[\s/-]+", surface) if w and not generic(w)]
    rest = " ".join(words)
    return written_as_name(rest)
