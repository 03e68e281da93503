"""The learned entity recognizer of the `accurate` pipeline: a small spaCy NER (hash
embeddings, no vectors, CPU) trained by scripts/train-model on SciREX ML abstracts and
the development gold (training/), shipped in data/model/.

    nlp.add_pipe("alignkg_learned", before="alignkg_entities")

It writes its spans to `doc.spans["alignkg_learned"]` and leaves `doc.ents` alone; the
entity recognizer (components.py, entities.py) then joins them to the rules' candidates
with this precedence, most trusted first:

1. the lexicon: a name it knows keeps the lexicon's type, whatever the model says;
2. the rules' spans (acronym definitions, naming patterns, the title's contribution,
   cue phrases): a learned span that overlaps one of them is dropped;
3. the rules' types (naming patterns, context such as "the X benchmark");
4. the model: it adds the spans that no rule found, and types the names no rule could
   type (which would otherwise default to Method);
5. Method, for a name nothing typed.

Without this pipe nothing changes: the rest of the extractor never needs it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from functools import cache
from importlib.resources import files
from pathlib import Path

import spacy
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from alignkg.extract.type_rules import head_word
from alignkg.keys import written_as_name
from alignkg.records import EntityType

SPANS_KEY = "alignkg_learned"
MODEL_ENV = "ALIGNKG_LEARNED_MODEL"  # another trained model dir, to measure a variant


def shipped_model() -> Path:
    return Path(str(files("alignkg") / "data" / "model"))


def model_path(configured: str = "") -> Path:
    return Path(configured or os.environ.get(MODEL_ENV) or shipped_model())


class LearnedModelMissing(RuntimeError):
    pass


def model_problem(configured: str = "") -> str | None:
    """Why the trained model cannot be loaded, or None."""
    path = model_path(configured)
    if not (path / "config.cfg").is_file():
        return f"no trained model in {path} (scripts/train-model makes it)"
    return None


@cache
def load_filter() -> dict:
    """data/model-filter.json: which names count (shared with training/prepare.py)."""
    raw = (files("alignkg") / "data" / "model-filter.json").read_text(encoding="utf-8")
    return json.loads(raw)


def counts(text: str, type_: EntityType) -> bool:
    """Whether a span of the model names something by GUIDELINES.md: not "NLP benchmarks"
    (a generic head written lower-case), not "memory" as a Metric, no LaTeX, not cut
    short before its head."""
    rules = load_filter()
    if any(c in text for c in "$\\{}") or text.rsplit(None, 1)[-1].lower() in STOP_WORDS:
        return False  # LaTeX, or cut short: "mixture of $", "image class and"
    head = head_word(text)
    if head in rules["generic_heads"] and head in text:  # the head as written, lower-case
        return False
    return type_ is not EntityType.METRIC or written_as_name(text) or head in rules["metric_heads"]


@Language.factory("alignkg_learned", default_config={"model": ""})
class LearnedRecognizer:
    """Runs the trained NER on the pipeline's own docs (same tokenizer, no second pass)."""

    def __init__(self, nlp: Language, name: str, model: str) -> None:
        self.name = name
        if problem := model_problem(model):
            raise LearnedModelMissing(problem)
        trained = spacy.load(model_path(model))
        self.ner = trained.get_pipe("ner")
        self.labels = {label: EntityType(label) for label in self.ner.labels}
        for label in self.ner.labels:  # the docs' vocab must know the labels' strings
            nlp.vocab.strings.add(label)

    def _annotate(self, docs: list[Doc]) -> Iterator[Doc]:
        saved = [doc.ents for doc in docs]
        for doc in docs:
            doc.ents = ()
        for doc, ents in zip(self.ner.pipe(docs, batch_size=len(docs)), saved, strict=True):
            doc.spans[SPANS_KEY] = [s for s in doc.ents if counts(s.text, self.labels[s.label_])]
            doc.ents = ents
            yield doc

    def __call__(self, doc: Doc) -> Doc:
        return next(self._annotate([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for batch in minibatch(docs, size=batch_size):
            yield from self._annotate(list(batch))


def learned_spans(doc: Doc) -> list[tuple[int, int, EntityType]]:
    """The model's spans as (start_char, end_char, type); none without the pipe."""
    if SPANS_KEY not in doc.spans:
        return []
    return [(s.start_char, s.end_char, EntityType(s.label_)) for s in doc.spans[SPANS_KEY]]
