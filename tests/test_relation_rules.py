"""The relation rule table and the relation schema: the table is well formed, every rule
claims only what the schema allows, and the ontology says what the schema says."""

from __future__ import annotations

import json
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


def test_every_pattern_compiles():
    nlp = spacy.blank("en")
    for label, patterns in TABLE.patterns().items():
        for pattern in patterns:
            assert compile_pattern(pattern, TABLE, nlp), (label, pattern)
    assert compile_pattern("fine-tuned WORD{1,3} from|on", TABLE, nlp) == [
        [
            ("in", frozenset({"fine"}), 1, 1),
            ("in", frozenset({"-"}), 1, 1),
            ("in", frozenset({"tuned"}), 1, 1),
            ("word", None, 1, 3),
            ("in", frozenset({"from", "on"}), 1, 1),
        ]
    ]


def test_a_bounded_repeat_is_bounded(nlp):
    finder = nlp.get_pipe("alignkg_relations").finder
    doc = nlp("We in this long and winding and very very wordy sentence finally propose X.")
    assert "proposal-cue" not in finder.cues(doc).spans  # more than ten words apart
    doc = nlp("We in this sentence propose X.")
    assert finder.cues(doc).spans["proposal-cue"] == [(0, 27)]


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
# tests/data/relation_rule_examples.jsonl: one row per rule, a paper (sentences from the
# abstracts of well-known papers, a few from the bundled corpus) and a statement the rule
# makes on it.

EXAMPLES = {
    row["rule"]: row
    for row in map(
        json.loads,
        (Path(__file__).parent / "data" / "relation_rule_examples.jsonl").read_text().splitlines(),
    )
}
BAICHUAN = (EXAMPLES["version-of-cue"]["title"], EXAMPLES["version-of-cue"]["abstract"])


@pytest.fixture(scope="module")
def nlp():
    from alignkg.extract import shared_extractor

    return shared_extractor().nlp


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
    assert set(EXAMPLES) == set(TABLE.rules)


@pytest.mark.parametrize("rule", sorted(EXAMPLES.keys() - {"listing-organization"}))
def test_each_rule_on_a_real_sentence(nlp, rule):
    title, abstract = EXAMPLES[rule]["title"], EXAMPLES[rule]["abstract"]
    statement = tuple(EXAMPLES[rule]["statement"])
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
    row = EXAMPLES["listing-organization"]
    paper = Paper(
        id="p", title=row["title"], abstract=row["abstract"], organization=row["organization"]
    )
    relations = Extractor(nlp).extract(paper).relations
    rules = {(r.type.value, r.tail): r.evidence.rule for r in relations}
    assert rules[tuple(row["statement"][1:])] == "listing-organization"


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
            "SimPO yields a 6.4-point gain over DPO on AlpacaEval 2.",
            ("SimPO", "OUTPERFORMS", "DPO"),
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


def test_the_rule_table_is_saved_with_the_pipeline(nlp, tmp_path):
    import spacy

    nlp.to_disk(tmp_path / "pipeline")
    saved = json.loads(
        (tmp_path / "pipeline" / "alignkg_relations" / "relation_rules.json").read_text()
    )
    assert saved == TABLE.data
    loaded = spacy.load(tmp_path / "pipeline")
    title, abstract = BAICHUAN
    assert relations_of(loaded, title, abstract) == relations_of(nlp, title, abstract)


def test_a_pipeline_can_use_its_own_rule_table(tmp_path):
    import spacy

    from alignkg.extract import build_nlp

    data = json.loads(json.dumps(TABLE.data))
    for row in data["rules"]:
        if row["name"] == "outperform-cue":
            row["pattern"] = ["trounces"]
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(data))
    custom = spacy.blank("en")
    custom.add_pipe("alignkg_sentences")
    custom.add_pipe("alignkg_acronyms")
    custom.add_pipe("alignkg_entities")
    custom.add_pipe("alignkg_relations", config={"rules": str(rules)})
    build_nlp(custom)
    found = relations_of(
        custom, "A Paper", "We propose f-DPO. f-DPO trounces PPO. f-DPO outperforms KTO."
    )
    assert ("f-DPO", "OUTPERFORMS", "PPO") in found
    assert ("f-DPO", "OUTPERFORMS", "KTO") not in found


