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
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from alignkg.extract.entities import LocalEntity
from alignkg.extract.names import RELEASE_WORDS, model_stem, name_parts
from alignkg.extract.rule_table import CueMatcher, Rule, RuleTable, load_rule_table, words_regex
from alignkg.records import PAPER_LABEL, PAPER_REF, EntityType, RelationType
from alignkg.schema import SCHEMA, conflicts

METHOD_OR_MODEL = (EntityType.METHOD, EntityType.MODEL)

_FIRST_PERSON = re.compile(r"\b(?:we|our)\b", re.I)
# "We extend DPO", "which we use to fine-tune GPT-3": the paper acts.
_PAPER_ACTS = re.compile(r"\bwe\s+(?:\w+\s+){0,3}$", re.I)
_REDUCED_RELATIVE = re.compile(r",?\s*(?:(?:which|that)\s+(?:is|are|was|were)\s+)?(?:\w+ly\s+)?")
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
        spans = self.spans.get(label)
        if not spans:
            return []  # most labels match nowhere in a doc
        i = bisect_left(spans, (lo, -1))  # spans are sorted: read from lo on, not all
        inside = []
        while i < len(spans) and spans[i][0] < hi:
            if spans[i][1] <= hi:
                inside.append(spans[i])
            i += 1
        return inside

    def last(self, label: str, lo: int, hi: int) -> Span | None:
        inside = self.within(label, lo, hi)
        return inside[-1] if inside else None

    def first_from(self, label: str, lo: int, hi: int) -> Span | None:
        """The first span starting at or after lo, inside the sentence ending at hi."""
        spans = self.spans.get(label, ())
        i = bisect_left(spans, (lo, -1))
        while i < len(spans) and spans[i][0] < hi:
            if spans[i][1] <= hi:
                return spans[i]
            i += 1
        return None


def _sentence_index(sentences: list[Sentence], offset: int) -> int | None:
    """The index of the sentence holding `offset` (sentences are sorted), or None."""
    i = bisect_right(sentences, offset, key=lambda s: s.start) - 1
    return i if i >= 0 and offset < sentences[i].end else None


def _sentence_of(sentences: list[Sentence], offset: int) -> Sentence:
    i = _sentence_index(sentences, offset)
    return sentences[i] if i is not None else sentences[-1]


def _object_of_verb(cue_text_before: str, entity: LocalEntity) -> bool:
    return entity.type is not EntityType.METHOD and not re.search(
        r"\b(?:from|on|upon|of)\b", cue_text_before
    )


_CLOSE_WORD = re.compile(r"[\w-]+(?:['’]s)?")
# What joins the names of a list: a comma, "and", "or", after a short parenthesis that
# belongs to the name before ("Phi-2 (2.7B), Llama-2 (7B), and Mistral (7B)").
_COORDINATION = re.compile(r"\s*(?:\([^()]{1,40}\)\s*)?(?:,\s*)?(?:(?:and|or)\s+)?")


def _coordinated(text: str, offset: int, objects: list[tuple[int, int, LocalEntity]]):
    """The first object and the names of its type joined to it by commas, "and", "or":
    the list in "outperforming methods such as ParCo, MoMask, and BAMM", not "GPT-4" in
    "DPO supplemented with extra GPT-4 preference data". A cue's claim distributes over
    the list: "outperforms DPO, IPO and KTO" beats each."""
    chain = objects[:1]
    for item in objects[1:]:
        gap = text[chain[-1][1] - offset : item[0] - offset]
        if item[2].type is not chain[0][2].type or not _COORDINATION.fullmatch(gap):
            break
        chain.append(item)
    return [entity for _, _, entity in chain]


