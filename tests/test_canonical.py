"""Canonicalization: one node per real thing, and no more."""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from pathlib import Path

import pytest

from alignkg.canonical import build_graph, long_forms_agree, variant_key
from alignkg.ingest import default_corpus, read_corpus
from alignkg.keys import match_key
from alignkg.pipeline import build_graph_from_corpus, extract_papers
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
    # The most used meaning keeps the plain id; the other is told apart by its long form.
    assert sorted(graph.entities) == ["method/pas", "method/pas-personality-activation-search"]
    assert graph.entities["method/pas"].papers == ("paper/a", "paper/c")


def test_long_form_variants_of_one_acronym_are_one_node():
    # The three spellings of RLHF in the bundled corpus, each in its own paper.
    graph = build_graph(
        [
            paper_with("a", ExtractedEntity("RLHF", M, ("RL from Human Feedback",))),
            paper_with(
                "b", ExtractedEntity("RLHF", M, ("Reinforcement Learning from Human Feedback",))
            ),
            paper_with(
                "c", ExtractedEntity("RLHF", M, ("reinforcement learning with human feedback",))
            ),
            paper_with("d", ExtractedEntity("RLHF", M)),
        ]
    )
    [rlhf] = graph.entities.values()
    assert rlhf.id == "method/rlhf" and len(rlhf.papers) == 4


def test_long_forms_agree_up_to_an_inner_acronym_only():
    assert long_forms_agree("RL from Human Feedback", "Reinforcement Learning from Human Feedback")
    assert long_forms_agree("LLM-as-a-Judge", "large language models as a judge")
    assert not long_forms_agree(
        "Text Preference Optimization", "timestep-segment preference optimization"
    )
    assert not long_forms_agree("RL from Human Feedback", "Reinforcement Learning from AI Feedback")


def test_variant_keys_fold_plurals_hyphens_and_spelling_but_not_sizes_or_versions():
    same = [
        ("CNNs", "CNN"),
        ("instruction-finetuning", "instruction tuning"),
        ("instruction fine-tuning", "instruction tuning"),
        ("Support Vector Machines", "support-vector machine"),
        ("Bradley-Terry model", "Bradley-Terry"),
        ("long short-term memory networks", "Long Short-Term Memory"),
        ("graph convolutional networks", "graph convolution network"),
        ("Gaussian Processes", "Gaussian process"),
        ("policies", "policy"),
    ]
    for a, b in same:
        assert variant_key(a) == variant_key(b), (a, b)
    apart = [
        ("GPT-4", "GPT-4o"),
        ("LLaMA-2-70b", "LLaMA-2-Chat-70b"),
        ("ARMS", "ARM"),
        ("Reward Model", "Reward"),
        ("Focus", "Focu"),
    ]
    for a, b in apart:
        assert variant_key(a) != variant_key(b), (a, b)


def test_a_bare_acronym_joins_the_most_used_meaning_and_never_bridges_two():
    graph = build_graph(
        [
            paper_with("a", ExtractedEntity("TPO", M, ("Text Preference Optimization",))),
            paper_with("b", ExtractedEntity("TPO", M, ("Text Preference Optimization",))),
            paper_with(
                "c", ExtractedEntity("TPO", M, ("timestep-segment preference optimization",))
            ),
            paper_with("d", ExtractedEntity("TPO", M)),
        ]
    )
    assert {e.id: e.papers for e in graph.entities.values()} == {
        "method/tpo": ("paper/a", "paper/b", "paper/d"),
        "method/tpo-timestep-segment-preference-optimization": ("paper/c",),
    }


def proposes(paper_id, name):
    evidence = Evidence(paper_id, f"We propose {name}.", 0, 10, "proposal-cue", 0.85)
    return ExtractedRelation(PAPER_REF, RelationType.PROPOSES, name, evidence)


