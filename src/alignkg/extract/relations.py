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

from alignkg.extract.entities import LocalEntity
from alignkg.extract.names import RELEASE_WORDS, model_stem, name_parts
from alignkg.records import PAPER_REF, EntityType, RelationType

METHOD_OR_MODEL = (EntityType.METHOD, EntityType.MODEL)

PROPOSAL_CUE = re.compile(
    r"\b(?:we|this (?:paper|work|study|report)|our (?:work|paper))\b[^.;]{0,60}?\b"
    r"(?:propose|introduce|present|develop|design|build|release|construct|curate|create"
    r"|collect|contribute|formulate|put forward|offer|unveil|open-source|devise|define|coin)",
    re.I,
)
# Words after which a name is what the contribution relates to, not the contribution:
# "We present Zephyr-7B, a model fine-tuned from Mistral-7B".
PROPOSAL_BREAK = re.compile(
    r"\b(?:from|than|over|against|using|via|based on|on top of|compared|such as|including"
    r"|like|with|to|by|on|upon|between|outperform\w*|surpass\w*|exceed\w*|beat\w*)\b",
    re.I,
)
# Where the objects of a cue end: "PRO outperforms X, achieving results comparable to Y".
CLAUSE_END = re.compile(
    r",\s+(?:(?!including\b)\w+ing|while|whereas|which|but|although|though|yet)\b|;|:|\bwhile\b",
    re.I,
)
# "X, a novel framework ...": the name, then its description as something new.
APPOSITIVE_NOVELTY = re.compile(
    r"^\S+(?:\s\([^)]*\))?,?\s+(?:which is\s+)?(?:a|an|our)\s+(?:[\w-]+\s+){0,2}?(?:novel|new)\b",
    re.I,
)
NOVELTY_CUE = re.compile(
    r"\b(?:novel|new|proposed|our|we call|named|called|dubbed|development of|resulting in)\b",
    re.I,
)
EXTENSION_CUE = re.compile(
    r"\b(?:generali[sz](?:es|ing|ation of)|extension (?:of|to)|extends?|extending|variant of"
    r"|(?:advanced|improved|enhanced|extended) version of|builds? (?:up)?on|building (?:up)?on)\b",
    re.I,
)
OUTPERFORM_CUE = re.compile(
    r"\b(?:outperform(?:s|ed|ing)?|surpass(?:es|ed|ing)?|beat(?:s|ing)?|exceed(?:s|ed|ing)?"
    r"|better than|superior to|improves? (?:up)?on|compares? favorably"
    r"|superior [^.;]{0,80}?(?:compared (?:to|with)|than))\b",
    re.I,
)
BASE_CUE = re.compile(
    r"\b(?:(?:fine-?tuned|trained|built|builds?|building|initiali[sz]ed|based|developed|adapted"
    r"|derived)"
    r"\s+(?:\w+\s+){0,2}?(?:from|on|upon)|on top of|starting from)\b",
    re.I,
)
BASE_MODEL_CUE = re.compile(r"\bbase (?:language |foundation )?models?\b", re.I)
TRAINING_CUE = re.compile(
    r"\b(?:(?:trained|aligned|fine-?tuned|optimi[sz]ed|tuned)\s+(?:\S+\s+){0,3}?"
    r"(?:with|using|via|by|through)|applying|by applying)\b",
    re.I,
)


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


