"""The learned entity recognizer (extract/learned.py) of the `accurate` pipeline."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest
import spacy
from typer.testing import CliRunner

from alignkg.cli import app
from alignkg.extract import PIPELINES, Extractor, build_nlp, shared_extractor
from alignkg.extract.learned import SPANS_KEY, counts, model_path
from alignkg.extract.lexicon import load_lexicon
from alignkg.records import EntityType, Paper


def test_unknown_pipeline_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown pipeline 'fast'"):
        build_nlp(pipeline="fast")
    assert "alignkg_learned" not in PIPELINES["default"]


def test_default_pipeline_has_no_learned_spans():
    doc = shared_extractor().nlp("We evaluate ResNet-50 on ImageNet.")
    assert SPANS_KEY not in doc.spans


def test_generic_model_spans_do_not_count():
    assert not counts("NLP benchmarks", EntityType.DATASET)
    assert not counts("pretrained networks", EntityType.METHOD)
    assert not counts("memory", EntityType.METRIC)
    assert counts("top-1 accuracy", EntityType.METRIC)
    assert counts("Face Attention Network", EntityType.MODEL)
    assert counts("semantic image segmentation", EntityType.TASK)
    assert not counts("mixture of $", EntityType.METHOD)
    assert not counts("image class and", EntityType.TASK)


@pytest.fixture(scope="module")
def accurate():
    return build_nlp(pipeline="accurate")


@pytest.mark.slow
def test_shipped_model_loads_from_the_installed_package(accurate):
    assert Path(str(files("alignkg") / "data" / "model")) == model_path()
    assert (model_path() / "config.cfg").is_file()
    size = sum(p.stat().st_size for p in model_path().rglob("*") if p.is_file())
    assert size < 20_000_000
    assert accurate.pipe_names.index("alignkg_learned") < accurate.pipe_names.index(
        "alignkg_entities"
    )
    assert set(accurate.get_pipe("alignkg_learned").labels) <= {t.value for t in EntityType}


@pytest.mark.slow
def test_learned_spans_are_those_of_the_trained_model(accurate):
    text = "We report BLEU on the WMT 2014 English-German translation task."
    alone = spacy.load(model_path())(text)
    doc = accurate(text)
    assert [(s.start_char, s.end_char, s.label_) for s in doc.spans[SPANS_KEY]] == [
        (e.start_char, e.end_char, e.label_)
        for e in alone.ents
        if counts(e.text, EntityType(e.label_))
    ]
    assert doc.spans[SPANS_KEY]  # BLEU, WMT 2014, ...


# From the abstract of arXiv 1311.6976, "Dimensionality reduction for click-through rate
# prediction: Dense versus sparse representation".
METRIC_SENTENCE = (
    "In this work, we propose to use dimensionality reduction of the user-website interaction "
    "graph in order to produce simplified features of users and websites that can be used as "
    "predictors of clickthrough rate."
)


def _entities(pipeline: str, text: str) -> dict[str, EntityType]:
    paper = Paper(id="t", title="A paper", abstract=text)
    extraction = Extractor(pipeline=pipeline).extract(paper)
    return {e.name: e.type for e in extraction.entities}


@pytest.mark.slow
def test_model_finds_a_metric_the_rules_miss():
    rules = _entities("default", METRIC_SENTENCE)
    learned = _entities("accurate", METRIC_SENTENCE)
    assert "clickthrough rate" not in rules
    assert learned["clickthrough rate"] is EntityType.METRIC


@pytest.mark.slow
def test_model_never_overrides_a_lexicon_type(accurate):
    """Given learned spans that call DPO a Dataset, an unknown name a Task and "LLM
    alignment" a Task: the lexicon's type wins, the model types the unknown name, and a
    phrase that is not written as a name does not join."""
    lexicon = load_lexicon()
    assert lexicon.lookup("DPO").type is EntityType.METHOD
    text = "We compare DPO with Zorblax Tuning on HellaSwag for LLM alignment."
    doc = accurate.make_doc(text)
    for name in accurate.pipe_names:
        if name == "alignkg_entities":
            dpo = doc.char_span(text.index("DPO"), text.index("DPO") + 3, label="Dataset")
            zorb = doc.char_span(text.index("Zorblax"), text.index(" on"), label="Task")
            vague = doc.char_span(text.index("LLM"), len(text) - 1, label="Task")
            doc.spans[SPANS_KEY] = [dpo, zorb, vague]
        doc = accurate.get_pipe(name)(doc)
    found = {e.name: e.type for e in doc._.alignkg_entities}
    assert found["DPO"] is EntityType.METHOD
    assert found["Zorblax Tuning"] is EntityType.TASK  # no rule typed it: the model does
    assert "LLM alignment" not in found  # a generic acronym does not make a name


def test_cli_rejects_an_unknown_pipeline(tmp_path):
    result = CliRunner().invoke(app, ["extract", "--pipeline", "fast"])
    assert result.exit_code == 2
    assert "unknown pipeline 'fast'; choose one of: default, accurate" in result.output


@pytest.mark.slow
def test_cli_extract_with_the_accurate_pipeline(tmp_path):
    corpus = tmp_path / "ctr.jsonl"
    corpus.write_text(json.dumps({"title": "CTR results", "abstract": METRIC_SENTENCE}) + "\n")
    runner = CliRunner()
    out = {}
    for pipeline in ("default", "accurate"):
        result = runner.invoke(app, ["extract", str(corpus), "--pipeline", pipeline])
        assert result.exit_code == 0, result.output
        out[pipeline] = {(e["name"], e["type"]) for e in json.loads(result.stdout)["entities"]}
    assert ("clickthrough rate", "Metric") in out["accurate"] - out["default"]


def test_cli_names_a_missing_model(tmp_path):
    result = CliRunner().invoke(
        app, ["extract", "--pipeline", "accurate"], env={"ALIGNKG_LEARNED_MODEL": str(tmp_path)}
    )
    assert result.exit_code == 2
    assert f"no trained model in {tmp_path}" in result.output