def resolve(found: list[FoundRelation], table: RuleTable) -> list[FoundRelation]:
    """Precedence by the table, not by the order rules ran: each statement once, with the
    evidence of its highest-priority rule (then confidence, then rule name); of statements
    that cannot both hold (schema.conflicts), the one of the higher-priority rule. The
    result keeps the order of `found`."""
    rank = {id(f): (-table[f.rule].priority, -f.confidence, f.rule, i) for i, f in enumerate(found)}
    kept: dict[tuple[str, RelationType, str], FoundRelation] = {}
    by_pair: dict[frozenset[str], list[FoundRelation]] = {}
    for f in sorted(found, key=lambda f: rank[id(f)]):
        pair = frozenset((f.head, f.tail))
        if f.key in kept or any(conflicts(f.key, k.key) for k in by_pair.get(pair, ())):
            continue
        kept[f.key] = f
        by_pair.setdefault(pair, []).append(f)
    return sorted(kept.values(), key=lambda f: rank[id(f)][-1])


def _falls_back(rule: Rule, text_before_cue: str) -> bool:
    """Whether the paper's contribution is the subject that no name before the cue gives."""
    if rule.fallback == "always":
        return True
    paper_acts = bool(_PAPER_ACTS.search(text_before_cue))
    return rule.fallback == ("if-paper-acts" if paper_acts else "unless-paper-acts")


def _mention_end(entity: LocalEntity, start: int) -> int:
    return max(end for s, end in entity.mentions if s == start)


def _outermost(mentions) -> list[tuple[int, int, LocalEntity]]:
    """Mentions in text order, without those inside a longer one (the "DPO" that a
    variant's name "Diffusion-DPO" mentions)."""
    ordered = sorted(mentions, key=lambda m: (m[0], -m[1]))
    kept: list[tuple[int, int, LocalEntity]] = []
    for m in ordered:
        if not any(k[0] <= m[0] and m[1] <= k[1] and k[2] is not m[2] for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: (m[0], m[1]))


def _kind(entity: LocalEntity | None) -> str:
    return PAPER_LABEL if entity is None else entity.type.value


