"""Extraction on real sentences: acronyms, naming patterns, the lexicon and cue phrases.

Sentences are taken from abstracts (some outside the bundled corpus), so the rules are
tested on text as the field writes it.
"""

from __future__ import annotations

import pytest
import spacy

from alignkg.extract import Extractor, build_nlp, shared_extractor
from alignkg.extract.acronyms import find_definitions
from alignkg.records import PAPER_REF, EntityType, Paper


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return shared_extractor()


def extract(extractor, abstract: str, title: str = "A Paper", organization=None):
    paper = Paper(id="p", title=title, abstract=abstract, organization=organization)
    result = extractor.extract(paper)
    entities = {e.name: e for e in result.entities}
    relations = {(r.head, r.type.value, r.tail) for r in result.relations}
    return entities, relations, result


@pytest.mark.parametrize(
    ("text", "short", "long"),
    [
        (
            "We build on Direct Preference Optimization (DPO) for this.",
            "DPO",
            "Direct Preference Optimization",
        ),
        (
            "Reinforcement Learning from Human Feedback (RLHF) is common.",
            "RLHF",
            "Reinforcement Learning from Human Feedback",
        ),
        (
            "the PPO algorithm, i.e. Proximal Policy Optimization (PPO)",
            "PPO",
            "Proximal Policy Optimization",
        ),
        (
            "We train with our Multi-Action-Head DPO (MAH-DPO) objective.",
            "MAH-DPO",
            "Multi-Action-Head DPO",
        ),
        (
            "a novel approach, namely SALMON "
            "(Self-ALignMent with principle-fOllowiNg reward models)",
            "SALMON",
            "Self-ALignMent with principle-fOllowiNg reward models",
        ),
        (
            "we propose Kahneman-Tversky Optimization (KTO), which",
            "KTO",
            "Kahneman-Tversky Optimization",
        ),
    ],
)
def test_acronym_definitions(text, short, long):
    found = {(d.short, d.long) for d in find_definitions(text)}
    assert (short, long) in found


def test_no_definition_from_a_plain_parenthesis():
    assert find_definitions("We use three datasets (see the appendix) in total.") == []


def test_defined_acronym_is_one_entity_with_its_long_form(extractor):
    entities, relations, _ = extract(
        extractor,
        "To address this, we propose Preference Ranking Optimization (PRO) to align LLMs. "
        "PRO extends the Bradley-Terry comparison. Experiments show that PRO outperforms "
        "Proximal Policy Optimization (PPO).",
    )
    assert entities["PRO"].type is EntityType.METHOD
    assert "Preference Ranking Optimization" in entities["PRO"].aliases
    assert "Proximal Policy Optimization" in entities["PPO"].aliases
    assert (PAPER_REF, "PROPOSES", "PRO") in relations
    assert (PAPER_REF, "USES", "PPO") in relations
    assert ("PRO", "OUTPERFORMS", "PPO") in relations
    assert ("PRO", "EXTENDS", "Bradley-Terry") in relations


def test_generic_acronyms_are_not_entities(extractor):
    entities, _, _ = extract(
        extractor, "Large language models (LLMs) and vision-language models (VLMs) are popular."
    )
    assert entities == {}
    # arXiv 1902.05703: no "DNNs", and "like" starts no task phrase
    entities, _, _ = extract(
        extractor,
        "Robots are increasingly turning to computationally expensive models such as deep "
        "neural networks (DNNs) for tasks like localization, perception, planning, and object "
        "detection.",
    )
    assert "DNNs" not in entities and "DNN" not in entities
    assert "like localization" not in entities and "object detection" in entities
    # arXiv 2006.00753: "the SoTA models" are no model called SoTA
    entities, relations, _ = extract(
        extractor, "Our proposed model outperforms the SoTA models on the TextVQA dataset."
    )
    assert "SoTA" not in entities


