"""The extractor's spaCy components, registered with @Language.factory so that any
pipeline can add them (`nlp.add_pipe("alignkg_entities")`).

Results live on the Doc: `doc._.acronyms`, `doc._.alignkg_entities` (also as `doc.ents`,
labelled with entity types) and `doc._.alignkg_relations`. The text is a paper's title, a
blank line, then its abstract (Paper.text).
"""

from __future__ import annotations

import json

import numpy
from spacy.attrs import IDX, ORTH, SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import ensure_path, filter_spans

from alignkg.extract.acronyms import find_definitions
from alignkg.extract.entities import EntityFinder
from alignkg.extract.learned import learned_spans
from alignkg.extract.lexicon import load_lexicon
from alignkg.extract.relations import RelationFinder, Sentence, char_offsets
from alignkg.extract.rule_table import RULES_FILE, load_rule_table, parse_table

for _name in ("acronyms", "alignkg_entities", "alignkg_relations"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

TEXT_KEY = "alignkg_text"
_SENTENCE_END = (".", "!", "?", "\n\n", "\n\n\n", "\n\n\n\n")


def doc_text(doc: Doc) -> str:
    """doc.text joins every token anew; the components read it once per doc."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def title_end(text: str) -> int:
    end = text.find("\n\n")
    return end if end >= 0 else 0


@Language.factory("alignkg_sentences")
class SentenceSplitter:
    """Sentences end at . ! ? and at blank lines (the title is a sentence of its own).
    A parser's sentences, when the pipeline has one, are left alone."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.ends = numpy.array([nlp.vocab.strings.add(s) for s in _SENTENCE_END], dtype="uint64")

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0 or doc.has_annotation("SENT_START"):
            return doc
        # Vectorised over token ids: a token starts a sentence after an end token (a
        # comparison with the few end tokens; numpy.isin costs more on short arrays).
        orth = doc.to_array(ORTH)
        starts = numpy.full((len(orth), 1), -1, dtype="int64")
        starts[0] = 1
        starts[1:, 0][(orth[:-1, None] == self.ends).any(axis=1)] = 1
        doc.from_array([SENT_START], starts.astype("uint64"))
        return doc


@Language.factory("alignkg_acronyms")
class AcronymFinder:
    """Acronym definitions: "Direct Preference Optimization (DPO)" -> doc._.acronyms."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        doc._.acronyms = find_definitions(doc_text(doc))
        return doc


@Language.factory("alignkg_entities")
class EntityRecognizer:
    """Entities from the lexicon, acronym definitions and naming patterns, joined by the
    trained NER's spans when the pipeline has `alignkg_learned` (learned.py)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        lexicon = load_lexicon()
        self.finder = EntityFinder(lexicon)
        # Acronyms match as spelled ("PRO" is not "pro"); longer names in any case.
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        exact, folded = [], []
        for entry in lexicon.entries:
            for form in entry.forms:
                (exact if entry.case_sensitive(form) else folded).append(form)
        # A copy of the tokenizer reads the lexicon's forms: thousands of short texts
        # through the pipeline's own tokenizer leave it twice as slow on every abstract
        # after (measured by bench/extract_speed.py).
        tokenizer = Tokenizer(nlp.vocab).from_bytes(nlp.tokenizer.to_bytes())
        self.exact.add("LEXICON", list(tokenizer.pipe(exact)))
        self.folded.add("LEXICON", list(tokenizer.pipe(folded)))

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        definitions = doc._.acronyms
        if definitions is None:
            definitions = find_definitions(text)
        matches = [(s, e) for _, s, e in self.exact(doc)] + [(s, e) for _, s, e in self.folded(doc)]
        lexicon_spans = char_offsets(doc, matches)
        candidates = self.finder.candidates(
            text, title_end(text), lexicon_spans, definitions, learned_spans(doc)
        )
        entities = self.finder.resolve(text, candidates, definitions)
        doc._.alignkg_entities = entities
        spans = [
            doc.char_span(s, e, label=entity.type.value, alignment_mode="expand")
            for entity in entities
            for s, e in entity.mentions
        ]
        # set_ents, not the `doc.ents` setter: that makes each Span anew
        doc.set_ents(filter_spans([span for span in spans if span is not None]))
        return doc


@Language.factory("alignkg_relations", default_config={"rules": None})
class RelationExtractor:
    """Relations from entity roles and the cue rules of data/relation_rules.json (or the
    `rules` file of the config; one pass of its CueMatcher per doc) -> doc._.alignkg_relations.
    The rule table is saved with the pipeline (`nlp.to_disk`) and read back from it."""

    def __init__(self, nlp: Language, name: str, rules: str | None = None) -> None:
        self.name = name
        self.nlp = nlp
        self.finder = RelationFinder(nlp, load_rule_table(rules))

    def to_disk(self, path, *, exclude=()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.finder.table.data, ensure_ascii=False, indent=1)
        (path / RULES_FILE).write_text(text + "\n", encoding="utf-8")

    def from_disk(self, path, *, exclude=()) -> RelationExtractor:
        file = ensure_path(path) / RULES_FILE
        table = parse_table(json.loads(file.read_text(encoding="utf-8")), str(file))
        self.finder = RelationFinder(self.nlp, table)
        return self

    def __call__(self, doc: Doc) -> Doc:
        entities = doc._.alignkg_entities or []
        cues = self.finder.cues(doc)
        doc._.alignkg_relations = self.finder.find(entities, doc_sentences(doc), cues)
        return doc


def doc_sentences(doc: Doc) -> list[Sentence]:
    """The doc's sentences, as offsets into its text, without surrounding whitespace."""
    text = doc_text(doc)
    array = doc.to_array([SENT_START, IDX])
    starts = [0, *array[1:, 1][array[1:, 0] == 1].tolist()]  # no Token object for each
    sentences = []
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        chunk = text[start:end]
        stripped = chunk.strip()
        start += len(chunk) - len(chunk.lstrip())
        sentences.append(Sentence(start, start + len(stripped), stripped))
    return sentences
