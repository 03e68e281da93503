"""Relations of one paper, from the roles of its entities and cue phrases in sentences.

Paper-level relations (PROPOSES, INTRODUCES, USES, EVALUATES_ON, ADDRESSES) follow from
whether the paper presents an entity as its own: named in the title ("X: ..."), named
("an assistant named X"), or in a sentence with a first-person proposal cue ("we
propose X"). Entity-to-entity relations need a cue in one sentence: "outperforms",
"a generalization of", "fine-tuned from", "trained with"; and variant names ("f-DPO")
extend their parent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from alignkg.extract.entities import LocalEntity
from alignkg.extract.names import RELEASE_WORDS, model_stem, name_parts
from alignkg.extract.rule_table import Rule, RuleTable, build_matcher, load_rule_table
from alignkg.records import PAPER_LABEL, PAPER_REF, EntityType, RelationType
from alignkg.schema import SCHEMA, conflicts

METHOD_OR_MODEL = (EntityType.METHOD, EntityType.MODEL)

_FIRST_PERSON = re.compile(r"\b(?:we|our)\b", re.I)
_PAPER_ACTS = re.compile(r"\bwe\s+(?:\w+\s+)?$", re.I)  # "We extend DPO": the paper acts
_ARTICLE_GAP = re.compile(r"\s*(?:(?:a|an|the|our)\s+)?", re.I)
_PARENTHESIS_GAP = re.compile(r"(?:\s\([^)]*\))?\s*")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class FoundRelation:
    head: str  # entity name or PAPER_REF
    type: RelationType
    tail: str
    sentence: Sentence
    rule: str
    confidence: float

    @property
    def key(self) -> tuple[str, RelationType, str]:
        return (self.head, self.type, self.tail)


Span = tuple[int, int]  # character offsets


class Cues:
    """Where the table's cue rules and markers matched in one doc, by label, as character
    spans. A rule's spans do not overlap (the leftmost, then the shortest, as a regex
    reads); a marker keeps all its spans."""

    def __init__(self, spans: dict[str, list[Span]], rules: set[str]) -> None:
        self.spans: dict[str, list[Span]] = {}
        for label, found in spans.items():
            ordered = sorted(set(found), key=lambda s: (s[0], s[1]))
            if label in rules:
                kept: list[Span] = []
                for span in ordered:
                    if not kept or span[0] >= kept[-1][1]:
                        kept.append(span)
                ordered = kept
            self.spans[label] = ordered

    def within(self, label: str, lo: int, hi: int) -> list[Span]:
        """The spans of `label` that lie inside [lo, hi)."""
        return [s for s in self.spans.get(label, ()) if lo <= s[0] and s[1] <= hi]

    def last(self, label: str, lo: int, hi: int) -> Span | None:
        inside = self.within(label, lo, hi)
        return inside[-1] if inside else None

    def first_from(self, label: str, lo: int, hi: int) -> Span | None:
        """The first span starting at or after lo, inside the sentence ending at hi."""
        return next((s for s in self.spans.get(label, ()) if lo <= s[0] and s[1] <= hi), None)


def _sentence_of(sentences: list[Sentence], offset: int) -> Sentence:
    for sentence in sentences:
        if sentence.start <= offset < sentence.end:
            return sentence
    return sentences[-1]


def _in(sentence: Sentence, entity: LocalEntity) -> list[tuple[int, int]]:
    return [(s, e) for s, e in entity.mentions if sentence.start <= s < sentence.end]


def _object_of_verb(cue_text_before: str, entity: LocalEntity) -> bool:
    return entity.type is not EntityType.METHOD and not re.search(
        r"\b(?:from|on|upon|of)\b", cue_text_before
    )


_COORDINATION = re.compile(r"\s*(?:,\s*)?(?:(?:and|or)\s+)?")


def _coordinated(text: str, offset: int, objects: list[tuple[int, int, LocalEntity]]):
    """The first object and those joined to it by commas, "and", "or": the list in
    "outperforming methods such as ParCo, MoMask, and BAMM", not "GPT-4" in
    "DPO supplemented with extra GPT-4 preference data"."""
    chain = objects[:1]
    for item in objects[1:]:
        gap = text[chain[-1][1] - offset : item[0] - offset]
        if not _COORDINATION.fullmatch(gap):
            break
        chain.append(item)
    return [entity for _, _, entity in chain]


def _kind(entity: LocalEntity | None) -> str:
    return PAPER_LABEL if entity is None else entity.type.value


class RelationFinder:
    """The relations of one paper. Built once per pipeline: compiles the rule table into
    one Matcher, which reads each doc once (`cues`)."""

    def __init__(self, nlp: Language, table: RuleTable | None = None) -> None:
        self.table = table or load_rule_table()
        self.matcher = build_matcher(self.table, nlp)
        self.cue_rules = [
            rule for rule in self.table.rules.values() if rule.patterns and rule.subject
        ]
        self._claim = next(
            r.name for r in self.cue_rules if RelationType.OUTPERFORMS in r.relations
        )

    def cues(self, doc: Doc) -> Cues:
        spans: dict[str, list[Span]] = {}
        strings = doc.vocab.strings
        for label, start, end in self.matcher(doc):
            span = doc[start:end]
            spans.setdefault(strings[label], []).append((span.start_char, span.end_char))
        return Cues(spans, set(self.table.rules))

    def find(
        self, entities: list[LocalEntity], sentences: list[Sentence], cues: Cues
    ) -> list[FoundRelation]:
        """Every relation the rules find, resolved: one statement once, with the evidence
        of its highest-priority rule; of two statements that cannot both hold (the
        schema's `conflicts`), the one of the higher-priority rule."""
        found = list(self._candidates(entities, sentences, cues))
        rank = {
            id(f): (-self.table[f.rule].priority, -f.confidence, f.rule, i)
            for i, f in enumerate(found)
        }
        kept: dict[tuple[str, RelationType, str], FoundRelation] = {}
        by_pair: dict[frozenset[str], list[FoundRelation]] = {}
        for f in sorted(found, key=lambda f: rank[id(f)]):
            pair = frozenset((f.head, f.tail))
            if f.key in kept or any(conflicts(f.key, k.key) for k in by_pair.get(pair, ())):
                continue
            kept[f.key] = f
            by_pair.setdefault(pair, []).append(f)
        return sorted(kept.values(), key=lambda f: rank[id(f)][-1])

    def _relation(self, rule_name, head, tail, sentence) -> tuple[FoundRelation, ...]:
        """The statement `rule_name` makes between two ends (None for the paper), if the
        schema and the rule allow it (none otherwise)."""
        rule = self.table[rule_name]
        type_ = rule.admits(_kind(head), _kind(tail))
        if type_ is None:
            return ()
        found = FoundRelation(
            head.name if head is not None else PAPER_REF,
            type_,
            tail.name,
            sentence,
            rule.name,
            rule.confidence,
        )
        return (found,)

    def _candidates(self, entities, sentences, cues) -> Iterator[FoundRelation]:
        proposed = {id(e): rule for e in entities if (rule := self._proposal(e, sentences, cues))}
        yield from self._paper_relations(entities, sentences, proposed)
        own = [e for e in entities if id(e) in proposed and e.type in METHOD_OR_MODEL]
        main = own[0] if own else None
        own_model = next((e for e in own if e.type is EntityType.MODEL), None)
        for sentence in sentences:
            present = sorted(
                ((s, e, entity) for entity in entities for s, e in _in(sentence, entity)),
                key=lambda item: (item[0], item[1]),
            )
            yield from self._cue_relations(sentence, present, cues, main, own_model)
        yield from self._variant_relations(entities, sentences)
        yield from self._own_model_training(own, sentences)
        yield from self._model_name_relations(entities, sentences, proposed)

    # --- the paper's own contributions ---------------------------------------------

    def _proposal(self, entity: LocalEntity, sentences, cues: Cues) -> str | None:
        """The highest-priority rule that makes the entity the paper's own, if any."""
        rules = [r for r in self._proposal_rules(entity, sentences, cues) if r]
        return max(rules, key=lambda r: self.table[r].priority, default=None)

    def _proposal_rules(self, entity: LocalEntity, sentences, cues: Cues) -> Iterator[str]:
        if entity.title_contribution and entity.type is not EntityType.TASK:
            yield "title-contribution"
        if entity.named_at is not None and (
            not entity.known or _FIRST_PERSON.search(_sentence_of(sentences, entity.named_at).text)
        ):
            yield "named-cue"  # "we propose a method called Self-Play fIne-tuNing (SPIN)"
        if not entity.known and entity.variant_of:
            yield "variant-proposal"  # a paper that names a variant of DPO presents it
        if entity.type is EntityType.DATASET and not entity.known and len(entity.mentions) >= 3:
            yield "recurring-new-dataset"  # an abstract dwells on the benchmark it builds
        for start, _ in entity.mentions:
            sentence = _sentence_of(sentences, start)
            text = sentence.text
            cue = cues.last("proposal-cue", sentence.start, start)
            # The field's well-known entities are used, not proposed, unless right after
            # the cue: "we release OpenAssistant Conversations".
            close_enough = cue and (
                not entity.known
                or _ARTICLE_GAP.fullmatch(text[cue[1] - sentence.start : start - sentence.start])
            )
            if close_enough and not cues.within("proposal-break", cue[1], start):
                yield "proposal-cue"
            if entity.known:
                continue
            novel = cues.last("novelty-cue", max(sentence.start, start - 50), start)
            if (
                (novel and not cues.within("proposal-break", novel[1], start))
                or self._appositive_novelty(text, start - sentence.start, sentence.start, cues)
            ) and _FIRST_PERSON.search(text):
                yield "novelty-cue"

    @staticmethod
    def _appositive_novelty(text: str, at: int, offset: int, cues: Cues) -> bool:
        """ "X, a novel framework ...": the name, then its description as something new."""
        word = re.match(r"[^\s,]+", text[at:])
        if word is None:
            return False
        after = at + word.end()
        for start, _ in cues.within("appositive-novelty", offset + after, offset + len(text)):
            if _PARENTHESIS_GAP.fullmatch(text[after : start - offset]):
                return True
        return False

    def _paper_relations(self, entities, sentences, proposed) -> Iterator[FoundRelation]:
        for entity in entities:
            sentence = _sentence_of(sentences, entity.first)
            mention = {
                EntityType.TASK: "task-mention",
                EntityType.DATASET: "dataset-mention",
            }.get(entity.type, "mention")
            rule = mention if entity.type is EntityType.TASK else proposed.get(id(entity))
            yield from self._relation(rule or mention, None, entity, sentence)

    # --- cue phrases within one sentence -------------------------------------------

    def _cue_relations(self, sentence, present, cues, main, own_model) -> Iterator[FoundRelation]:
        text = sentence.text
        lo, hi = sentence.start, sentence.end
        for rule in self.cue_rules:
            subject = main if rule.subject == "claimant" else own_model
            if rule.objects == "last-before":
                yield from self._before_cue(rule, sentence, present, cues, subject)
                continue
            for at, cue_end in cues.within(rule.name, lo, hi):
                clause = cues.first_from("clause-end", cue_end, hi)
                clause_end = clause[0] if clause else hi
                # Subjects stand before the cue, or inside it as the verb's object: "we
                # fine-tuned X using M" (but not "fine-tuned from X with M"); and after any
                # earlier claim: in "X outperforms models that are trained on Y", X is
                # not trained on Y.
                claim = cues.last(self._claim, lo, at) if rule.name != self._claim else None
                fence = claim[1] if claim else lo
                before = [
                    e
                    for s, _, e in present
                    if fence <= s < at
                    or (at <= s < cue_end and _object_of_verb(text[at - lo : s - lo], e))
                ]
                objects = [item for item in present if cue_end <= item[0] < clause_end]
                after = _coordinated(text, lo, objects)
                paper_acts = _PAPER_ACTS.search(text[: at - lo])
                acting = None if paper_acts or claim else subject
                yield from self._claims(rule, sentence, before, after, acting)

    def _claims(self, rule: Rule, sentence, before, after, acting) -> Iterator[FoundRelation]:
        domain = {
            EntityType(k) for t in rule.relations for k in SCHEMA[t].domain if k != PAPER_LABEL
        }
        count = {"first": 1, "first-two": 2}.get(rule.objects, len(after))
        for head in self._subjects(before, acting, domain):
            for tail in after[:count]:
                # A paper does not claim that something beats its own contribution.
                if tail is not head and tail is not acting:
                    yield from self._relation(rule.name, head, tail, sentence)

    def _before_cue(self, rule, sentence, present, cues, subject) -> Iterator[FoundRelation]:
        # "... applying SELF-ALIGN to the LLaMA-65b base language model"
        for at, _ in cues.within(rule.name, sentence.start, sentence.end):
            models = [e for s, _, e in present if s < at and e.type is EntityType.MODEL]
            if models and subject is not None and models[-1] is not subject:
                yield from self._relation(rule.name, subject, models[-1], sentence)

    @staticmethod
    def _subjects(before, main, types) -> list[LocalEntity]:
        """Who makes the claim: the paper's own contribution when the sentence names it
        before the cue, else the nearest name before the cue, else the contribution."""
        subjects = [e for e in before if e.type in types]
        if main is not None and main in subjects:
            return [main]
        if subjects:
            return subjects[-1:]
        return [main] if main is not None and main.type in types else []

    # --- naming and the paper's own pairs ------------------------------------------

    def _variant_relations(self, entities, sentences) -> Iterator[FoundRelation]:
        by_key = {}
        for e in entities:
            for form in (e.name, *e.aliases):
                by_key.setdefault(form, e)
        for e in entities:
            parent = by_key.get(e.variant_of) if e.variant_of else None
            if parent is not None and parent is not e and parent.type is e.type:
                sentence = _sentence_of(sentences, e.first)
                yield from self._relation("variant-name", e, parent, sentence)

    def _model_name_relations(self, entities, sentences, proposed) -> Iterator[FoundRelation]:
        """What a model's name says: "Qwen-SFT-MoI" is trained with the paper's MoI; and
        "Qwen2-Nova-72B" is built on "Qwen2-72B" (same family, version and size, plus a
        name of its own)."""
        models = [e for e in entities if e.type is EntityType.MODEL]
        own_methods = [e for e in entities if e.type is EntityType.METHOD and not e.known]
        for model in models:
            sentence = _sentence_of(sentences, model.first)
            parts = name_parts(model.name)
            for method in own_methods:
                if method.name.lower() in parts and len(parts) > 1:
                    yield from self._relation("model-name-method", model, method, sentence)
            for base in models:
                if base is model or model_stem(base.name) != model_stem(model.name):
                    continue
                extra = parts - name_parts(base.name)
                own_words = {w for w in extra if w not in RELEASE_WORDS and not w[0].isdigit()}
                if own_words and (
                    id(model) in proposed
                    and id(base) not in proposed
                    or (_sizes(model.name) and _sizes(model.name) == _sizes(base.name))
                ):
                    yield from self._relation("model-name-base", model, base, sentence)

    def _own_model_training(self, own, sentences) -> Iterator[FoundRelation]:
        """A paper that proposes both a model and a method trains the one with the other."""
        models = [e for e in own if e.type is EntityType.MODEL]
        methods = [e for e in own if e.type is EntityType.METHOD]
        for model in models:
            for method in methods:
                sentence = _sentence_of(sentences, model.first)
                yield from self._relation("own-model-and-method", model, method, sentence)


def _sizes(name: str) -> set[str]:
    return {p for p in name_parts(name) if re.fullmatch(r"\d+(?:\.\d+)?[bmk]", p)}