def test_named_variants_extend_their_parent(extractor):
    entities, relations, _ = extract(
        extractor,
        "We propose f-DPO, which generalizes DPO with diverse divergence constraints. "
        "Motivated by these findings, we propose an embarrassingly simple extension to the "
        "DPO algorithm, LN-DPO. We further explore the PPO-max, an advanced version of PPO.",
    )
    for variant, parent in (("f-DPO", "DPO"), ("LN-DPO", "DPO"), ("PPO-max", "PPO")):
        assert entities[variant].type is EntityType.METHOD
        assert (variant, "EXTENDS", parent) in relations
        assert (PAPER_REF, "PROPOSES", variant) in relations
    assert (PAPER_REF, "USES", "DPO") in relations


def test_compounds_are_not_variants(extractor):
    entities, _, _ = extract(
        extractor, "Importantly, f-DPO outperforms PPO-based methods and RLHF-trained models."
    )
    assert "PPO-based" not in entities and "RLHF-trained" not in entities
    assert {"f-DPO", "PPO", "RLHF"} <= set(entities)


@pytest.mark.parametrize(
    "name",
    [
        "LLaMA-2-Chat-70b",
        "LLaMA-2-70b",
        "Qwen2-72B",
        "Claude-4-Opus",
        "GPT-4o",
        "GPT-4.1",
        "Qwen-7B-chat",
        "SD v1.5",
        "Mistral-7B-Instruct-v0.2",
        "Llama3-PBM-Nova-70B",
    ],
)
def test_model_names_with_sizes_and_versions(extractor, name):
    entities, _, _ = extract(extractor, f"We compare against {name} on several benchmarks.")
    assert entities[name].type is EntityType.MODEL


def test_model_size_words_after_a_space_stay_out(extractor):
    entities, _, _ = extract(extractor, "We fine-tune the LLaMA-2-70b base language model.")
    assert "LLaMA-2-70b" in entities


@pytest.mark.parametrize("name", ["MMHAL-BENCH", "LLaVA-Bench", "HumanAgencyBench", "TruthfulQA"])
def test_benchmark_names(extractor, name):
    entities, relations, _ = extract(extractor, f"We evaluate on {name} and report results.")
    assert entities[name].type is EntityType.DATASET
    assert (PAPER_REF, "EVALUATES_ON", name) in relations


def test_introduced_benchmark(extractor):
    _, relations, _ = extract(
        extractor,
        "We introduce a new benchmark, SafetyEval-X, for measuring refusals. "
        "We also develop a new benchmark MMHAL-BENCH with a special focus on penalizing "
        "hallucinations.",
    )
    assert (PAPER_REF, "INTRODUCES", "MMHAL-BENCH") in relations


def test_title_names_the_contribution(extractor):
    entities, relations, _ = extract(
        extractor,
        "We propose an iterative distillation method for alignment.",
        title="CycleAlign: Iterative Distillation from Black-box LLM to White-box Models",
    )
    assert entities["CycleAlign"].type is EntityType.METHOD
    assert (PAPER_REF, "PROPOSES", "CycleAlign") in relations

    entities, relations, _ = extract(
        extractor, "It holds images.", title="VisAlign: Dataset for Measuring Visual Alignment"
    )
    assert (PAPER_REF, "INTRODUCES", "VisAlign") in relations
    entities, relations, _ = extract(
        extractor, "We survey it.", title="Large Language Model Alignment: A Survey"
    )
    assert not any(r[1] == "PROPOSES" for r in relations)
    # a slogan before the colon names nothing (arXiv)
    title = "One Loss for All: Deep Hashing with a Single Cosine Similarity based Objective"
    entities, relations, _ = extract(extractor, "A deep hashing model has two goals.", title=title)
    assert "One Loss for All" not in entities
    assert not any(r[1] == "PROPOSES" for r in relations)


