"""Extraction: Paper -> PaperExtraction, with a spaCy pipeline on spacy.blank("en").

    ingest.Paper ─▶ alignkg_sentences ─▶ alignkg_acronyms ─▶ alignkg_entities
                                                  ─▶ alignkg_relations ─▶ PaperExtraction

Where things are recognised: acronym definitions in acronyms.py, naming patterns
(f-DPO, *-Bench, LLaMA-2-70b) in names.py, the curated lexicon in data/lexicon.json,
entity resolution in entities.py, cue phrases in relations.py.
"""

from __future__ import annotations

import functools
import os
from collections import deque
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from alignkg.extract.components import TEXT_KEY  # importing registers the factories
from alignkg.records import (
    PAPER_REF,
    EntityType,
    Evidence,
    ExtractedEntity,
    ExtractedRelation,
    Paper,
    PaperExtraction,
    RelationType,
)

PIPE_NAMES = ("alignkg_sentences", "alignkg_acronyms", "alignkg_entities", "alignkg_relations")
# `default`: rules and lexicon only. `accurate`: plus the trained NER of learned.py (slower;
# its precedence below the rules is documented there).
PIPELINES = {
    "default": PIPE_NAMES,
    "accurate": (*PIPE_NAMES[:2], "alignkg_learned", *PIPE_NAMES[2:]),
}
DEFAULT_PIPELINE = "default"


def build_nlp(base: Language | None = None, pipeline: str = DEFAULT_PIPELINE) -> Language:
    """The extraction pipeline, on spacy.blank("en") unless another pipeline is given."""
    if pipeline not in PIPELINES:
        raise ValueError(f"unknown pipeline {pipeline!r}; choose one of: {', '.join(PIPELINES)}")
    nlp = base if base is not None else spacy.blank("en")
    for name in PIPELINES[pipeline]:
        if name not in nlp.pipe_names:
            nlp.add_pipe(name)
    return nlp


class Extractor:
    def __init__(self, nlp: Language | None = None, pipeline: str = DEFAULT_PIPELINE) -> None:
        self.nlp = nlp or build_nlp(pipeline=pipeline)

    def extract(self, paper: Paper) -> PaperExtraction:
        return next(self.pipe([paper]))

    def pipe(self, papers: Iterable[Paper], batch_size: int = 64) -> Iterator[PaperExtraction]:
        pending: deque[Paper] = deque()

        def docs() -> Iterator[Doc]:
            for paper in papers:
                pending.append(paper)
                doc = self.nlp.make_doc(paper.text)
                doc.user_data[TEXT_KEY] = paper.text  # spares the components doc.text
                yield doc

        for doc in self.nlp.pipe(docs(), batch_size=batch_size):
            yield to_extraction(pending.popleft(), doc)


def shared_extractor(pipeline: str = DEFAULT_PIPELINE) -> Extractor:
    """The process's Extractor of `pipeline`, built on first use and then reused: building
    one reads the lexicon into its matchers (about a second), which a process that
    extracts corpus after corpus (CLI commands run in-process, a test suite, a notebook)
    need not pay each time. Extraction keeps no state between papers, so sharing changes
    no output. Keyed by the learned model too (learned.MODEL_ENV), which is read at build."""
    from alignkg.extract.learned import MODEL_ENV

    return _shared_extractor(pipeline, os.environ.get(MODEL_ENV))


@functools.cache
def _shared_extractor(pipeline: str, model: str | None) -> Extractor:
    return Extractor(pipeline=pipeline)


def to_extraction(paper: Paper, doc) -> PaperExtraction:
    extraction = PaperExtraction(paper=paper)
    for entity in doc._.alignkg_entities or []:
        extraction.entities.append(
            ExtractedEntity(entity.name, entity.type, tuple(sorted(entity.aliases)), entity.links)
        )
    for found in doc._.alignkg_relations or []:
        evidence = Evidence(
            paper_id=paper.id,
            sentence=found.sentence.text,
            start=found.sentence.start,
            end=found.sentence.end,
            rule=found.rule,
            confidence=found.confidence,
        )
        extraction.relations.append(ExtractedRelation(found.head, found.type, found.tail, evidence))
    if paper.organization:
        extraction.entities.append(ExtractedEntity(paper.organization, EntityType.ORGANIZATION))
        title = Evidence(paper.id, paper.title, 0, len(paper.title), "listing-organization", 1.0)
        extraction.relations.append(
            ExtractedRelation(PAPER_REF, RelationType.AFFILIATED_WITH, paper.organization, title)
        )
    return extraction
