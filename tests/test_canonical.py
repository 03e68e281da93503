"""Canonicalization: one node per real thing, and no more."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alignkg.canonical import build_graph
from alignkg.keys import match_key
from alignkg.pipeline import build_graph_from_corpus
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

M, MO = EntityType.METHOD, EntityType.MODEL


def paper_with(paper_id: str, *entities: ExtractedEntity, relations=()) -> PaperExtraction:
    paper = Paper(id=paper_id, title=f"Paper {paper_id}", abstract="Text.")
    return PaperExtraction(paper, list(entities), list(relations))


def names(graph) -> set[str]:
    return {e.name for e in graph.entities.values()}


def test_match_key_folds_case_hyphens_spaces_and_punctuation():
    assert match_key("Dromedary 2") == match_key("Dromedary-2") == "dromedary2"
    assert match_key("LLaMA-2-70b") != match_key("LLaMA-2-Chat-70b")
    assert match_key("GPT-4") != match_key("GPT-4o")
    assert match_key("*PO") != match_key("PO")


def test_acronym_and_long_form_are_one_method():
    graph = build_graph(
        [
            paper_with("a", ExtractedEntity("DPO", M, ("Direct Preference Optimization",))),
            paper_with("b", ExtractedEntity("direct preference optimization", M)),
            paper_with("c", ExtractedEntity("DPO", M)),
        ]
    )
    [dpo] = graph.entities.values()
    assert dpo.name == "DPO" and dpo.id == "method/dpo"
    assert dpo.aliases == ("Direct Preference Optimization",)
    assert dpo.papers == ("paper/a", "paper/b", "paper/c")


def test_spelling_variants_merge_but_sizes_and_versions_do_not():
    graph = build_graph(
        [
            paper_with(
                "a",
                ExtractedEntity("Dromedary-2", MO),
                ExtractedEntity("GPT-4", MO),
                ExtractedEntity("LLaMA-2-70b", MO),
            ),
            paper_with(
                "b",
                ExtractedEntity("Dromedary 2", MO),
                ExtractedEntity("GPT-4o", MO),
                ExtractedEntity("LLaMA-2-Chat-70b", MO),
            ),
        ]
    )
    assert names(graph) == {"Dromedary-2", "GPT-4", "GPT-4o", "LLaMA-2-70b", "LLaMA-2-Chat-70b"}
    assert graph.entities["model/dromedary-2"].aliases == ("Dromedary 2",)


def test_same_acronym_for_different_things_stays_apart():
    graph = build_graph(
        [
            paper_with("a", ExtractedEntity("PAS", M, ("Prompt Augmentation System",))),
            paper_with("b", ExtractedEntity("PAS", M, ("Personality Activation Search",))),
            paper_with("c", ExtractedEntity("PAS", M, ("Prompt Augmentation System",))),
        ]
    )
    assert sorted(graph.entities) == ["method/pas", "method/pas-2"]
    papers = sorted(e.papers for e in graph.entities.values())
    assert papers == [("paper/a", "paper/c"), ("paper/b",)]


def test_types_keep_things_apart():
    graph = build_graph(
        [
            paper_with("a", ExtractedEntity("ProgressGym", M)),
            paper_with("b", ExtractedEntity("ProgressGym", EntityType.DATASET)),
        ]
    )
    assert sorted(graph.entities) == ["dataset/progressgym", "method/progressgym"]


def test_relations_from_several_papers_are_one_with_all_evidence():
    def uses(paper_id):
        evidence = Evidence(paper_id, "We use DPO.", 0, 11, "mention", 0.7)
        return ExtractedRelation(PAPER_REF, RelationType.EXTENDS, "DPO", evidence)

    def extends(paper_id):
        evidence = Evidence(paper_id, "f-DPO generalizes DPO.", 0, 22, "cue", 0.8)
        return ExtractedRelation("f-DPO", RelationType.EXTENDS, "DPO", evidence)

    graph = build_graph(
        [
            paper_with(
                "a",
                ExtractedEntity("f-DPO", M),
                ExtractedEntity("DPO", M),
                relations=[extends("a")],
            ),
            paper_with(
                "b",
                ExtractedEntity("f-DPO", M),
                ExtractedEntity("DPO", M),
                relations=[extends("b"), extends("b")],
            ),
        ]
    )
    [relation] = graph.relations.values()
    assert relation.key == ("method/f-dpo", "EXTENDS", "method/dpo")
    assert [e.paper_id for e in relation.evidence] == ["a", "b"]


def test_the_same_paper_twice_is_one_paper():
    graph = build_graph([paper_with("a", ExtractedEntity("DPO", M))] * 2)
    assert list(graph.papers) == ["paper/a"]


def test_build_is_deterministic_whatever_the_input_order():
    extractions = [
        paper_with("a", ExtractedEntity("DPO", M, ("Direct Preference Optimization",))),
        paper_with("b", ExtractedEntity("Direct Preference Optimization", M)),
        paper_with("c", ExtractedEntity("PPO", M)),
    ]
    first = build_graph(extractions)
    second = build_graph(list(reversed(extractions)))
    assert first.entities == second.entities


# --- real abstracts (../shared/corpus, arXiv metadata) ------------------------------

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "arxiv-ml-abstracts.jsonl"
needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason="shared/corpus is not beside us")


def corpus_lines(*ids: str) -> list[str]:
    wanted = set(ids)
    with CORPUS.open(encoding="utf-8") as lines:
        found = [line for line in lines if json.loads(line)["id"] in wanted]
    assert len(found) == len(wanted)
    return found


def test_an_entity_bridging_two_earlier_clusters_keeps_both_papers_references():
    # The three papers of the crash on the 5,250 abstracts, as they were extracted: the
    # third joins the clusters of the first two, which both papers' relations refer to.
    def uses(paper_id, name):
        evidence = Evidence(paper_id, "We use it.", 0, 10, "mention", 0.7)
        return ExtractedRelation(PAPER_REF, RelationType.USES, name, evidence)

    graph = build_graph(
        [
            paper_with(
                "1206.2944", ExtractedEntity("SVMs", M), relations=[uses("1206.2944", "SVMs")]
            ),
            paper_with(
                "1308.2218",
                ExtractedEntity("SVM", M, ("support vector machines",)),
                relations=[uses("1308.2218", "SVM")],
            ),
            paper_with(
                "1401.7727",
                ExtractedEntity("SVMs", M, ("Support Vector Machines",)),
                relations=[uses("1401.7727", "SVMs")],
            ),
        ]
    )
    [svm] = graph.entities.values()
    assert svm.papers == ("paper/1206.2944", "paper/1308.2218", "paper/1401.7727")
    assert {rel.head for rel in graph.relations.values()} == set(svm.papers)
    assert {rel.tail for rel in graph.relations.values()} == {svm.id}


@needs_corpus
def test_the_papers_of_the_build_crash_build(tmp_path):
    corpus = tmp_path / "crash.jsonl"
    corpus.write_text("".join(corpus_lines("1206.2944", "1308.2218", "1401.7727")))
    graph = build_graph_from_corpus(corpus)
    assert len(graph.papers) == 3
    [svm] = [e for e in graph.entities.values() if e.name.startswith("SVM")]
    assert len(svm.papers) == 3


@pytest.mark.slow
@needs_corpus
def test_all_5250_real_abstracts_build_and_keep_every_paper():
    graph = build_graph_from_corpus(CORPUS)
    assert len(graph.papers) == 5250
    referenced = {node for rel in graph.relations.values() for node in (rel.head, rel.tail)}
    assert referenced <= set(graph.papers) | set(graph.entities)