def test_models_built_and_trained(extractor):
    entities, relations, _ = extract(
        extractor,
        "Our approach, SELF-ALIGN, combines principle-driven reasoning with LLMs. "
        "Applying SELF-ALIGN to the LLaMA-65b base language model, we develop an AI "
        "assistant named Dromedary. Dromedary significantly surpasses the performance of "
        "several state-of-the-art AI systems, including Text-Davinci-003 and Alpaca.",
        title="Principle-Driven Self-Alignment of Language Models from Scratch",
    )
    assert entities["Dromedary"].type is EntityType.MODEL
    assert (PAPER_REF, "PROPOSES", "Dromedary") in relations
    assert ("Dromedary", "BASED_ON", "LLaMA-65b") in relations
    assert ("Dromedary", "TRAINED_WITH", "SELF-ALIGN") in relations
    assert ("Dromedary", "OUTPERFORMS", "Text-Davinci-003") in relations
    assert ("Dromedary", "OUTPERFORMS", "Alpaca") in relations


def test_tasks_and_metrics(extractor):
    entities, relations, _ = extract(
        extractor,
        "Experiments on image classification, object detection, and semantic segmentation "
        "show gains in accuracy and a lower expected calibration error (ECE).",
    )
    assert (PAPER_REF, "ADDRESSES", "object detection") in relations
    assert entities["ECE"].type is EntityType.METRIC
    assert entities["accuracy"].type is EntityType.METRIC


def test_organization_from_the_listing(extractor):
    _, relations, _ = extract(extractor, "We study it.", organization="Fudan University")
    assert (PAPER_REF, "AFFILIATED_WITH", "Fudan University") in relations


def test_every_relation_carries_its_evidence(extractor):
    _, _, result = extract(extractor, "We use DPO. Then f-DPO outperforms PPO.")
    text = result.paper.text
    for relation in result.relations:
        ev = relation.evidence
        assert ev.paper_id == "p" and 0 < ev.confidence <= 1 and ev.rule
        assert text[ev.start : ev.end] == ev.sentence


def test_names_in_urls_are_not_entities(extractor):
    entities, _, _ = extract(
        extractor, "Resources are at https://github.com/GaryYufei/AlignLLMHumanSurvey today."
    )
    assert entities == {}


def test_components_plug_into_a_users_pipeline():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    build_nlp(nlp)
    doc = nlp("We propose Direct Preference Optimization (DPO). It beats PPO.")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Direct Preference Optimization", "Method"),
        ("DPO", "Method"),
        ("PPO", "Method"),
    ]
    assert doc._.alignkg_relations


def test_extraction_is_deterministic(extractor):
    paper = Paper(id="p", title="T", abstract="We propose f-DPO, a generalization of DPO.")
    assert extractor.extract(paper) == Extractor().extract(paper)


def test_the_base_of_a_presented_model_is_used_not_proposed(extractor):
    entities, relations, _ = extract(
        extractor,
        "We present Zephyr-7B, a model fine-tuned from Mistral-7B using distilled direct "
        "preference optimization (dDPO). Zephyr-7B surpasses Llama2-Chat-70B on MT-Bench.",
        title="Zephyr: Direct Distillation of LM Alignment",
    )
    assert entities["Zephyr"].type is EntityType.MODEL
    assert (PAPER_REF, "PROPOSES", "Zephyr-7B") in relations
    assert (PAPER_REF, "USES", "Mistral-7B") in relations
    assert ("Zephyr-7B", "BASED_ON", "Mistral-7B") in relations
    assert ("Zephyr-7B", "TRAINED_WITH", "dDPO") in relations
    assert ("dDPO", "EXTENDS", "DPO") in relations
    assert ("Zephyr-7B", "OUTPERFORMS", "Llama2-Chat-70B") in relations


def test_spaced_model_releases(extractor):
    entities, _, _ = extract(
        extractor, "We evaluate GPT-4, Claude 3 Opus and Gemini 1.5 Pro on the benchmark."
    )
    assert {"GPT-4", "Claude 3 Opus", "Gemini 1.5 Pro"} <= set(entities)


