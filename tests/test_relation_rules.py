"""The relation rule table and the relation schema: the table is well formed, every rule
claims only what the schema allows, and the ontology says what the schema says."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
import spacy
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDFS

from alignkg.export.rdf import property_iri
from alignkg.extract import Extractor
from alignkg.extract.rule_table import (
    RuleTableError,
    compile_pattern,
    load_rule_table,
    parse_table,
)
from alignkg.records import PAPER_LABEL, Paper, RelationType
from alignkg.schema import SCHEMA, allows, conflicts

ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology" / "alignkg.ttl"
TABLE = load_rule_table()


def test_every_relation_has_a_schema_and_every_rule_a_relation_it_allows():
    assert set(SCHEMA) == set(RelationType)
    for rule in TABLE.rules.values():
        assert rule.relations, rule.name
        assert rule.pairs <= frozenset().union(*(SCHEMA[t].pairs for t in rule.relations))


def test_the_ontology_domains_and_ranges_are_the_schemas():
    ontology = rdflib.Graph().parse(ONTOLOGY)

    def kinds(node) -> set[str]:
        members = ontology.value(node, OWL.unionOf)
        nodes = Collection(ontology, members) if members else [node]
        names = {str(n).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for n in nodes}
        return {PAPER_LABEL if n == "ResearchPaper" else n for n in names}

    for type_, spec in SCHEMA.items():
        prop = rdflib.URIRef(property_iri(type_).value)
        assert kinds(ontology.value(prop, RDFS.domain)) == set(spec.domain), type_
        assert kinds(ontology.value(prop, RDFS.range)) == set(spec.range), type_


def test_schema_pairs_and_conflicts():
    assert allows(RelationType.BASED_ON, "Model", "Model")
    assert not allows(RelationType.BASED_ON, "Method", "Model")
    assert not allows(RelationType.EXTENDS, "Method", "Model")  # a variant keeps its type
    based = ("A", RelationType.BASED_ON, "B")
    assert conflicts(based, ("B", RelationType.BASED_ON, "A"))  # no 2-cycles
    assert conflicts(based, ("A", RelationType.EXTENDS, "B"))  # one lineage claim a pair
    assert not conflicts(("A", RelationType.EXTENDS, "B"), ("A", RelationType.OUTPERFORMS, "B"))
    assert conflicts(("@paper", RelationType.PROPOSES, "A"), ("@paper", RelationType.USES, "A"))


def test_every_pattern_compiles_to_matcher_patterns():
    nlp = spacy.blank("en")
    for label, patterns in TABLE.patterns().items():
        for pattern in patterns:
            assert compile_pattern(pattern, TABLE, nlp), (label, pattern)
    compiled = compile_pattern("fine-tuned WORD{0,2} from|on", TABLE, nlp)
    assert compiled == [
        [
            {"LOWER": "fine"},
            {"LOWER": "-"},
            {"LOWER": "tuned"},
            {"IS_PUNCT": False, "OP": "{0,2}"},
            {"LOWER": {"IN": ["from", "on"]}},
        ]
    ]


def _table_with(row: dict) -> dict:
    return {"lists": {"w": ["x"]}, "markers": {}, "rules": [row]}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"relation": ["USES"], "confidence": 0.5, "priority": 1}, "without a name"),
        ({"name": "r", "relation": ["LIKES"], "confidence": 0.5, "priority": 1}, "'r'"),
        ({"name": "r", "relation": ["USES"], "confidence": 2, "priority": 1}, "confidence"),
        (
            {
                "name": "r",
                "relation": ["BASED_ON"],
                "confidence": 0.5,
                "priority": 1,
                "pairs": [["Method", "Model"]],
            },
            "not in the schema",
        ),
        (
            {
                "name": "r",
                "relation": ["USES"],
                "confidence": 0.5,
                "priority": 1,
                "pattern": ["@nolist"],
            },
            "no list named 'nolist'",
        ),
        (
            {
                "name": "r",
                "relation": ["USES"],
                "confidence": 0.5,
                "priority": 1,
                "subject": "anyone",
            },
            "unknown subject",
        ),
    ],
)
def test_a_malformed_rule_is_a_clear_error(row, message):
    with pytest.raises(RuleTableError, match=message):
        parse_table(_table_with(row), "rules.json")


def test_a_malformed_table_file_names_its_line(tmp_path):
    bad = tmp_path / "rules.json"
    bad.write_text('{"lists": {},\n "rules": [,]}\n')
    with pytest.raises(RuleTableError, match=r"rules.json:2"):
        load_rule_table(str(bad))


# --- every rule of the table, on a real sentence -----------------------------------------
# rule -> (title, abstract, a statement the rule makes). Sentences are from the abstracts
# (or release notes) of well-known papers; a few from the bundled corpus.

ZEPHYR = (
    "Zephyr: Direct Distillation of LM Alignment",
    "Starting from a dataset of outputs ranked by a teacher model, we apply distilled direct "
    "preference optimization (dDPO) to learn a chat model with significantly improved intent "
    "alignment. In particular, results on MT-Bench show that Zephyr-7B surpasses "
    "Llama2-Chat-70B, the best open-access RLHF-based model.",
)
ALPACA = (
    "Alpaca: A Strong, Replicable Instruction-Following Model",
    "We introduce Alpaca 7B, a model fine-tuned from the LLaMA 7B model on 52K "
    "instruction-following demonstrations.",
)
BAICHUAN = (
    "Baichuan Alignment Technical Report",
    "We introduce Baichuan Alignment, a detailed analysis of the alignment techniques employed "
    "in the Baichuan series of models. Baichuan-Instruct is an internal model, while "
    "Qwen2-Nova-72B and Llama3-PBM-Nova-70B are instruct versions of the Qwen2-72B and "
    "Llama-3-70B base models, optimized through Baichuan Alignment.",
)
RULE_EXAMPLES = {
    "title-contribution": (*ZEPHYR, ("@paper", "PROPOSES", "Zephyr")),
    "named-cue": (
        "Self-Play Fine-Tuning Converts Weak Language Models to Strong Language Models",
        "In this paper, we propose a new fine-tuning method called Self-Play fIne-tuNing "
        "(SPIN), which starts from a supervised fine-tuned model.",
        ("@paper", "PROPOSES", "SPIN"),
    ),
    "variant-proposal": (
        "Diffusion Model Alignment Using Direct Preference Optimization",
        "Diffusion-DPO is adapted from the recently developed Direct Preference Optimization "
        "(DPO), a simpler alternative to RLHF which directly optimizes a policy that best "
        "satisfies human preferences under a classification objective.",
        ("@paper", "PROPOSES", "Diffusion-DPO"),
    ),
    "recurring-new-dataset": (
        "Large Language Models as Automated Aligners for benchmarking Vision-Language Models",
        "In this work, we address the limitations via Auto-Bench, which delves into exploring "
        "LLMs as proficient aligners. Auto-Bench curates data with LLMs. We envision Auto-Bench "
        "as a comprehensive benchmark.",
        ("@paper", "INTRODUCES", "Auto-Bench"),
    ),
    "proposal-cue": (*ALPACA, ("@paper", "PROPOSES", "Alpaca 7B")),
    "novelty-cue": (
        "UltraFeedback: Boosting Language Models with High-quality Feedback",
        "Our resulting model, UltraLM-13B-PPO, outperforms recent open-sourced models.",
        ("@paper", "PROPOSES", "UltraLM-13B-PPO"),
    ),
    "task-mention": (*ALPACA, ("@paper", "ADDRESSES", "instruction following")),
    "dataset-mention": (*ZEPHYR, ("@paper", "EVALUATES_ON", "MT-Bench")),
    "mention": (*ZEPHYR, ("@paper", "USES", "Llama2-Chat-70B")),
    "outperform-cue": (*ZEPHYR, ("Zephyr-7B", "OUTPERFORMS", "Llama2-Chat-70B")),
    "extension-cue": (
        "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models",
        "Second, we introduce Group Relative Policy Optimization (GRPO), a variant of "
        "Proximal Policy Optimization (PPO), that enhances mathematical reasoning abilities "
        "while concurrently optimizing the memory usage of PPO.",
        ("GRPO", "EXTENDS", "PPO"),
    ),
    "special-case-cue": (
        "A General Theoretical Paradigm to Understand Learning from Human Preferences",
        "In this paper we derive a new general objective called ΨPO for learning from human "
        "preferences that is expressed in terms of pairwise preferences. This new general "
        "objective allows us to perform an in-depth analysis of the behavior of RLHF and DPO "
        "(as special cases of ΨPO) and to identify their potential pitfalls.",
        ("ΨPO", "EXTENDS", "DPO"),
    ),
    "base-cue": (*ALPACA, ("Alpaca 7B", "BASED_ON", "LLaMA 7B")),
    "tune-cue": (
        "Vicuna: An Open-Source Chatbot Impressing GPT-4 with 90% ChatGPT Quality",
        "We introduce Vicuna-13B, an open-source chatbot trained by fine-tuning LLaMA on "
        "user-shared conversations collected from ShareGPT.",
        ("Vicuna-13B", "BASED_ON", "LLaMA"),
    ),
    "version-of-cue": (*BAICHUAN, ("Llama3-PBM-Nova-70B", "BASED_ON", "Llama-3-70B")),
    "base-model-cue": (
        "Principle-Driven Self-Alignment of Language Models from Scratch with Minimal Human "
        "Supervision",
        "Our approach, SELF-ALIGN, combines principle-driven reasoning with LLMs. Applying "
        "SELF-ALIGN to the LLaMA-65b base language model, we develop an AI assistant named "
        "Dromedary.",
        ("Dromedary", "BASED_ON", "LLaMA-65b"),
    ),
    "training-cue": (
        "Starling-7B: Improving LLM Helpfulness & Harmlessness with RLAIF",
        "We introduce Starling-7B, an open large language model trained by Reinforcement "
        "Learning from AI Feedback (RLAIF).",
        ("Starling-7B", "TRAINED_WITH", "RLAIF"),
    ),
    "apply-cue": (
        "Self-Instruct: Aligning Language Models with Self-Generated Instructions",
        "We introduce Self-Instruct, a framework for improving the instruction-following "
        "capabilities of pretrained language models by bootstrapping off their own "
        "generations. Applying our method to the vanilla GPT3, we demonstrate a 33% absolute "
        "improvement over the original model on Super-NaturalInstructions.",
        ("GPT-3", "TRAINED_WITH", "Self-Instruct"),
    ),
    "variant-name": (*ZEPHYR, ("dDPO", "EXTENDS", "DPO")),
    "model-name-method": (
        "Mixture-of-Instructions: Comprehensive Alignment of a Large Language Model through "
        "the Mixture of Diverse System Prompting Instructions",
        "In response to these challenges, we introduce a novel technique termed "
        "Mixture-of-Instructions (MoI), which employs a strategy of instruction concatenation "
        "combined with diverse system prompts. Our methodology was applied to the open-source "
        "Qwen-7B-chat model, culminating in the development of Qwen-SFT-MoI.",
        ("Qwen-SFT-MoI", "TRAINED_WITH", "MoI"),
    ),
    "model-name-base": (*BAICHUAN, ("Qwen2-Nova-72B", "BASED_ON", "Qwen2-72B")),
    "own-model-and-method": (
        "WizardLM: Empowering Large Language Models to Follow Complex Instructions",
        "Starting with an initial set of instructions, we use our proposed Evol-Instruct to "
        "rewrite them step by step into more complex instructions. Then, we mix all generated "
        "instruction data to fine-tune LLaMA. We call the resulting model WizardLM.",
        ("WizardLM", "TRAINED_WITH", "Evol-Instruct"),
    ),
}
ORGANIZATION_EXAMPLE = (
    "Constitutional AI: Harmlessness from AI Feedback",
    "We experiment with methods for training a harmless AI assistant through self-improvement.",
    "Anthropic",
)


@pytest.fixture(scope="module")
def nlp():
    from alignkg.extract import build_nlp

    return build_nlp()


def rule_statements(nlp, title: str, abstract: str) -> dict[tuple[str, str, str], set[str]]:
    """Every statement each rule makes on the paper, before precedence picks one rule;
    each end under every name it goes by ("Starling" is also "Starling-7B")."""
    from alignkg.extract.components import doc_sentences

    doc = nlp(Paper(id="p", title=title, abstract=abstract).text)
    entities = doc._.alignkg_entities
    forms = {e.name: {e.name, *e.aliases} for e in entities} | {"@paper": {"@paper"}}
    finder = nlp.get_pipe("alignkg_relations").finder
    found: dict[tuple[str, str, str], set[str]] = {}
    for f in finder.candidates(entities, doc_sentences(doc), finder.cues(doc)):
        for head in forms[f.head]:
            for tail in forms[f.tail]:
                found.setdefault((head, f.type.value, tail), set()).add(f.rule)
    return found


def test_every_rule_in_the_table_has_a_real_example():
    assert set(RULE_EXAMPLES) | {"listing-organization"} == set(TABLE.rules)


@pytest.mark.parametrize("rule", sorted(RULE_EXAMPLES))
def test_each_rule_on_a_real_sentence(nlp, rule):
    title, abstract, statement = RULE_EXAMPLES[rule]
    found = rule_statements(nlp, title, abstract)
    assert rule in found.get(statement, set()), (statement, found)
    result = Extractor(nlp).extract(Paper(id="p", title=title, abstract=abstract))
    forms = {e.name: {e.name, *e.aliases} for e in result.entities} | {"@paper": {"@paper"}}
    relations = {
        (head, r.type.value, tail)
        for r in result.relations
        for head in forms[r.head]
        for tail in forms[r.tail]
    }
    assert statement in relations  # precedence keeps it


def test_listing_organization_rule(nlp):
    title, abstract, organization = ORGANIZATION_EXAMPLE
    paper = Paper(id="p", title=title, abstract=abstract, organization=organization)
    relations = Extractor(nlp).extract(paper).relations
    rules = {(r.type.value, r.tail): r.evidence.rule for r in relations}
    assert rules[("AFFILIATED_WITH", "Anthropic")] == "listing-organization"


# --- precedence and the wrong relations of issue 8 ---------------------------------------


def test_precedence_is_the_tables_not_the_order_rules_ran():
    from alignkg.extract.relations import FoundRelation, Sentence, resolve

    sentence = Sentence(0, 1, "x")
    low = FoundRelation("B", RelationType.BASED_ON, "A", sentence, "model-name-base", 0.6)
    high = FoundRelation("A", RelationType.BASED_ON, "B", sentence, "version-of-cue", 0.7)
    same = FoundRelation("A", RelationType.BASED_ON, "B", sentence, "base-model-cue", 0.7)
    for order in ([low, high, same], [same, high, low], [high, low, same]):
        (kept,) = resolve(order, TABLE)  # no 2-cycle
        assert kept is high  # the reversed one loses; the same one keeps the best evidence
    outperforms = FoundRelation("A", RelationType.OUTPERFORMS, "B", sentence, "outperform-cue", 1)
    assert resolve([high, outperforms], TABLE) == [high, outperforms]


def relations_of(nlp, title: str, abstract: str) -> set[tuple[str, str, str]]:
    paper = Paper(id="p", title=title, abstract=abstract)
    return {(r.head, r.type.value, r.tail) for r in Extractor(nlp).extract(paper).relations}


def test_background_on_prior_work_extends_nothing(nlp):
    found = relations_of(
        nlp,
        "Re-Align: Aligning Vision Language Models via Retrieval-Augmented Direct Preference "
        "Optimization",
        "Building on the success of Reinforcement Learning from Human Feedback (RLHF), we "
        "propose Re-Align, a novel alignment framework that leverages image retrieval. "
        "Inspired by DPO, recent work on IPO builds on preference data.",
    )
    assert ("@paper", "PROPOSES", "Re-Align") in found
    assert not any(t == "EXTENDS" for _, t, _ in found), found


def test_a_proposal_after_building_on_an_observation_is_no_extension(nlp):
    found = relations_of(
        nlp,
        "AlignHuman: Improving Motion and Fidelity via Timestep-Segment Preference "
        "Optimization for Audio-Driven Human Animation",
        "To address this, we propose AlignHuman, a framework that combines Preference "
        "Optimization as a post-training technique with a divide-and-conquer training "
        "strategy. Building on this observation, we propose timestep-segment preference "
        "optimization (TPO) and introduce two specialized LoRAs as expert alignment modules.",
    )
    assert ("@paper", "PROPOSES", "TPO") in found
    assert not any(t == "EXTENDS" and "TPO" in (h, tl) for h, t, tl in found), found


def test_instruct_versions_pair_respectively_without_reversed_edges(nlp):
    found = relations_of(nlp, *BAICHUAN[:2])
    based = {(h, tl) for h, t, tl in found if t == "BASED_ON"}
    assert based == {("Qwen2-Nova-72B", "Qwen2-72B"), ("Llama3-PBM-Nova-70B", "Llama-3-70B")}


def test_the_papers_own_method_and_model_by_reference(nlp):
    found = relations_of(
        nlp,
        "KTO: Model Alignment as Prospect Theoretic Optimization",
        "We propose a HALO that directly maximizes the utility of generations, and call it "
        "Kahneman-Tversky Optimization (KTO). Our method builds upon DPO, and our approach is "
        "better than ORPO.",
    )
    assert ("KTO", "EXTENDS", "DPO") in found
    assert ("KTO", "OUTPERFORMS", "ORPO") in found
    found = relations_of(
        nlp,
        "Training language models to follow instructions with human feedback",
        "We collect a dataset of labeler demonstrations, which we use to fine-tune GPT-3 using "
        "supervised learning. We then collect a dataset of rankings of model outputs, which we "
        "use to further fine-tune this supervised model using reinforcement learning from "
        "human feedback (RLHF). We call the resulting models InstructGPT.",
    )
    assert ("@paper", "PROPOSES", "InstructGPT") in found
    assert ("InstructGPT", "BASED_ON", "GPT-3") in found
    assert ("InstructGPT", "TRAINED_WITH", "RLHF") in found


@pytest.mark.parametrize(
    ("abstract", "statement"),
    [
        ("We train Tulu-2-DPO-70B with DPO.", ("Tulu-2-DPO-70B", "TRAINED_WITH", "DPO")),
        (
            "We compare with Llama-2-Chat, aligned with RLHF.",
            ("Llama-2-Chat", "TRAINED_WITH", "RLHF"),
        ),
        (
            "TPO outperforms Diffusion-DPO and achieves higher win rates than SPO.",
            ("TPO", "OUTPERFORMS", "SPO"),
        ),
        (
            "To address these challenges, we develop Orca, a 13-billion parameter model that "
            "learns to imitate the reasoning process of LFMs. Orca surpasses conventional "
            "state-of-the-art instruction-tuned models such as Vicuna-13B by more than 100% in "
            "complex zero-shot reasoning benchmarks like Big-Bench Hard (BBH).",
            ("Orca", "OUTPERFORMS", "Vicuna-13B"),
        ),
    ],
)
def test_lineage_cues(nlp, abstract, statement):
    assert statement in relations_of(nlp, "A Paper", abstract)