# --- lineage that generalises: sentences from well-known papers and model cards ---------

ZEPHYR = (
    "Zephyr: Direct Distillation of LM Alignment",
    "Zephyr-7B-β is the second model in the series, and is a fine-tuned version of "
    "Mistral-7B-v0.1 that was trained on a mix of publicly available, synthetic datasets "
    "using Direct Preference Optimization (DPO). We present Zephyr-7B, a fine-tuned "
    "version of Mistral-7B trained with distilled direct preference optimization (dDPO).",
)
SPPO = (
    "Self-Play Preference Optimization for Language Model Alignment",
    "In our experiments, we fine-tune Mistral-7B-Instruct-v0.2 with SPPO on UltraFeedback prompts.",
)

ORPO = (  # arXiv 2403.07691
    "ORPO: Monolithic Preference Optimization without Reference Model",
    "We introduce a reference model-free monolithic odds ratio preference optimization "
    "algorithm, ORPO, eliminating the necessity for an additional preference alignment "
    "phase. Specifically, fine-tuning Phi-2 (2.7B), Llama-2 (7B), and Mistral (7B) with "
    "ORPO on the UltraFeedback alone surpasses the performance of state-of-the-art language "
    "models with more than 7B and 13B parameters.",
)


@pytest.mark.parametrize(
    ("paper", "statements"),
    [
        # "a fine-tuned version of" (a hyphenated word is three tokens)
        (
            ZEPHYR,
            {
                ("Zephyr-7B-β", "BASED_ON", "Mistral-7B-v0.1"),
                ("Zephyr-7B", "BASED_ON", "Mistral-7B"),
                ("Zephyr-7B", "TRAINED_WITH", "dDPO"),
            },
        ),
        # a long name between the training verb and its means; the model is used
        (
            SPPO,
            {
                ("Mistral-7B-Instruct-v0.2", "TRAINED_WITH", "SPPO"),
                ("@paper", "USES", "Mistral-7B-Instruct-v0.2"),
            },
        ),
        # a possessive between the cue and its object (the Koala release, BAIR 2023)
        (
            (
                "Koala: A Dialogue Model for Academic Research",
                "We introduce Koala, a chatbot trained by fine-tuning Meta's LLaMA on dialogue "
                "data gathered from the web.",
            ),
            {("Koala", "BASED_ON", "LLaMA")},
        ),
        # "our model" is the paper's contribution when it names no model
        (
            (
                "SimPO: Simple Preference Optimization with a Reference-Free Reward",
                "We propose SimPO, a simpler yet more effective approach. Our top-performing "
                "model, built on Llama3-8B-Instruct, achieves a remarkable 53.7 "
                "length-controlled win rate on AlpacaEval 2, surpassing Claude 3 Opus on the "
                "leaderboard.",
            ),
            {("SimPO", "OUTPERFORMS", "Claude 3 Opus")},
        ),
        (
            (  # arXiv 1812.00332
                "ProxylessNAS: Direct Neural Architecture Search on Target Task and Hardware",
                "In this paper, we present ProxylessNAS that can directly learn the "
                "architectures for large-scale target tasks and target hardware platforms. On "
                "ImageNet, our model achieves 3.1% better top-1 accuracy than MobileNetV2, "
                "while being 1.2x faster with measured GPU latency.",
            ),
            {("ProxylessNAS", "OUTPERFORMS", "MobileNetV2")},
        ),
        # "our approach" as what a named model is trained with (the title's blank line is a
        # sentence end: the cue does not start at the title's "Training")
        (
            (
                "Self-Rewarding Language Models: Iterative Training",
                "We fine-tune Llama 2 70B with our approach, three iterations.",
            ),
            {("Llama 2 70B", "TRAINED_WITH", "Self-Rewarding Language Models")},
        ),
        # a cue's claim distributes over a coordinated list of names of one type
        # a list with parenthesised sizes, inside the training cue
        (
            ORPO,
            {
                ("Phi-2", "TRAINED_WITH", "ORPO"),
                ("Llama 2", "TRAINED_WITH", "ORPO"),
                ("Mistral", "TRAINED_WITH", "ORPO"),
            },
        ),
        (  # arXiv 2001.02885
            (
                "Resolving the Scope of Speculation and Negation using Transformer-Based "
                "Architectures",
                "We observe that XLNet consistently outperforms BERT and RoBERTa, contrary to "
                "results on other benchmark datasets.",
            ),
            {("XLNet", "OUTPERFORMS", "BERT"), ("XLNet", "OUTPERFORMS", "RoBERTa")},
        ),
        (
            ("A Paper", "We apply DPO to Llama-3-8B and Mistral-7B."),
            {("Llama-3-8B", "TRAINED_WITH", "DPO"), ("Mistral-7B", "TRAINED_WITH", "DPO")},
        ),
        (
            ("A Paper", "We present Zephyr-7B, built on LLaMA-2 and Mistral."),
            {("Zephyr-7B", "BASED_ON", "Llama 2"), ("Zephyr-7B", "BASED_ON", "Mistral")},
        ),
        (
            ("A Paper", "We fine-tune Llama-3-8B and Mistral-7B with DPO, IPO and KTO."),
            {
                (m, "TRAINED_WITH", a)
                for m in ("Llama-3-8B", "Mistral-7B")
                for a in ("DPO", "IPO", "KTO")
            },
        ),
    ],
)
def test_lineage_in_well_known_papers(nlp, paper, statements):
    assert statements <= relations_of(nlp, *paper)