def test_an_apposition_says_what_a_name_is(extractor):
    entities, relations, _ = extract(
        extractor,
        "We release OpenAssistant Conversations, a human-generated conversation corpus. "
        "We present OpenAssistant, the first fully open-source instruction-tuned model "
        "trained on human data. We also introduce HumanAgencyBench (HAB), a scalable test.",
    )
    assert entities["OpenAssistant"].type is EntityType.MODEL
    assert (PAPER_REF, "PROPOSES", "OpenAssistant") in relations
    assert (PAPER_REF, "INTRODUCES", "OpenAssistant Conversations") in relations
    assert entities["HAB"].type is EntityType.DATASET


def test_names_coined_in_a_proposal(extractor):
    entities, relations, _ = extract(
        extractor,
        "In this paper, we propose a new fine-tuning method called Self-Play fIne-tuNing "
        "(SPIN), which starts from a supervised fine-tuned model. We develop Wombat, a model "
        "fine-tuned from Alpaca with SPIN. Our fine-tuned LLMs, called Llama 2-Chat, are "
        "optimized for dialogue.",
    )
    assert (PAPER_REF, "PROPOSES", "SPIN") in relations  # a known name, coined here
    assert entities["Wombat"].type is EntityType.MODEL
    assert (PAPER_REF, "PROPOSES", "Wombat") in relations
    assert ("Wombat", "BASED_ON", "Alpaca") in relations
    assert ("Wombat", "TRAINED_WITH", "SPIN") in relations
    assert ("Alpaca", "TRAINED_WITH", "SPIN") not in relations
    assert entities["Llama 2-Chat"].type is EntityType.MODEL


def test_outperforms_takes_a_coordinated_list_only(extractor):
    _, relations, _ = extract(
        extractor,
        "BiPO achieves state-of-the-art performance, outperforming recent methods such as "
        "ParCo, MoMask, and BAMM in terms of FID. SPIN can even outperform models trained "
        "through DPO supplemented with extra GPT-4 preference data.",
    )
    for other in ("ParCo", "MoMask", "BAMM"):
        assert ("BiPO", "OUTPERFORMS", other) in relations
    assert ("SPIN", "OUTPERFORMS", "DPO") in relations
    assert ("SPIN", "OUTPERFORMS", "GPT-4") not in relations


def test_a_release_named_in_the_title_builds_on_its_base(extractor):
    entities, relations, _ = extract(
        extractor,
        "We introduce Tulu 3, a family of fully-open post-trained models. Tulu 3 builds on "
        "Llama 3.1 base models and achieves results surpassing the instruct versions of "
        "Llama 3.1, Qwen 2.5, and Mistral.",
        title="Tulu 3: Pushing Frontiers in Open Language Model Post-Training",
    )
    assert entities["Tulu 3"].type is EntityType.MODEL
    assert ("Tulu 3", "BASED_ON", "Llama 3.1") in relations
    assert ("Tulu 3", "EXTENDS", "Llama 3.1") not in relations
    for other in ("Qwen 2.5", "Mistral"):
        assert ("Tulu 3", "OUTPERFORMS", other) in relations
    assert ("Llama 3.1", "OUTPERFORMS", "Qwen 2.5") not in relations


def test_a_described_phrase_and_a_claim_that_fences_the_subject(extractor):
    entities, relations, _ = extract(
        extractor,
        "We introduce two benchmarks: MT-bench, a multi-turn question set; and Chatbot Arena, "
        "a crowdsourced battle platform. Our resulting model, UltraLM-13B-PPO, outperforms "
        "recent open-sourced models, which are trained on the outputs of InstructGPT.",
    )
    assert entities["Chatbot Arena"].type is EntityType.DATASET
    assert (PAPER_REF, "INTRODUCES", "Chatbot Arena") in relations
    assert entities["UltraLM-13B-PPO"].type is EntityType.MODEL
    assert ("UltraLM-13B-PPO", "BASED_ON", "InstructGPT") not in relations


