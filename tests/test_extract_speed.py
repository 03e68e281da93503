"""Extraction work linear in the length of an abstract (issue 10.4)."""

from __future__ import annotations

import cProfile
import pstats

import pytest

from alignkg.extract import Extractor
from alignkg.ingest import default_corpus, read_corpus
from alignkg.records import Paper


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
