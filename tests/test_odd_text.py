"""Titles in capitals, Greek letters and mathematical alphanumerics, on real-style text."""

from __future__ import annotations

import pytest

from alignkg.canonical import build_graph, variant_key
from alignkg.extract import Extractor
from alignkg.records import Paper


@pytest.fixture(scope="module")
def extractor():
    return Extractor()


def names(extraction) -> set[str]:
    return {e.name for e in extraction.entities}


def test_a_title_in_capitals_names_nothing_without_evidence(extractor):
    paper = Paper("caps", "LEARNING TO ALIGN WITH FEEDBACK", "We learn from feedback with PPO.")
    assert names(extractor.extract(paper)) == {"PPO"}


@pytest.mark.parametrize("beta", ["β", "\U0001d6fd"])  # Greek beta, MATHEMATICAL ITALIC beta
def test_a_greek_prefix_makes_a_variant_and_offsets_stay_exact(extractor, beta):
    text = f"We propose {beta}-DPO, which generalizes DPO. {beta}-DPO outperforms IPO."
    paper = Paper("greek", "A Study", text)
    extraction = extractor.extract(paper)
    assert f"{beta}-DPO" in names(extraction)
    for rel in extraction.relations:
        ev = rel.evidence
        assert paper.text[ev.start : ev.end] == ev.sentence


def test_greek_its_mathematical_form_and_its_spelled_out_name_are_one_node(extractor):
    assert variant_key("β-DPO") == variant_key("beta-DPO") == variant_key("\U0001d6fd-DPO")
    papers = [
        Paper("a", "A", "We propose β-DPO, which generalizes DPO."),
        Paper("b", "B", "We compare with \U0001d6fd-DPO and DPO."),
    ]
    graph = build_graph(extractor.pipe(papers))
    [beta] = [e for e in graph.entities.values() if e.name.endswith("-DPO")]
    assert beta.papers == ("paper/a", "paper/b")