def test_platforms_numbering_and_question_titles_are_not_entities(extractor):
    entities, relations, _ = extract(
        extractor,
        "Code is available on GitHub. RQ1 asks whether GPT-4 is robust; see Section 3.",
        title="Jailbroken: How Does LLM Safety Training Fail?",
    )
    assert set(entities) == {"GPT-4"}
    assert not any(r[1] == "PROPOSES" for r in relations)
    # a word Papers with Code lists as a method (arXiv titles: "... Ontology Matcher")
    entities, _, _ = extract(
        extractor, "We match concepts.", title="Shiva++: An Enhanced Graph based Ontology Matcher"
    )
    assert "Ontology" not in entities


def test_a_new_benchmark_the_abstract_dwells_on_is_introduced(extractor):
    _, relations, _ = extract(
        extractor,
        "In this work, we address the limitations via Auto-Bench. Auto-Bench curates data "
        "with LLMs. We envision Auto-Bench as a comprehensive benchmark. We also report "
        "results on Foo-Bench.",
    )
    assert (PAPER_REF, "INTRODUCES", "Auto-Bench") in relations
    assert (PAPER_REF, "EVALUATES_ON", "Foo-Bench") in relations


# --- types of names no lexicon knows, on sentences of the arXiv ML corpus --------------