def char_offsets(doc: Doc, token_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start_char, end_char) of each (first token, end token) span, as doc[start:end]
    gives them, without making a spaCy Span for each. Two Tokens a span: a doc has a few
    spans (about 20), for which doc.to_array over all its tokens costs 2.5x as much."""
    offsets = []
    for start, end in token_spans:
        last = doc[end - 1]
        offsets.append((doc[start].idx, last.idx + len(last)))
    return offsets


class RelationFinder:
    """The relations of one paper. Built once per pipeline: compiles the rule table into
    one CueMatcher, which reads each doc once (`cues`)."""

    def __init__(self, nlp: Language, table: RuleTable | None = None) -> None:
        self.table = table or load_rule_table()
        self.matcher = CueMatcher(self.table, nlp)
        self.cue_rules = [
            rule for rule in self.table.rules.values() if rule.patterns and rule.subject
        ]
        self._claim = next(
            r.name for r in self.cue_rules if RelationType.OUTPERFORMS in r.relations
        )
        self._preposition, self._base_preposition = (
            re.compile(
                rf"(?<![\w-])(?:{words_regex(self.table.words(name))})"
                rf"\s+(?:[\w.-]+\s+){{0,2}}$",
                re.I,
            )
            for name in ("prepositions", "base_prepositions")
        )
        # "to cope with architectures based on X": a model cue right after a preposition's
        # object (one or two words) describes that object. ("to" is also the infinitive's:
        # "which we use to further fine-tune".)
        nominal = tuple(w for w in self.table.words("prepositions") if w != "to")
        self._described = re.compile(
            rf"(?<![\w-])(?:{words_regex(nominal)})"
            r"\s+(?:[\w-]+\s+){1,2}$",
            re.I,
        )
        self._systems = re.compile(
            rf"(?<![\w-])(?:{words_regex(self.table.words('trained_system_words'))})(?![\w-])", re.I
        )
        self._list_opener = re.compile(
            rf"\s*(?:{words_regex(self.table.words('list_openers'))})(?![\w-])", re.I
        )
        self._scope = re.compile(
            rf"(?<![\w-])(?:{words_regex(self.table.words('scope_prepositions'))})(?![\w-])", re.I
        )

    @staticmethod
    def _kinds(rule: Rule, end: str) -> frozenset[str]:
        """The kinds a rule's subjects ("domain") or objects ("range") may have; a
        reversed rule's subjects are its relations' tails."""
        if rule.reverse:
            end = "range" if end == "domain" else "domain"
        return frozenset(k for t in rule.relations for k in getattr(SCHEMA[t], end))

    def _gap_allows(self, rule: Rule, gap: str) -> bool:
        """Whether the words between a cue and its first object let that object be the
        cue's: a few modifiers ("a variant of the original PPO", not "building on the
        success of RLHF"), or, for claims, words that do not open a scope ("outperforms
        existing methods such as X", not "an improvement over the original model on X")."""
        if rule.gap == "close":
            # A possessive is a modifier too: "fine-tuning Meta's LLaMA".
            words = gap.split()
            return len(words) <= 3 and all(
                _CLOSE_WORD.fullmatch(w) and not self._preposition.search(w + " ") for w in words
            )
        if rule.gap == "no-scope":
            # Ten words at most; a comma only before a list ("systems, including X").
            return (
                len(gap.split()) <= 10
                and not self._scope.search(gap)
                and all(self._list_opener.match(part) for part in gap.split(",")[1:])
            )
        return True

    def _prepositional(self, text_before: str) -> bool:
        return bool(self._preposition.search(text_before))

    def cues(self, doc: Doc) -> Cues:
        spans: dict[str, list[Span]] = {}
        matches = self.matcher(doc)
        offsets = char_offsets(doc, [(start, end) for _, start, end in matches])
        for (label, _, _), offset in zip(matches, offsets, strict=True):
            spans.setdefault(label, []).append(offset)
        return Cues(spans, set(self.table.rules))

    def find(
        self, entities: list[LocalEntity], sentences: list[Sentence], cues: Cues
    ) -> list[FoundRelation]:
        """Every relation the rules find, resolved: one statement once, with the evidence
        of its highest-priority rule; of two statements that cannot both hold (the
        schema's `conflicts`), the one of the higher-priority rule."""
        return resolve(list(self.candidates(entities, sentences, cues)), self.table)

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

    def candidates(self, entities, sentences, cues) -> Iterator[FoundRelation]:
        """Every statement of every rule, before precedence (`find` resolves them)."""
        proposed = {id(e): rule for e in entities if (rule := self._proposal(e, sentences, cues))}
        yield from self._paper_relations(entities, sentences, proposed)
        own = [e for e in entities if id(e) in proposed and e.type in METHOD_OR_MODEL]
        contributions = {
            "main": own[0] if own else None,
            "method": next((e for e in own if e.type is EntityType.METHOD), None),
            "model": next((e for e in own if e.type is EntityType.MODEL), None),
        }
        # Each mention to its sentence once (not every sentence x every entity: that was
        # quadratic in the text's length).
        by_sentence: list[list[tuple[int, int, LocalEntity]]] = [[] for _ in sentences]
        for entity in entities:
            for s, e in entity.mentions:
                i = _sentence_index(sentences, s)
                if i is not None:
                    by_sentence[i].append((s, e, entity))
        for sentence, mentions in zip(sentences, by_sentence, strict=True):
            present = _outermost(mentions)
            yield from self._cue_relations(sentence, present, cues, contributions)
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

    def _cue_relations(self, sentence, present, cues, own) -> Iterator[FoundRelation]:
        text = sentence.text
        lo, hi = sentence.start, sentence.end
        for rule in self.cue_rules:
            contribution = own["main"] if rule.subject == "claimant" else own["model"]
            previous: tuple[int, list, list] | None = None  # this rule's last cue here
            if rule.objects == "last-before":
                yield from self._before_cue(rule, sentence, present, cues, contribution)
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
                    (s, e)
                    for s, _, e in present
                    if fence <= s < at
                    or (at <= s < cue_end and _object_of_verb(text[at - lo : s - lo], e))
                ]
                # "applying M to X": the objects are models, the method is inside the cue
                range_ = self._kinds(rule, "domain" if rule.objects == "apply-to" else "range")
                objects = [
                    item
                    for item in present
                    if cue_end <= item[0] < clause_end and item[2].type.value in range_
                ]
                gap = text[cue_end - lo : objects[0][0] - lo] if objects else ""
                if not self._gap_allows(rule, gap):
                    objects = []
                after = _coordinated(text, lo, objects)
                if not after and rule.objects != "apply-to":
                    # "we train Mistral-7B with our method": the paper's own, as object.
                    ref = self._reference(cues, cue_end, clause_end, own, first=True)
                    if (
                        ref is not None
                        and ref[1].type.value in range_
                        and self._gap_allows(rule, text[cue_end - lo : ref[0] - lo])
                    ):
                        after = [ref[1]]
                if rule.objects == "apply-to":
                    inside = [e for s, _, e in present if at <= s < cue_end]
                    ref = self._reference(cues, at, cue_end, own)
                    named = {id(e) for _, _, e in present}
                    model = own["model"] if id(own["model"]) in named else None
                    yield from self._applied(rule, sentence, inside, ref, after, model)
                    continue
                if rule.subject == "own-model" and self._describes_another(sentence, before, at):
                    continue
                subjects = self._subjects(rule, sentence, before, cues, fence, at, own)
                domain = self._kinds(rule, "domain")
                if previous is not None and all(
                    e in previous[2] for s, e in before if s >= previous[0] and e.type in domain
                ):
                    subjects = previous[1]  # "TPO outperforms A and achieves higher ... than B"
                elif not subjects and not claim and contribution is not None:
                    subjects = [contribution] if _falls_back(rule, text[: at - lo]) else []
                previous = (cue_end, subjects, after)
                yield from self._claims(rule, sentence, subjects, after, own["main"])

    def _claims(self, rule: Rule, sentence, subjects, after, main) -> Iterator[FoundRelation]:
        if rule.objects == "respectively":
            if len(subjects) == len(after):
                pairs = list(zip(subjects, after, strict=True))
            else:
                pairs = [(subjects[0], after[0])] if len(subjects) == 1 and after else []
        else:
            pairs = [(head, tail) for head in subjects for tail in after]
        for head, tail in pairs:
            # A paper does not claim that something beats its own contribution.
            if tail is head or (tail is main and RelationType.OUTPERFORMS in rule.relations):
                continue
            if rule.reverse:
                head, tail = tail, head
            yield from self._relation(rule.name, head, tail, sentence)

    def _describes_another(self, sentence, before, at) -> bool:
        """Whether a model cue modifies the noun just before it, a preposition's object
        that is no name: "architectures based on ResNet, ResNeXt, and DenseNet", "models
        trained with RLHF" after "compared with"."""
        lo = sentence.start
        ends = [_mention_end(e, s) for s, e in before if s < at]
        start = max(ends, default=lo)
        return start < at and bool(self._described.search(sentence.text[start - lo : at - lo]))

    def _subjects(self, rule, sentence, before, cues, fence, at, own) -> list[LocalEntity]:
        """Who makes the claim: "our method" or "the resulting model" when it stands
        nearer the cue than any name, else the nearest name before the cue that is no
        preposition's object ("X, trained with DPO, outperforms Y": X), with the names
        coordinated with it ("X and Y are ...")."""
        domain = self._kinds(rule, "domain")
        candidates = [(s, e) for s, e in before if e.type.value in domain]
        lo, text = sentence.start, sentence.text
        heads, after_preposition, last_end = [], False, None
        for s, e in candidates:
            # A name coordinated with a preposition's object is one too: "of A and B".
            coordinated = last_end is not None and _COORDINATION.fullmatch(text[last_end : s - lo])
            # (A special case is named anywhere: "the behaviour of DPO (as a special case
            # of ΨPO)".)
            after_preposition = not rule.reverse and (
                self._prepositional(text[: s - lo]) or bool(coordinated and after_preposition)
            )
            if not after_preposition:
                heads.append((s, e))
            last_end = _mention_end(e, s) - lo
        # "We compare with Llama-2-Chat, aligned with RLHF": a model right before a
        # participle is what it describes, preposition or not.
        if rule.subject == "own-model" and candidates:
            s, e = candidates[-1]
            if _REDUCED_RELATIVE.fullmatch(text[_mention_end(e, s) - lo : at - lo]):
                heads = [*heads, (s, e)] if (s, e) not in heads else heads
        ref = self._reference(cues, fence, at, own)
        if ref is not None and ref[1].type.value in domain and (not heads or ref[0] > heads[-1][0]):
            return [ref[1]]
        if not heads:
            return []
        chain = [heads[-1]]
        for s, e in reversed(candidates):
            if s < chain[-1][0]:
                gap = text[_mention_end(e, s) - lo : chain[-1][0] - lo]
                if e.type is not chain[0][1].type or not _COORDINATION.fullmatch(gap):
                    break
                chain.append((s, e))
        return [e for _, e in reversed(chain)]

    @staticmethod
    def _reference(cues, lo, hi, own, first: bool = False) -> tuple[int, LocalEntity] | None:
        """The last (or `first`) "our method" / "the resulting model" in [lo, hi), as the
        paper's own method or model, else its main contribution ("We fine-tune Llama 2 on
        our approach. The resulting model outperforms ...": the approach's claim)."""
        found = []
        for label, entity in (
            ("own-method-reference", own["method"] or own["main"]),
            ("own-model-reference", own["model"] or own["main"]),
        ):
            span = cues.first_from(label, lo, hi) if first else cues.last(label, lo, hi)
            if span is not None and entity is not None:
                found.append((span[0], entity))
        pick = min if first else max
        return pick(found, key=lambda f: f[0], default=None)

    def _applied(self, rule, sentence, inside, ref, after, own_model) -> Iterator[FoundRelation]:
        """ "Applying SELF-ALIGN to the LLaMA-65b base language model, we develop
        Dromedary": the paper's model, named in the sentence, is trained with it; else the
        model it is applied to ("applying our method to the vanilla GPT3")."""
        methods = [e for e in inside if e.type is EntityType.METHOD]
        method = methods[0] if methods else (ref[1] if ref else None)
        targets = [e for e in after if e.type is EntityType.MODEL]
        models = [own_model] if own_model is not None else targets
        for model in models if method is not None else ():
            yield from self._relation(rule.name, model, method, sentence)

    def _before_cue(self, rule, sentence, present, cues, subject) -> Iterator[FoundRelation]:
        # "... applying SELF-ALIGN to the LLaMA-65b base language model": the base model
        # is an object of "to", "on", "from" (not "instruct versions of the X base model").
        lo, text = sentence.start, sentence.text
        for at, _ in cues.within(rule.name, lo, sentence.end):
            models = [(s, e) for s, _, e in present if s < at and e.type is EntityType.MODEL]
            if not models or subject is None or models[-1][1] is subject:
                continue
            if self._base_preposition.search(text[: models[-1][0] - lo]):
                yield from self._relation(rule.name, subject, models[-1][1], sentence)

    # --- naming and the paper's own pairs ------------------------------------------

    def _variant_relations(self, entities, sentences) -> Iterator[FoundRelation]:
        by_key = {}
        for e in entities:
            for form in (e.name, *e.aliases):
                by_key.setdefault(form, e)
        for e in entities:
            parent = by_key.get(e.variant_of) if e.variant_of else None
            if parent is not None and parent is not e and parent.type is e.type:
                # The parent is a method the field knows or the abstract spells out: not
                # "UAV" in "UAV-Assisted", "DTI" in "MD-DTI images".
                if _spelled_apart(e, parent) or not (parent.known or parent.aliases):
                    continue
                sentence = _sentence_of(sentences, e.first)
                yield from self._relation("variant-name", e, parent, sentence)

    def _model_name_relations(self, entities, sentences, proposed) -> Iterator[FoundRelation]:
        """What a model's name says: "Qwen-SFT-MoI" is trained with the paper's own MoI;
        and "Qwen2-Nova-72B" is built on "Qwen2-72B" (the same family and version, the
        base's sizes and releases, plus a name of its own; never the other way round)."""
        models = [e for e in entities if e.type is EntityType.MODEL]
        own_methods = [e for e in entities if e.type is EntityType.METHOD and id(e) in proposed]
        for model in models:
            sentence = _sentence_of(sentences, model.first)
            parts = name_parts(model.name)
            for method in own_methods:
                family = re.split(r"[- ]", model.name)[0].lower()
                if method.name.lower() in parts - {family} and len(parts) > 1:
                    yield from self._relation("model-name-method", model, method, sentence)
            for base in models:
                if base is model or model_stem(base.name) != model_stem(model.name):
                    continue
                extra = _release_parts(model.name) - _release_parts(base.name)
                own_words = {w for w in extra if w not in RELEASE_WORDS and not w[0].isdigit()}
                base_words = {
                    w
                    for w in _release_parts(base.name)
                    if w not in RELEASE_WORDS and not w[0].isdigit()
                }
                if (
                    own_words
                    and base_words <= _release_parts(model.name)
                    and (
                        (id(model) in proposed and id(base) not in proposed)
                        or (_sizes(model.name) and _sizes(model.name) == _sizes(base.name))
                    )
                ):
                    yield from self._relation("model-name-base", model, base, sentence)

    def _own_model_training(self, own, sentences) -> Iterator[FoundRelation]:
        """A paper that proposes both a trained system (a model with a size, or one it
        calls an assistant, a chatbot, a language model) and a method trains the one with
        the other. An architecture ("KST-GCN") is not trained by the
        paper's other method."""
        models = [
            e for e in own if e.type is EntityType.MODEL and self._trained_system(e, sentences)
        ]
        methods = [e for e in own if e.type is EntityType.METHOD]
        for model in models:
            for method in methods:
                sentence = _sentence_of(sentences, model.first)
                yield from self._relation("own-model-and-method", model, method, sentence)

    def _trained_system(self, model: LocalEntity, sentences) -> bool:
        if _sizes(model.name):
            return True  # a release with a parameter count
        return any(
            self._systems.search(_sentence_of(sentences, start).text) for start, _ in model.mentions
        )