class RelationFinder:
    def find(
        self,
        entities: list[LocalEntity],
        sentences: list[Sentence],
    ) -> Iterator[FoundRelation]:
        proposed = {id(e): rule for e in entities if (rule := self._proposal(e, sentences))}
        yield from self._paper_relations(entities, sentences, proposed)
        own = [e for e in entities if id(e) in proposed and e.type in METHOD_OR_MODEL]
        main = own[0] if own else None
        own_model = next((e for e in own if e.type is EntityType.MODEL), None)
        for sentence in sentences:
            present = sorted(
                ((s, e, entity) for entity in entities for s, e in _in(sentence, entity)),
                key=lambda item: (item[0], item[1]),
            )
            yield from self._cue_relations(sentence, present, main, own_model)
        yield from self._variant_relations(entities, sentences)
        yield from self._own_model_training(own, sentences)
        yield from self._model_name_relations(entities, sentences, proposed)

    # --- the paper's own contributions ---------------------------------------------

    def _proposal(self, entity: LocalEntity, sentences: list[Sentence]) -> str | None:
        if entity.title_contribution and entity.type is not EntityType.TASK:
            return "title-contribution"
        if entity.named_at is not None and (
            not entity.known
            or re.search(r"\b(?:we|our)\b", _sentence_of(sentences, entity.named_at).text, re.I)
        ):
            return "named-cue"  # "we propose a method called Self-Play fIne-tuNing (SPIN)"
        if not entity.known and entity.variant_of:
            return "variant-name"  # a paper that names a variant of DPO presents it
        if entity.type is EntityType.DATASET and not entity.known and len(entity.mentions) >= 3:
            return "recurring-new-dataset"  # an abstract dwells on the benchmark it builds
        for start, _ in entity.mentions:
            sentence = _sentence_of(sentences, start)
            before = sentence.text[: start - sentence.start]
            cue = _last(PROPOSAL_CUE, before)
            # The field's well-known entities are used, not proposed, unless right after
            # the cue: "we release OpenAssistant Conversations".
            close_enough = cue and (
                not entity.known
                or re.fullmatch(r"\s*(?:(?:a|an|the|our)\s+)?", before[cue.end() :])
            )
            if close_enough and not PROPOSAL_BREAK.search(before[cue.end() :]):
                return "proposal-cue"
            if entity.known:
                continue
            novel = _last(NOVELTY_CUE, before[-50:])
            if (
                (novel and not PROPOSAL_BREAK.search(before[-50:][novel.end() :]))
                or APPOSITIVE_NOVELTY.match(sentence.text[start - sentence.start :])
            ) and re.search(r"\b(?:we|our)\b", sentence.text, re.I):
                return "novelty-cue"
        return None

    def _paper_relations(self, entities, sentences, proposed) -> Iterator[FoundRelation]:
        for entity in entities:
            sentence = _sentence_of(sentences, entity.first)
            rule = proposed.get(id(entity))
            if entity.type is EntityType.TASK:
                yield FoundRelation(
                    PAPER_REF, RelationType.ADDRESSES, entity.name, sentence, "task-mention", 0.7
                )
            elif entity.type is EntityType.DATASET:
                if rule:
                    yield FoundRelation(
                        PAPER_REF, RelationType.INTRODUCES, entity.name, sentence, rule, 0.85
                    )
                else:
                    yield FoundRelation(
                        PAPER_REF,
                        RelationType.EVALUATES_ON,
                        entity.name,
                        sentence,
                        "dataset-mention",
                        0.7,
                    )
            elif entity.type in METHOD_OR_MODEL:
                if rule:
                    yield FoundRelation(
                        PAPER_REF, RelationType.PROPOSES, entity.name, sentence, rule, 0.85
                    )
                else:
                    yield FoundRelation(
                        PAPER_REF, RelationType.USES, entity.name, sentence, "mention", 0.7
                    )

    # --- cue phrases within one sentence -------------------------------------------

    def _cue_relations(self, sentence, present, main, own_model) -> Iterator[FoundRelation]:
        text = sentence.text
        for cue, handler, subject in (
            (OUTPERFORM_CUE, self._outperforms, main),
            (EXTENSION_CUE, self._extends, main),
            (BASE_CUE, self._based_on, own_model),
            (TRAINING_CUE, self._trained_with, own_model),
        ):
            for m in cue.finditer(text):
                at, cue_end = sentence.start + m.start(), sentence.start + m.end()
                clause = CLAUSE_END.search(text, m.end())
                clause_end = sentence.start + (clause.start() if clause else len(text))
                # Subjects stand before the cue, or inside it as the verb's object: "we
                # fine-tuned X using M" (but not "fine-tuned from X with M"); and after any
                # earlier claim: in "X outperforms models that are trained on Y", X is
                # not trained on Y.
                claim = (
                    _last(OUTPERFORM_CUE, text[: m.start()]) if cue is not OUTPERFORM_CUE else None
                )
                fence = sentence.start + claim.end() if claim else sentence.start
                before = [
                    e
                    for s, _, e in present
                    if fence <= s < at
                    or (
                        at <= s < cue_end
                        and _object_of_verb(text[m.start() : s - sentence.start], e)
                    )
                ]
                objects = [item for item in present if cue_end <= item[0] < clause_end]
                after = _coordinated(text, sentence.start, objects)
                # "We extend DPO and KTO ...": the paper acts, not one of its methods.
                paper_acts = re.search(r"\bwe\s+(?:\w+\s+)?$", text[: m.start()], re.I)
                acting = None if paper_acts or claim else subject
                yield from handler(sentence, before, after, acting)
        for m in BASE_MODEL_CUE.finditer(text):
            # "... applying SELF-ALIGN to the LLaMA-65b base language model"
            at = sentence.start + m.start()
            models = [e for s, _, e in present if s < at and e.type is EntityType.MODEL]
            if models and own_model is not None and models[-1] is not own_model:
                yield FoundRelation(
                    own_model.name,
                    RelationType.BASED_ON,
                    models[-1].name,
                    sentence,
                    "base-model-cue",
                    0.7,
                )

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

    def _outperforms(self, sentence, before, after, main) -> Iterator[FoundRelation]:
        for head in self._subjects(before, main, METHOD_OR_MODEL):
            for tail in after:
                # A paper does not claim that something beats its own contribution.
                if tail.type in METHOD_OR_MODEL and tail is not head and tail is not main:
                    yield FoundRelation(
                        head.name,
                        RelationType.OUTPERFORMS,
                        tail.name,
                        sentence,
                        "outperform-cue",
                        0.75,
                    )

    def _extends(self, sentence, before, after, main) -> Iterator[FoundRelation]:
        for head in self._subjects(before, main, METHOD_OR_MODEL):
            for tail in after[:1]:
                # Model on model is BASED_ON ("Tulu 3 builds on Llama 3.1"), not EXTENDS.
                if tail.type is head.type is EntityType.METHOD and tail is not head:
                    yield FoundRelation(
                        head.name, RelationType.EXTENDS, tail.name, sentence, "extension-cue", 0.75
                    )

    def _based_on(self, sentence, before, after, main) -> Iterator[FoundRelation]:
        models = (EntityType.MODEL,)
        for head in self._subjects(before, main, models):
            for tail in after[:1]:
                if tail.type is EntityType.MODEL and tail is not head:
                    yield FoundRelation(
                        head.name, RelationType.BASED_ON, tail.name, sentence, "base-cue", 0.75
                    )

    def _trained_with(self, sentence, before, after, main) -> Iterator[FoundRelation]:
        for head in self._subjects(before, main, (EntityType.MODEL,)):
            for tail in after[:2]:
                if tail.type is EntityType.METHOD:
                    yield FoundRelation(
                        head.name,
                        RelationType.TRAINED_WITH,
                        tail.name,
                        sentence,
                        "training-cue",
                        0.7,
                    )

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
                yield FoundRelation(
                    e.name, RelationType.EXTENDS, parent.name, sentence, "variant-name", 0.8
                )

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
                    yield FoundRelation(
                        model.name,
                        RelationType.TRAINED_WITH,
                        method.name,
                        sentence,
                        "model-name-method",
                        0.6,
                    )
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
                    yield FoundRelation(
                        model.name,
                        RelationType.BASED_ON,
                        base.name,
                        sentence,
                        "model-name-base",
                        0.6,
                    )

    def _own_model_training(self, own, sentences) -> Iterator[FoundRelation]:
        """A paper that proposes both a model and a method trains the one with the other."""
        models = [e for e in own if e.type is EntityType.MODEL]
        methods = [e for e in own if e.type is EntityType.METHOD]
        for model in models:
            for method in methods:
                sentence = _sentence_of(sentences, model.first)
                yield FoundRelation(
                    model.name,
                    RelationType.TRAINED_WITH,
                    method.name,
                    sentence,
                    "own-model-and-method",
                    0.55,
                )


def _sizes(name: str) -> set[str]:
    return {p for p in name_parts(name) if re.fullmatch(r"\d+(?:\.\d+)?[bmk]", p)}


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    match = None
    for match in pattern.finditer(text):  # noqa: B007 - the last one is wanted
        pass
    return match