@pytest.mark.parametrize(
    ("title", "abstract", "name", "type_"),
    [
        # A coined name the paper proposes is what does its task, not the task.
        (
            "DOT: Dynamic Object Tracking for Visual SLAM",
            "In this paper we present DOT (Dynamic Object Tracking), a front-end that added "
            "to existing SLAM systems can significantly improve their robustness.",
            "DOT",
            EntityType.METHOD,
        ),
        (
            "Distributed Optimization",
            "We propose the gradient tracking with adaptive momentum estimation (GTAdam) "
            "distributed algorithm, which combines a gradient tracking mechanism with first "
            "and second order momentum estimates of the gradient.",
            "GTAdam",
            EntityType.METHOD,
        ),
        (
            "PodSumm -- Podcast Audio Summarization",
            "We summarise podcasts.",
            "PodSumm",
            EntityType.METHOD,
        ),
        # A year or version after the head word: "Challenge 2020" is a challenge.
        (
            "A Voice Conversion System",
            "We submitted our system to the Voice Conversion Challenge 2020 (VCC2020), "
            "which had two tasks.",
            "VCC2020",
            EntityType.DATASET,
        ),
        # "using" ends the head: a separation method, not an inventory (a dataset); with
        # no evidence of what it is, no entity.
        (
            "Speaker Separation",
            "SSUSIES contains two methods, speaker separation using speaker inventories "
            "(SSUSI) and speaker separation using estimated speech (SSUES).",
            "SSUSI",
            None,
        ),
        (
            "Reward Advancement",
            "Such behaviors can be modeled using maximum causal entropy (MCE) principle.",
            "MCE",
            EntityType.METHOD,
        ),
        # A lower-case long form called a model is a technique.
        (
            "Hyperinflation revisited",
            "The literature's model is based on a nonlinear feedback (NLF) characterized by "
            "an exponent. In the NLF model the accumulated consumer price index diverges.",
            "NLF",
            EntityType.METHOD,
        ),
        # "model, dubbed X" as "model dubbed X".
        (
            "Video Face Hallucination",
            "We propose a pure transformer-based model, dubbed VidFace, to fully exploit "
            "the full-range spatio-temporal information.",
            "VidFace",
            EntityType.MODEL,
        ),
        # A kind and a naming verb beat the name's shape ("-QA" is a benchmark's).
        (
            "Knowledge Graph Question Answering using Graph-Pattern Isomorphism",
            "In this paper, we present a novel QA approach, dubbed TeBaQA. Our approach "
            "learns to answer questions based on graph isomorphisms.",
            "TeBaQA",
            EntityType.METHOD,
        ),
        # ... through a list: "datasets named A and X".
        (
            "Visual Relationship Forecasting in Videos",
            "To evaluate the task, we introduce two video datasets named VRF-AG and "
            "VRF-VidOR, with spatio-temporally localized visual relation annotations.",
            "VRF-VidOR",
            EntityType.DATASET,
        ),
        # ... and the type of a Papers with Code homonym (CLIC, a dataset there).
        (
            "CLIC: Curriculum Learning and Imitation for object Control",
            "To learn in this environment, we propose an unsupervised reinforcement learning "
            "agent called CLIC for Curriculum Learning and Imitation for Control.",
            "CLIC",
            EntityType.MODEL,
        ),
        # Listed with a known dataset: a dataset, whatever the list's noun says.
        (
            "Scaling Up Visual and Vision-Language Representation Learning",
            "Our visual representation achieves strong performance when transferred to "
            "classification tasks such as ImageNet and VTAB.",
            "VTAB",
            EntityType.DATASET,
        ),
        # An apposition after a colon: "(TSER): a regression task".
        (
            "Time Series Extrinsic Regression",
            "This paper studies Time Series Extrinsic Regression (TSER): a regression task "
            "of which the aim is to learn the relationship between a time series and a "
            "continuous scalar variable.",
            "TSER",
            EntityType.TASK,
        ),
        # "indices", the plural of a metric's head word.
        (
            "Measuring group-separability in geometrical space",
            "Traditional cluster validity indices (CVIs) might be applied in this context "
            "but they show limitations.",
            "CVIs",
            EntityType.METRIC,
        ),
        # An apposition with "agent" somewhere in it says nothing of the name.
        (
            "Google Research Football: A Novel Reinforcement Learning Environment",
            "In imitation learning from observation IfO, a learning agent seeks to imitate a "
            "demonstrating agent using only observations of the demonstrated behavior.",
            "IfO",
            None,
        ),
        # Architecture classes the field abbreviates are methods (GUIDELINES.md).
        (
            "Traffic Surveillance",
            "This paper presents a YOLOv4 object detection model in which the Convolutional "
            "Neural Network (CNN) is trained and tuned for detecting the plates.",
            "CNN",
            EntityType.METHOD,
        ),
    ],
)
def test_types_of_coined_names(extractor, title, abstract, name, type_):
    entities, _, _ = extract(extractor, abstract, title=title)
    if type_ is None:
        assert name not in entities
    else:
        assert entities[name].type is type_


def test_lower_case_task_phrases(extractor):
    # arXiv abstracts: a task word after plain noun modifiers names a task.
    entities, relations, _ = extract(
        extractor,
        "Neural models have not surpassed state-of-the-art approaches in constituency "
        "parsing. Our proposed models enjoy better accuracy on sentiment classification. "
        "We need efficient object detection and improved tracking; tackling hard detection "
        "is hard too. We study 3D human pose estimation.",
    )
    for name in ("constituency parsing", "sentiment classification", "3D human pose estimation"):
        assert entities[name].type is EntityType.TASK
        assert ("@paper", "ADDRESSES", name) in relations
    # adjectives, participles, gerunds and a bare task word are no task names
    assert "efficient object detection" not in entities and "hard detection" not in entities
    assert "improved tracking" not in entities and "tracking" not in entities
    assert entities["object detection"].type is EntityType.TASK
    # an outer word no known task name uses: an adjective, a verb or a longer compound
    entities, _, _ = extract(
        extractor,
        "Adversarial examples can fool automatic speech recognition systems. We revisit "
        "contemporary program synthesis and sleep stage classification.",
    )
    assert not any(name.startswith(("fool", "contemporary", "stage")) for name in entities)