def _release_parts(name: str) -> set[str]:
    """A model name's parts after its family and version: "Llama3-PBM-Nova-70B" and
    "Llama-3-70B" -> {"pbm", "nova", "70b"} and {"70b"}."""
    parts = [p for p in re.split(r"[- ]", name.lower()) if p]
    if len(parts) > 1 and re.fullmatch(r"\d+(?:\.\d+)*", parts[1]):
        return set(parts[2:])
    return set(parts[1:])


def _spelled_apart(variant: LocalEntity, parent: LocalEntity) -> bool:
    """A variant whose spelled-out form shares no word with any spelled-out form of its
    parent: "Deep Structured Active Contours (DSAC)" is no Soft Actor-Critic (SAC)."""
    long_forms = [a for a in variant.aliases if " " in a]
    parent_forms = [f for f in (parent.name, *parent.aliases) if " " in f]
    if not long_forms or not parent_forms:
        return False
    words = {w.lower() for f in parent_forms for w in re.findall(r"[A-Za-z]{3,}", f)}
    return not any(w.lower() in words for f in long_forms for w in re.findall(r"[A-Za-z]{3,}", f))


def _sizes(name: str) -> set[str]:
    return {p for p in name_parts(name) if re.fullmatch(r"\d+(?:\.\d+)?[bmk]", p)}
