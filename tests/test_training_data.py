"""The training data of the learned entity recognizer (training/prepare.py)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import spacy

ROOT = Path(__file__).resolve().parents[1]


def _prepare():
    name = "alignkg_training_prepare"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "training" / "prepare.py")
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


# The start of a real SciREX record (doc 000f9038..., "Full-Resolution Residual Networks for
# Semantic Segmentation in Street Scenes"), as SciREX tokenises it, with its mentions.
SCIREX_ABSTRACT = (
    "Semantic image segmentation is an essential component of modern autonomous driving "
    "systems , as an accurate understanding of the surrounding scene is crucial to navigation "
    "and action planning . Current state - of - the - art approaches in semantic image "
    "segmentation rely on pretrained networks that were initially developed for classifying "
    "images as a whole . While these networks exhibit outstanding recognition performance "
    "( i.e. , what is visible ? ) , they lack localization accuracy ( i.e. , where precisely "
    "is something located ? ) . Therefore , additional processing steps have to be performed "
    "in order to obtain pixel - accurate segmentation masks at the full image resolution . "
    "To alleviate this problem we propose a novel ResNet - like architecture that exhibits "
    "strong localization and recognition performance ."
)
SCIREX_MENTIONS = [
    (0, 27, "Semantic image segmentation", "Task"),
    (64, 90, "autonomous driving systems", "Task"),
    (161, 191, "navigation and action planning", "Task"),
    (239, 266, "semantic image segmentation", "Task"),
    (275, 294, "pretrained networks", "Method"),
    (329, 347, "classifying images", "Task"),
    (402, 425, "recognition performance", "Metric"),
    (467, 479, "localization", "Metric"),
    (733, 739, "ResNet", "Method"),
    (798, 821, "recognition performance", "Metric"),
]


def test_detokenised_offsets_name_the_same_words():
    prepare = _prepare()
    text, offsets = prepare.detokenise(SCIREX_ABSTRACT)
    assert "Current state-of-the-art approaches" in text
    assert "performance (i.e., what is visible?), they" in text
    assert "a novel ResNet-like architecture" in text
    assert text.endswith("recognition performance.")
    nlp = spacy.blank("en")
    doc = nlp.make_doc(text)
    for start, end, mention, _ in SCIREX_MENTIONS:
        assert SCIREX_ABSTRACT[start:end] == mention  # the record's own offsets
        new_start, new_end = prepare.map_span(offsets, start, end)
        assert re.sub(r"\s", "", text[new_start:new_end]) == re.sub(r"\s", "", mention)
        assert text[new_start:new_end].split() == mention.split()
        assert doc.char_span(new_start, new_end) is not None  # on spaCy's token edges


def test_scirex_types_follow_the_guidelines():
    prepare = _prepare()
    field = prepare.FieldNames({"resnet": frozenset({"Model"})})
    record = {
        "abstract": SCIREX_ABSTRACT,
        "abstract_mentions": [
            {"start": s, "end": e, "text": t, "type": ty} for s, e, t, ty in SCIREX_MENTIONS
        ],
    }
    text, spans = prepare.scirex_example(record, field)
    kept = {(text[s:e], label) for s, e, label in spans}
    assert ("semantic image segmentation", "Task") in kept
    assert ("ResNet", "Model") in kept  # the field's model lists call it a model
    assert not any(name in {"pretrained networks", "recognition performance"} for name, _ in kept)
    assert prepare.clean_mention("Pascal VOC 2012 dataset", "Material", field) == (
        "Pascal VOC 2012",
        "Dataset",
    )
    assert prepare.clean_mention("- shot", "Material", field) is None


def test_gold_names_are_found_in_the_paper_text():
    prepare = _prepare()
    text = "PRO: Preference Ranking\n\nWe propose Preference Ranking Optimization (PRO); pro."
    spans = prepare.gold_example(
        text,
        [
            {"name": "PRO", "type": "Method", "aliases": ["Preference Ranking Optimization"]},
            {"name": "Anthropic", "type": "Organization", "aliases": []},
        ],
    )
    assert [(text[s:e], label) for s, e, label in spans] == [
        ("PRO", "Method"),
        ("Preference Ranking Optimization", "Method"),
        ("PRO", "Method"),
    ]
