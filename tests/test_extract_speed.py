"""What keeps extraction fast on fresh text: the rule table read as regular expressions
over the text (not a spaCy Matcher, whose cost grows with patterns x tokens), and work
linear in the length of an abstract."""

from __future__ import annotations

import cProfile
import pstats

import pytest
import spacy

from alignkg.extract import Extractor
from alignkg.extract.relations import Cues, RelationFinder
from alignkg.extract.rule_table import build_matcher, load_rule_table
from alignkg.ingest import default_corpus, read_corpus
from alignkg.records import Paper


def matcher_cues(nlp, matcher, table, text: str) -> dict:
    doc = nlp.make_doc(text)
    spans: dict[str, list] = {}
    for label, start, end in matcher(doc):
        span = doc[start:end]
        spans.setdefault(nlp.vocab.strings[label], []).append((span.start_char, span.end_char))
    return Cues(spans, set(table.rules)).spans


def test_cue_regexes_find_what_the_matcher_patterns_find_on_the_bundled_corpus():
    nlp = spacy.blank("en")
    table = load_rule_table()
    matcher = build_matcher(table, nlp)
    finder = RelationFinder(nlp)
    compared = 0
    for paper in read_corpus(default_corpus()):
        expected = matcher_cues(nlp, matcher, table, paper.text)
        found = finder.cues(paper.text).spans
        for rule in table.rules:
            assert found.get(rule, []) == expected.get(rule, []), (paper.id, rule)
            compared += len(expected.get(rule, []))
    assert compared > 100


def test_cue_regexes_count_tokens_as_spacy_cuts_them():
    finder = RelationFinder(spacy.blank("en"))
    # Eleven tokens between "We" and "construct" ("PCA-based" is three): out of reach.
    far = "We also implement the kernel PCA-based ASMs, and use it to construct X."
    assert not finder.cues(far).spans.get("proposal-cue")
    near = "We fine-tune Qwen2.5 and GPT-4 and propose X."
    assert finder.cues(near).spans["proposal-cue"] == [(0, near.index("propose") + 7)]
    # "Llama-2-based" is one token: no "based on" cue inside it.
    assert not finder.cues("It is Llama-2-based on data.").spans.get("base-cue")


def long_paper(size: int) -> Paper:
    """A long abstract of real, varied text: the bundled abstracts one after another."""
    abstracts = [paper.abstract for paper in read_corpus(default_corpus())]
    text = ""
    while len(text) < size:
        text += " ".join(abstracts) + " "
    return Paper(id=f"long-{size}", title="A long abstract", abstract=text[:size])


def calls_to_extract(extractor: Extractor, paper: Paper) -> int:
    with cProfile.Profile() as profile:
        extractor.extract(paper)
    return pstats.Stats(profile).total_calls


@pytest.mark.slow
def test_extraction_work_grows_linearly_with_the_length_of_an_abstract():
    # Function calls, not seconds: four times the text makes at most four times the calls
    # (3.3 now; 5.1 when every sentence read every entity's mentions and every mention
    # was checked against all those taken before).
    extractor = Extractor()
    extractor.extract(long_paper(1000))
    small = calls_to_extract(extractor, long_paper(30_000))
    large = calls_to_extract(extractor, long_paper(120_000))
    assert large / small < 4.5, (small, large)
