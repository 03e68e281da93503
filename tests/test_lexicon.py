"""The shipped lexicon: built from the vendored sources, curated, and found in real text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from alignkg.extract import Extractor, shared_extractor
from alignkg.extract.lexicon import LexiconEntry, load_lexicon, merge_entries
from alignkg.records import EntityType, Paper

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_lexicon_is_what_the_sources_give(tmp_path):
    out = tmp_path / "lexicon-sources.json"
    build = [sys.executable, str(ROOT / "scripts" / "build-lexicon"), "-q", "-o", str(out)]
    subprocess.run(build, check=True)
    shipped = ROOT / "src" / "alignkg" / "data" / "lexicon-sources.json"
    assert out.read_bytes() == shipped.read_bytes(), "stale: run scripts/build-lexicon"


@pytest.mark.parametrize(
    ("form", "type_", "link"),
    [
        ("ResNet", EntityType.MODEL, "https://paperswithcode.com/method/resnet"),
        ("Residual Network", EntityType.MODEL, "https://paperswithcode.com/method/resnet"),
        ("Cityscapes", EntityType.DATASET, "https://paperswithcode.com/dataset/cityscapes"),
        ("semantic segmentation", EntityType.TASK, None),
        ("RoBERTa", EntityType.MODEL, None),
        ("GLUE", EntityType.DATASET, None),  # a word in capitals: known by hand
        ("KL divergence", EntityType.METRIC, None),
        ("word error rate", EntityType.METRIC, None),
    ],
)
def test_known_names(form, type_, link):
    entry = load_lexicon().lookup(form)
    assert entry is not None and entry.type is type_
    if link:
        assert link in entry.links


@pytest.mark.parametrize("word", ["Focus", "SPEED", "BASE", "ALIGN", "Library", "Pets", "AWARE"])
def test_common_words_from_the_lists_are_not_names(word):
    assert load_lexicon().lookup(word) is None


def test_hand_entries_win_and_take_the_links():
    hand = [LexiconEntry("BERT", EntityType.MODEL, ())]
    built = [
        LexiconEntry("BERT", EntityType.MODEL, (), ("https://example.org/bert",), "pwc"),
        LexiconEntry("BERT", EntityType.METHOD, ("x",), ("https://example.org/b2",), "pwc"),
        LexiconEntry("ELMo", EntityType.MODEL, (), (), "pwc"),
    ]
    merged = merge_entries(hand, built)
    assert [(e.name, e.type, e.links) for e in merged] == [
        ("BERT", EntityType.MODEL, ("https://example.org/bert",)),
        ("ELMo", EntityType.MODEL, ()),
    ]


def test_built_names_match_as_spelled():
    lexicon = load_lexicon()
    assert lexicon.lookup("Cityscapes").case_sensitive("Cityscapes")
    assert lexicon.lookup("Stanford Cars").case_sensitive("Stanford Cars")
    task = lexicon.lookup("semantic segmentation")
    assert not task.case_sensitive(task.name)


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return shared_extractor()


def test_general_ml_abstract(extractor):
    # From the RoBERTa abstract (Liu et al., 2019) and a segmentation paper's sentence.
    text = (
        "We find that BERT was significantly undertrained. Our best model achieves "
        "state-of-the-art results on GLUE, RACE and SQuAD. We also report results for "
        "semantic segmentation on Cityscapes with a ResNet backbone, measured by mIoU."
    )
    found = extractor.extract(Paper(id="p", title="A Paper", abstract=text))
    types = {e.name: e.type for e in found.entities}
    assert types["GLUE"] is EntityType.DATASET
    assert types["SQuAD"] is EntityType.DATASET
    assert types["Cityscapes"] is EntityType.DATASET
    assert types["ResNet"] is EntityType.MODEL
    assert types["semantic segmentation"] is EntityType.TASK
    assert types["mIoU"] is EntityType.METRIC


def test_links_go_from_the_lexicon_to_the_graph_and_its_rdf(extractor):
    from alignkg.canonical import build_graph
    from alignkg.export.rdf import SEE_ALSO, graph_blocks
    from alignkg.export.terms import Iri
    from alignkg.serialize import extraction_to_dict, graph_from_dict, graph_to_dict

    text = "We train a ResNet on Cityscapes. Our method, FooNet, outperforms it."
    extraction = extractor.extract(Paper(id="p1", title="A Paper", abstract=text))
    line = extraction_to_dict(extraction)
    resnet = next(e for e in line["entities"] if e["name"] == "ResNet")
    assert "https://paperswithcode.com/method/resnet" in resnet["links"]
    assert all("links" not in e for e in line["entities"] if e["name"] == "FooNet")

    graph = build_graph([extraction])
    entity = next(e for e in graph.entities.values() if e.name == "ResNet")
    assert "https://paperswithcode.com/method/resnet" in entity.links
    assert graph_from_dict(graph_to_dict(graph)).entities[entity.id].links == entity.links

    blocks = dict(graph_blocks(graph))
    subject = next(s for s in blocks if s.value.endswith("/" + entity.id))
    assert (SEE_ALSO, Iri("https://paperswithcode.com/method/resnet")) in blocks[subject]
    unknown = [s for s in blocks if s.value.endswith("foonet")]
    assert unknown and all(p != SEE_ALSO for s in unknown for p, _ in blocks[s])


# --- types from context (data/type_cues.json) ------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "type_"),
    [
        ("Experiments on the ", " benchmark show", EntityType.DATASET),
        ("results on standard datasets such as CIFAR-10 and ", ", and also", EntityType.DATASET),
        ("We study the task of ", " in videos", EntityType.TASK),
        ("improves the ", " score by 3 points", EntityType.METRIC),
        ("quality measured by ", " and human ratings", EntityType.METRIC),
        ("We fine-tune ", "-7B on our data", EntityType.MODEL),
        ("we develop an AI assistant named ", ". It", EntityType.MODEL),
        (
            "outperforming recent methods such as ParCo, MoMask, and ",
            " in terms",
            EntityType.METHOD,
        ),
        ("we introduce ", ", a post-hoc, training-free method", EntityType.METHOD),
        ("the linear, polynomial and ", " kernels", None),
        ("we test ", " on two", None),
    ],
)
def test_type_from_context(before, after, type_):
    from alignkg.extract.type_rules import type_from_context

    assert type_from_context(before, after) is type_


def test_names_without_evidence_are_not_entities(extractor):
    # arXiv 1502.07453 and 1207.2815 (general ML abstracts): acronyms of terms, not names.
    text = (
        "We model transmission among injection drug users (IDU) and men who have sex with "
        "men (MSM). Deep Feature Learning for EEG Recordings is hard. Our method, "
        "Sparse Linear Dynamical System (SLDS), improves the predictive performance, and "
        "performance improvements are achieved on the challenging UEC FOOD-100 datasets."
    )
    found = extractor.extract(Paper(id="p", title="A Paper", abstract=text))
    types = {e.name: e.type for e in found.entities}
    assert not {"IDU", "MSM", "EEG"} & set(types)
    assert types["SLDS"] is EntityType.METHOD
    assert types.get("FOOD-100", types.get("UEC FOOD-100")) is EntityType.DATASET


def test_case_sensitive_forms_match_only_as_spelled():
    lexicon = load_lexicon()
    assert lexicon.lookup("mAP").type is EntityType.METRIC
    assert lexicon.lookup("MAP") is None  # maximum a posteriori
    assert lexicon.lookup("Direct Preference Optimization").name == "DPO"


def test_sizes_and_versions_of_known_models(extractor):
    text = "We compare ResNet-50 and BERT-large with our method, FooNet, on ImageNet-1K."
    found = extractor.extract(Paper(id="p", title="A Paper", abstract=text))
    types = {e.name: e.type for e in found.entities}
    assert types["ResNet-50"] is EntityType.MODEL
    assert types["BERT-large"] is EntityType.MODEL


def test_the_store_keeps_the_links_for_the_rdf_export(extractor, tmp_path):
    from alignkg.export.rdf import SEE_ALSO, graph_blocks
    from alignkg.export.terms import Iri
    from alignkg.pipeline import build_store
    from alignkg.store.embedded import EmbeddedStore

    paper = Paper(id="p1", title="A Paper", abstract="We train a ResNet on Cityscapes.")
    build_store(tmp_path, [extractor.extract(paper)])
    graph = EmbeddedStore(tmp_path).load_graph()
    resnet = next(e for e in graph.entities.values() if e.name == "ResNet")
    link = "https://paperswithcode.com/method/resnet"
    assert link in resnet.links
    blocks = dict(graph_blocks(graph))
    assert any((SEE_ALSO, Iri(link)) in pairs for pairs in blocks.values())