def test_a_papers_own_bare_acronym_stays_apart_from_another_papers_coinage():
    # "our method, PAS" (personality alignment) is not the Prompt Augmentation System.
    graph = build_graph(
        [
            paper_with("a", ExtractedEntity("PAS", M), relations=[proposes("a", "PAS")]),
            paper_with("b", ExtractedEntity("PAS", M, ("Prompt Augmentation System",))),
        ]
    )
    assert len(graph.entities) == 2


def test_a_proposed_bare_acronym_joins_an_established_name():
    # "We propose an LSTM ..." next to papers that all use the LSTM.
    graph = build_graph(
        [
            paper_with("a", ExtractedEntity("LSTM", M), relations=[proposes("a", "LSTM")]),
            paper_with("b", ExtractedEntity("LSTM", M, ("long short-term memory",))),
            paper_with("c", ExtractedEntity("LSTMs", M, ("Long Short-Term Memory networks",))),
            paper_with("d", ExtractedEntity("RNN", M), relations=[proposes("d", "RNN")]),
            paper_with("e", ExtractedEntity("RNNs", M)),
        ]
    )
    assert {e.id: len(e.papers) for e in graph.entities.values()} == {
        "method/lstm": 3,
        "method/rnn": 2,
    }


def test_ids_and_graph_are_the_same_in_any_order():
    extractions = [
        paper_with("a", ExtractedEntity("PAS", M), relations=[proposes("a", "PAS")]),
        paper_with("b", ExtractedEntity("PAS", M, ("Prompt Augmentation System",))),
        paper_with("c", ExtractedEntity("PAS", M)),
        paper_with("d", ExtractedEntity("SVMs", M)),
        paper_with("e", ExtractedEntity("SVM", M, ("support vector machines",))),
        paper_with("f", ExtractedEntity("SVMs", M, ("Support Vector Machines",))),
        paper_with("g", ExtractedEntity("CNN-DTW", M), relations=[proposes("g", "CNN-DTW")]),
        paper_with("h", ExtractedEntity("CNN-DTW", M), relations=[proposes("h", "CNN-DTW")]),
    ]
    first = build_graph(extractions)
    for seed in range(20):
        shuffled = extractions[:]
        random.Random(seed).shuffle(shuffled)
        again = build_graph(shuffled)
        assert again.entities == first.entities and again.relations == first.relations
    assert not any(re.search(r"-\d+$", entity_id) for entity_id in first.entities)


def test_the_bundled_corpus_in_any_order_gives_the_same_graph_one_rlhf_two_tpos(
    bundled_extractions,
):
    graph = build_graph(bundled_extractions)
    shuffled = bundled_extractions[:]
    random.Random(7).shuffle(shuffled)
    again = build_graph(shuffled)
    assert again.entities == graph.entities and again.relations == graph.relations
    assert again.papers == graph.papers
    by_name = defaultdict(list)
    for entity in graph.entities.values():
        by_name[entity.name].append(entity.id)
    assert by_name["RLHF"] == ["method/rlhf"]
    assert sorted(by_name["TPO"]) == [
        "method/tpo",
        "method/tpo-timestep-segment-preference-optimization",
    ]
    assert len(by_name["PAS"]) == 2


@pytest.fixture(scope="module")
def bundled_extractions():
    return list(extract_papers(read_corpus(default_corpus())))


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


def test_bradley_terry_and_btl_are_one_node():
    from alignkg.extract import shared_extractor

    extractor = shared_extractor()
    papers = [
        Paper("a", "A", "We fit a Bradley-Terry model to pairwise preferences."),
        Paper("b", "B", "Rewards follow the Bradley-Terry-Luce (BTL) model of choice."),
    ]
    graph = build_graph(extractor.pipe(papers))
    (node,) = [e for e in graph.entities.values() if "bradley" in e.name.lower()]
    assert {"BTL", "Bradley-Terry-Luce"} <= set(node.aliases)
    assert len(node.papers) == 2