def test_a_base_or_a_fine_tuned_model_is_not_proposed(nlp):
    for paper in (ZEPHYR, SPPO):
        found = relations_of(nlp, *paper)
        assert not any(t == "PROPOSES" and tail.startswith("Mistral") for _, t, tail in found)
    found = relations_of(nlp, *ZEPHYR)
    assert not any(h.startswith("Mistral") and t == "TRAINED_WITH" for h, t, _ in found)


# --- a cue's claim distributes over a coordinated list of names --------------------------


@pytest.mark.parametrize(
    ("abstract", "beaten", "not_beaten"),
    [
        # the list ends at a clause ("while") and at a sentence's end
        ("SimPO outperforms DPO and IPO, while KTO is slower than RRHF.", {"DPO", "IPO"}, {"KTO"}),
        (
            "SimPO outperforms DPO and IPO. KTO and RRHF are slower.",
            {"DPO", "IPO"},
            {"KTO", "RRHF"},
        ),
    ],
)
def test_a_list_stops_at_a_clause_or_a_sentence_end(nlp, abstract, beaten, not_beaten):
    found = relations_of(nlp, "A Paper", abstract)
    tails = {tail for head, t, tail in found if head == "SimPO" and t == "OUTPERFORMS"}
    assert beaten <= tails and not tails & not_beaten, found


@pytest.mark.parametrize(
    ("paper", "model"),
    [
        (  # arXiv 1911.11929: the architectures are based on them, not CSPNet
            (
                "CSPNet: A New Backbone that can Enhance Learning Capability of CNN",
                "In this paper, we propose Cross Stage Partial Network (CSPNet) to mitigate "
                "the problem that previous works require heavy inference computations from "
                "the network architecture perspective. The CSPNet is easy to implement and "
                "general enough to cope with architectures based on ResNet, ResNeXt, and "
                "DenseNet.",
            ),
            "CSPNet",
        ),
        (
            ("A Paper", "We compare Zephyr-7B with models trained with RLHF and DPO."),
            "Zephyr-7B",
        ),
    ],
)
def test_a_model_cue_after_a_prepositions_object_describes_that_object(nlp, paper, model):
    found = relations_of(nlp, *paper)
    assert not any(h == model and t in ("BASED_ON", "TRAINED_WITH") for h, t, _ in found), found
