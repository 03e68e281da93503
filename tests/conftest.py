"""Shared fixtures: a small hand-made graph, stores holding it, the bundled corpus
extracted once, and the CLI's click command built once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
import typer.testing

from alignkg.canonical import build_graph
from alignkg.records import (
    PAPER_REF,
    EntityType,
    Evidence,
    ExtractedEntity,
    ExtractedRelation,
    KnowledgeGraph,
    Paper,
    PaperExtraction,
    RelationType,
)
from alignkg.store.embedded import EmbeddedStore

M, D, MO = EntityType.METHOD, EntityType.DATASET, EntityType.MODEL


def _extraction(paper: Paper, entities, relations) -> PaperExtraction:
    def evidence(sentence: str) -> Evidence:
        start = paper.text.find(sentence)
        return Evidence(paper.id, sentence, start, start + len(sentence), "test", 0.9)

    return PaperExtraction(
        paper=paper,
        entities=[ExtractedEntity(n, t, tuple(a)) for n, t, a in entities],
        relations=[
            ExtractedRelation(h, RelationType(r), t, evidence(s)) for h, r, t, s in relations
        ],
    )


def make_sample_graph() -> KnowledgeGraph:
    """Three papers around DPO: a variant that extends it, a model and a benchmark."""
    return build_graph(make_sample_extractions())


def make_sample_extractions() -> list[PaperExtraction]:
    """The extractions of the sample graph's three papers."""
    p1 = Paper(
        id="2305.18290",
        title="Direct Preference Optimization",
        abstract="We propose Direct Preference Optimization (DPO). DPO outperforms PPO.",
        date="2023-05-29",
        organization="Stanford NLP",
    )
    p2 = Paper(
        id="beyond-reverse-kl",
        title="Beyond Reverse KL",
        abstract="We propose f-DPO, which generalizes DPO. f-DPO beats PPO on <b>MT-Bench</b>.",
        date="2023-09-26",
    )
    p3 = Paper(
        id="dromedary",
        title="Self-Alignment <script>alert(1)</script>",
        abstract="Dromedary is fine-tuned from LLaMA-65b with SELF-ALIGN and uses DPO.",
        date="2023-05-04",
    )
    return [
        _extraction(
            p1,
            [
                ("DPO", M, ["Direct Preference Optimization"]),
                ("PPO", M, []),
                ("Stanford NLP", EntityType.ORGANIZATION, []),
            ],
            [
                (
                    PAPER_REF,
                    "PROPOSES",
                    "DPO",
                    "We propose Direct Preference Optimization (DPO).",
                ),
                (PAPER_REF, "USES", "PPO", "DPO outperforms PPO."),
                ("DPO", "OUTPERFORMS", "PPO", "DPO outperforms PPO."),
                (
                    PAPER_REF,
                    "AFFILIATED_WITH",
                    "Stanford NLP",
                    "Direct Preference Optimization",
                ),
            ],
        ),
        _extraction(
            p2,
            [
                ("f-DPO", M, []),
                ("direct preference optimization", M, []),
                ("PPO", M, []),
                ("MT-Bench", D, []),
            ],
            [
                (PAPER_REF, "PROPOSES", "f-DPO", "We propose f-DPO, which generalizes DPO."),
                (
                    "f-DPO",
                    "EXTENDS",
                    "direct preference optimization",
                    "We propose f-DPO, which generalizes DPO.",
                ),
                ("f-DPO", "OUTPERFORMS", "PPO", "f-DPO beats PPO on <b>MT-Bench</b>."),
                (PAPER_REF, "EVALUATES_ON", "MT-Bench", "f-DPO beats PPO on <b>MT-Bench</b>."),
            ],
        ),
        _extraction(
            p3,
            [
                ("Dromedary", MO, []),
                ("LLaMA-65b", MO, []),
                ("SELF-ALIGN", M, []),
                ("DPO", M, []),
            ],
            [
                (
                    PAPER_REF,
                    "PROPOSES",
                    "Dromedary",
                    "Dromedary is fine-tuned from LLaMA-65b with SELF-ALIGN and uses DPO.",
                ),
                (
                    "Dromedary",
                    "BASED_ON",
                    "LLaMA-65b",
                    "Dromedary is fine-tuned from LLaMA-65b with SELF-ALIGN and uses DPO.",
                ),
                (
                    "Dromedary",
                    "TRAINED_WITH",
                    "SELF-ALIGN",
                    "Dromedary is fine-tuned from LLaMA-65b with SELF-ALIGN and uses DPO.",
                ),
                (
                    PAPER_REF,
                    "USES",
                    "DPO",
                    "Dromedary is fine-tuned from LLaMA-65b with SELF-ALIGN and uses DPO.",
                ),
            ],
        ),
    ]


@pytest.fixture(scope="session", autouse=True)
def cli_command_built_once():
    """typer.testing.CliRunner makes the click command out of the Typer app on every
    invoke: 12 of the 13 ms an in-process `alignkg --version` takes, about 8 s over the
    suite. A process running `alignkg` makes it once; so do the tests' runners, per app
    (the same command objects, invoked again, as click's own tests do). A Typer whose
    CliRunner works otherwise is left alone: the suite is slower, not wrong."""
    if not callable(getattr(typer.testing, "_get_command", None)):
        yield
        return
    built: dict[int, tuple[object, object]] = {}  # id(app) -> (app, its command)

    def get_command(app):
        if id(app) not in built:
            built[id(app)] = (app, typer.main.get_command(app))
        return built[id(app)][1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", get_command)
        yield


@pytest.fixture
def sample_graph() -> KnowledgeGraph:
    return make_sample_graph()


@pytest.fixture
def embedded_store(tmp_path, sample_graph) -> EmbeddedStore:
    store = EmbeddedStore(tmp_path / "data")
    store.save(sample_graph)
    return store


@pytest.fixture(scope="session")
def regenerated_exports(tmp_path_factory) -> Path:
    """exports/ regenerated from the bundled corpus by scripts/regenerate-exports."""
    out = tmp_path_factory.mktemp("exports")
    script = Path(__file__).resolve().parents[1] / "scripts" / "regenerate-exports"
    env = os.environ | {"ALIGNKG": str(Path(sys.executable).with_name("alignkg"))}
    result = subprocess.run([str(script), str(out)], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return out
