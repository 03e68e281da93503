"""Titles in capitals, Greek letters and mathematical alphanumerics, on real-style text."""

from __future__ import annotations

import pytest

from alignkg.canonical import build_graph, variant_key
from alignkg.extract import shared_extractor
from alignkg.records import Paper


@pytest.fixture(scope="module")
def extractor():
    return shared_extractor()


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


def _read_one(tmp_path, title: str, abstract: str) -> Paper:
    import json

    from alignkg.ingest import read_corpus

    path = tmp_path / "latex.jsonl"
    path.write_text(json.dumps({"id": "2405.14734", "title": title, "abstract": abstract}) + "\n")
    (paper,) = read_corpus(path)
    return paper


def test_latex_reads_as_printed_so_names_and_proposals_are_found(extractor, tmp_path):
    # SimPO's abstract as arXiv metadata writes it, with LaTeX markup.
    paper = _read_one(
        tmp_path,
        r"\textsc{SimPO}: Simple Preference Optimization with a Reference-Free Reward",
        r"We propose \emph{SimPO}, a simpler and more effective approach than DPO. "
        r"SimPO outperforms DPO by up to 6.4 points on AlpacaEval 2 with a 34.0\% win rate. "
        r"Our $\beta$-DPO variant is a generalization of DPO. It costs $5 and $10.",
    )
    assert paper.title.startswith("SimPO: Simple Preference")
    assert "We propose SimPO," in paper.abstract and "34.0% win rate" in paper.abstract
    assert "β-DPO" in paper.abstract and "costs $5 and $10" in paper.abstract
    extraction = extractor.extract(paper)
    found = {(r.head, r.type.value, r.tail) for r in extraction.relations}
    assert ("@paper", "PROPOSES", "SimPO") in found
    assert "β-DPO" in names(extraction)


@pytest.mark.parametrize(
    "latex, plain",
    [
        (r"\textbf{\emph{Tulu}}", "Tulu"),
        (r"$\mathcal{O}(n)$ time", r"\mathcal{O}(n) time"),  # unknown commands stay
        (r"$$x$$", "$$x$$"),  # display math is not inline math
        (r"\alphabet \alpha", r"\alphabet α"),
        (r"Q\&A and 5\_000", "Q&A and 5_000"),
        ("no markup at all", "no markup at all"),
    ],
)
def test_plain_text_of_latex(latex, plain):
    from alignkg.ingest.latex import plain_text

    assert plain_text(latex) == plain
