"""RDF exports: round trips, SHACL, SPARQL answers, provenance, determinism, bad input,
and the published dumps in exports/rdf (ontology/README.md)."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import replace
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.parser import StringInputSource
from rdflib.plugins.parsers.jsonld import JsonLDParser
from typer.testing import CliRunner

from alignkg.cli import app
from alignkg.export import (
    DEFAULT_BASE_IRI,
    DUMP_FORMATS,
    FORMATS,
    METADATA_FILE,
    RdfOptions,
    export_rdf,
)
from alignkg.export.metadata import Census
from alignkg.export.rdf import graph_blocks, property_iri
from alignkg.export.syntax import triples
from alignkg.export.terms import NAMESPACES
from alignkg.records import (
    PAPER_REF,
    Entity,
    EntityType,
    Evidence,
    KnowledgeGraph,
    Paper,
    Relation,
    RelationType,
    paper_node_id,
)

pytest_plugins = ["neo4j_fixtures"]

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology"
PUBLISHED = ROOT / "exports" / "rdf"
PARSERS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld"}
AKG = rdflib.Namespace(NAMESPACES["alignkg"])
PROV = rdflib.Namespace(NAMESPACES["prov"])
VOID = rdflib.Namespace(NAMESPACES["void"])
DCAT = rdflib.Namespace(NAMESPACES["dcat"])
DCTERMS = rdflib.Namespace(NAMESPACES["dcterms"])
SPDX = rdflib.Namespace(NAMESPACES["spdx"])
KG = rdflib.Namespace(DEFAULT_BASE_IRI)


def export(graph: KnowledgeGraph, format_name: str, **options) -> str:
    out = io.StringIO()
    export_rdf(graph, format_name, out, RdfOptions(**options))
    return out.getvalue()


def parse(text: str, format_name: str = "nt") -> rdflib.Graph:
    if format_name == "jsonld":
        return parse_jsonld(text)
    return rdflib.Graph().parse(data=text, format=PARSERS.get(format_name, format_name))


def parse_jsonld(text: str) -> rdflib.Graph:
    """JSON-LD into a Dataset (rdflib's Graph.parse would go through the deprecated
    ConjunctiveGraph), then its default graph: the dumps name no other graph."""
    dataset = rdflib.Dataset()
    JsonLDParser().parse(StringInputSource(text.encode("utf-8")), dataset)
    assert [g.identifier for g in dataset.graphs()] == [DATASET_DEFAULT_GRAPH_ID]
    return dataset.default_graph


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY / "shapes.ttl")


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY / "alignkg.ttl")


@pytest.fixture
def validate(shapes, ontology):
    def run(data: rdflib.Graph, inference: str = "none") -> tuple[bool, str]:
        conforms, _, report = pyshacl.validate(
            data, shacl_graph=shapes, ont_graph=ontology, inference=inference
        )
        return conforms, report

    return run


def add_paper(
    graph: KnowledgeGraph,
    paper: Paper,
    entities: list[tuple[str, str, EntityType]],
    relations: list[tuple[str, RelationType, str, str]],
) -> None:
    """`paper`, its new entities (id, name, type) and its relations (head id or PAPER_REF,
    type, tail id, sentence of the paper), added to `graph` in place."""
    node = paper_node_id(paper.id)
    graph.papers[node] = paper
    for entity_id, name, type_ in entities:
        graph.entities[entity_id] = Entity(entity_id, name, type_, papers=(node,))
    for head, type_, tail, sentence in relations:
        head = node if head == PAPER_REF else head
        start = paper.text.index(sentence)
        evidence = Evidence(paper.id, sentence, start, start + len(sentence), "test", 0.8)
        graph.relations[(head, type_.value, tail)] = Relation(head, type_, tail, (evidence,))


@pytest.fixture
def rich_graph(sample_graph) -> KnowledgeGraph:
    """The sample graph plus datasets introduced in 2024 and undated, a second-generation
    DPO variant, and models built on models built on a model."""
    R, D = RelationType, EntityType.DATASET
    p4 = Paper(
        id="2401.00001",
        title="PrefBench",
        abstract="We introduce PrefBench and HarmBench. We propose f-DPO++, which extends "
        "f-DPO. Dromedary-2 is fine-tuned from Dromedary with DPO. Dromedary-3 is fine-tuned "
        "from Dromedary-2.",
        date="2024-01-15",
    )
    introduce, propose, tune, tune_again = (
        "We introduce PrefBench and HarmBench.",
        "We propose f-DPO++, which extends f-DPO.",
        "Dromedary-2 is fine-tuned from Dromedary with DPO.",
        "Dromedary-3 is fine-tuned from Dromedary-2.",
    )
    add_paper(
        sample_graph,
        p4,
        [
            ("dataset/prefbench", "PrefBench", D),
            ("dataset/harmbench", "HarmBench", D),
            ("method/f-dpo-plus-plus", "f-DPO++", EntityType.METHOD),
            ("model/dromedary-2", "Dromedary-2", EntityType.MODEL),
            ("model/dromedary-3", "Dromedary-3", EntityType.MODEL),
        ],
        [
            (PAPER_REF, R.INTRODUCES, "dataset/prefbench", introduce),
            (PAPER_REF, R.INTRODUCES, "dataset/harmbench", introduce),
            (PAPER_REF, R.PROPOSES, "method/f-dpo-plus-plus", propose),
            ("method/f-dpo-plus-plus", R.EXTENDS, "method/f-dpo", propose),
            ("model/dromedary-2", R.BASED_ON, "model/dromedary", tune),
            ("model/dromedary-2", R.TRAINED_WITH, "method/dpo", tune),
            ("model/dromedary-3", R.BASED_ON, "model/dromedary-2", tune_again),
        ],
    )
    p5 = Paper(id="oldbench", title="OldBench", abstract="We release OldBench.")
    add_paper(
        sample_graph,
        p5,
        [("dataset/oldbench", "OldBench", D)],
        [(PAPER_REF, R.INTRODUCES, "dataset/oldbench", "We release OldBench.")],
    )
    return sample_graph


# --- round trips ------------------------------------------------------------------------


@pytest.mark.parametrize("format_name", sorted(DUMP_FORMATS))
def test_every_format_parses_back_to_the_same_triples(rich_graph, format_name):
    reference = parse(export(rich_graph, "nt"))
    data = parse(export(rich_graph, format_name), format_name)
    assert len(data) == Census.of(graph_blocks(rich_graph)).triples > 0
    assert set(data) == set(reference)
    assert not any(isinstance(t, rdflib.BNode) for triple in data for t in triple)


def test_the_graph_is_in_the_triples(sample_graph):
    data = parse(export(sample_graph, "turtle"), "turtle")
    dpo = KG["method/dpo"]
    assert (dpo, RDF.type, AKG.Method) in data
    assert set(data.objects(dpo, SKOS.prefLabel)) == {rdflib.Literal("DPO")}
    assert set(data.objects(dpo, SKOS.altLabel)) == {
        rdflib.Literal("Direct Preference Optimization")
    }
    assert (KG["method/f-dpo"], AKG.extends, dpo) in data
    paper = KG["paper/2305.18290"]
    assert (paper, RDF.type, rdflib.URIRef(NAMESPACES["fabio"] + "ResearchPaper")) in data
    assert data.value(paper, DCTERMS.title) == rdflib.Literal("Direct Preference Optimization")
    assert data.value(paper, DCTERMS.date) == rdflib.Literal("2023-05-29", datatype=rdflib.XSD.date)
    assert (paper, AKG.proposes, dpo) in data
    assert (paper, rdflib.URIRef("https://schema.org/mentions"), dpo) in data
    assert len(set(data.subjects(RDF.type, AKG.Statement))) == len(sample_graph.relations)


def test_awkward_text_and_ids_survive_every_format(sample_graph):
    title = 'Quotes " and \\ back\\slash,\ttab,\nnewline, \x01 control, ünïcödé, 𝔘 and </script>'
    paper = Paper(id="odd id/with#hash?and space", title=title, abstract="Uses DPO.")
    add_paper(sample_graph, paper, [], [(PAPER_REF, RelationType.USES, "method/dpo", "Uses DPO.")])
    reference = parse(export(sample_graph, "nt"))
    for format_name in DUMP_FORMATS:
        data = parse(export(sample_graph, format_name), format_name)
        assert set(data) == set(reference), format_name
        (subject,) = data.subjects(DCTERMS.identifier, rdflib.Literal(paper.id))
        assert str(subject) == DEFAULT_BASE_IRI + "paper/odd%20id/with%23hash%3Fand%20space"
        assert data.value(subject, DCTERMS.title) == rdflib.Literal(title)


def test_ntriples_are_the_bytes_of_oxigraphs_ntriples_serializer(rich_graph):
    """The N-Triples writer (literals written by Oxigraph, export/syntax.py) gives byte
    for byte what pyoxigraph.serialize writes for the same triples: awkward text, IRIs
    (a Unicode link too) and typed literals included."""
    title = 'Quotes " and \\ back\\slash,\ttab,\r\nnewline, \x01\x7f control, ünïcödé, 𝔘 </script>'
    paper = Paper(
        id="odd id/ü#hash",
        title=title,
        abstract="Uses DPO.\u2028",
        date="2023-01-02",
        url="https://example.org/a?b=c&d=%22e%22",
    )
    add_paper(rich_graph, paper, [], [(PAPER_REF, RelationType.USES, "method/dpo", "Uses DPO.")])
    dpo = rich_graph.entities["method/dpo"]
    links = ("https://de.wikipedia.org/wiki/Präferenz", "https://paperswithcode.com/method/dpo")
    rich_graph.entities["method/dpo"] = replace(dpo, links=links)
    blocks = list(graph_blocks(rich_graph))
    expected = pyoxigraph.serialize(triples(blocks), format=pyoxigraph.RdfFormat.N_TRIPLES)
    out = io.StringIO()
    DUMP_FORMATS["nt"].write(blocks, out, {})
    assert out.getvalue().encode("utf-8") == expected
    assert "\\u0001" in out.getvalue() and "ünïcödé" in out.getvalue()
    assert "<https://de.wikipedia.org/wiki/Präferenz> ." in out.getvalue()


def test_jsonld_has_one_node_a_line(rich_graph):
    """One subject's node object a line, in IRI order, each a JSON object on its own."""
    text = export(rich_graph, "jsonld")
    lines = text.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and text.endswith("]\n")
    nodes = [json.loads(line.removesuffix(",")) for line in lines[1:-1]]
    assert [node["@id"] for node in nodes] == [s.value for s, _ in graph_blocks(rich_graph)]
    assert all(line.endswith(",") for line in lines[1:-2]) and not lines[-2].endswith(",")
    assert json.loads(text) == nodes
    assert json.loads(export(KnowledgeGraph(), "jsonld")) == []


@pytest.mark.parametrize("format_name", sorted(DUMP_FORMATS))
def test_dumps_are_written_while_the_graph_is_walked(sample_graph, format_name):
    """Streamed: output goes out long before the last block is described, in many writes."""
    for i in range(300):
        paper = Paper(id=f"p{i}", title=f"Paper {i}", abstract="We use DPO." + " x" * 200)
        add_paper(
            sample_graph, paper, [], [(PAPER_REF, RelationType.USES, "method/dpo", "We use DPO.")]
        )
    total = len(list(graph_blocks(sample_graph)))
    consumed = 0

    def counted():
        nonlocal consumed
        for item in graph_blocks(sample_graph):
            consumed += 1
            yield item

    class Sink:
        seen_at_first_write: int | None = None
        writes = 0

        def write(self, text: str) -> None:
            self.writes += 1
            if self.seen_at_first_write is None:
                self.seen_at_first_write = consumed

    sink = Sink()
    DUMP_FORMATS[format_name].write(counted(), sink, {})
    assert consumed == total > 600
    assert sink.seen_at_first_write < total / 10 and sink.writes > 10


# --- the ontology and the shapes --------------------------------------------------------


def test_the_ontology_declares_every_class_and_relation(ontology):
    for entity_type in EntityType:
        cls = AKG[entity_type.value]
        assert (cls, RDF.type, OWL.Class) in ontology
        assert (cls, RDFS.subClassOf, AKG.Entity) in ontology
        assert ontology.value(cls, RDFS.label) and ontology.value(cls, RDFS.comment)
    for relation_type in RelationType:
        prop = rdflib.URIRef(property_iri(relation_type).value)
        assert (prop, RDF.type, OWL.ObjectProperty) in ontology, prop
        for annotation in (RDFS.label, RDFS.comment, RDFS.domain, RDFS.range):
            assert ontology.value(prop, annotation) is not None, (prop, annotation)
        assert relation_type.value in ontology.value(prop, RDFS.comment)


def test_every_alignkg_term_in_an_export_is_declared(rich_graph, ontology):
    data = parse(export(rich_graph, "nt"))
    used = {t for triple in data for t in triple if str(t).startswith(str(AKG))}
    undeclared = {t for t in used if (t, RDF.type, None) not in ontology}
    assert used and not undeclared


def test_domains_and_ranges_follow_the_guidelines(ontology):
    def classes(node) -> set[str]:
        members = ontology.value(node, OWL.unionOf)
        nodes = Collection(ontology, members) if members else [node]
        return {str(n).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for n in nodes}

    expected = {
        "proposes": ({"ResearchPaper"}, {"Method", "Model"}),
        "introduces": ({"ResearchPaper"}, {"Dataset"}),
        "evaluatesOn": ({"ResearchPaper"}, {"Dataset"}),
        "uses": ({"ResearchPaper"}, {"Method", "Model"}),
        "addresses": ({"ResearchPaper"}, {"Task"}),
        "extends": ({"Method", "Model"}, {"Method", "Model"}),
        "basedOn": ({"Model"}, {"Model"}),
        "trainedWith": ({"Model"}, {"Method"}),
        "outperforms": ({"Method", "Model"}, {"Method", "Model"}),
        "affiliatedWith": ({"ResearchPaper"}, {"Organization"}),
    }
    for name, (domain, range_) in expected.items():
        assert classes(ontology.value(AKG[name], RDFS.domain)) == domain, name
        assert classes(ontology.value(AKG[name], RDFS.range)) == range_, name


def test_shapes_cover_every_relation(shapes):
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    targeted = set(shapes.objects(None, sh.targetSubjectsOf))
    assert {rdflib.URIRef(property_iri(t).value) for t in RelationType} <= targeted


@pytest.mark.parametrize("inference", ["none", "rdfs"])
@pytest.mark.parametrize("format_name", sorted(DUMP_FORMATS))
def test_every_export_conforms_to_the_shapes(rich_graph, validate, format_name, inference):
    """Also under RDFS entailment with the ontology: there alignkg:hasEvidence (a
    sub-property of prov:wasDerivedFrom) makes each statement derived from its evidence
    as well as from its papers, which the shapes allow."""
    data = parse(export(rich_graph, format_name), format_name)
    conforms, report = validate(data, inference)
    assert conforms, report


def test_an_export_under_another_base_conforms(rich_graph, validate):
    base = "http://example.org/kg#"
    text = export(rich_graph, "turtle", base_iri=base)
    assert "@prefix method: <http://example.org/kg#method/> ." in text
    data = parse(text, "turtle")
    assert (
        rdflib.URIRef(base + "method/f-dpo"),
        AKG.extends,
        rdflib.URIRef(base + "method/dpo"),
    ) in data
    assert not any(str(s).startswith(DEFAULT_BASE_IRI) for s in data.subjects())
    assert validate(data)[0]


DPO, PPO = KG["method/dpo"], KG["method/ppo"]
BREAKAGES = {
    # name: (triples to remove, triples to add, what the report must say); "statement" and
    # "evidence" stand for the nodes of DPO outperforms PPO, "statement" alone for all its
    # triples.
    "two entity classes": ([], [(DPO, RDF.type, AKG.Model)], "exactly one entity class"),
    "no preferred label": ([(PPO, SKOS.prefLabel, None)], [], "exactly one preferred label"),
    "two preferred labels": (
        [],
        [(PPO, SKOS.prefLabel, rdflib.Literal("P"))],
        "exactly one preferred label",
    ),
    "a dataset extends a method": (
        [],
        [(KG["dataset/mt-bench"], AKG.extends, DPO)],
        "A method extends a method, a model extends a model.",
    ),
    "a method extends a model": (
        [],
        [(DPO, AKG.extends, KG["model/dromedary"])],
        "A method extends a method, a model extends a model.",
    ),
    "a paper proposes a dataset": (
        [],
        [(KG["paper/dromedary"], AKG.proposes, KG["dataset/mt-bench"])],
        "A paper proposes a method or a model.",
    ),
    "a relation without a statement": (
        ["statement"],
        [],
        "shapes:EveryRelationHasAStatement",
    ),
    "a statement of no triple": ([(DPO, AKG.outperforms, PPO)], [], "does not assert"),
    "a statement without evidence": (
        [("statement", AKG.hasEvidence, None)],
        [],
        "A statement has at least one evidence sentence.",
    ),
    "evidence without a paper": (
        [("evidence", PROV.wasDerivedFrom, None)],
        [],
        "Evidence points to exactly one paper.",
    ),
    "a statement derived from a dataset": (
        [],
        [("statement", PROV.wasDerivedFrom, KG["dataset/mt-bench"])],
        "derived from papers and its evidence, nothing else",
    ),
    "a statement names a paper its evidence does not": (
        [],
        [("statement", PROV.wasDerivedFrom, KG["paper/dromedary"])],
        "shapes:EveryStatementPaperIsItsEvidencePaper",
    ),
    "a statement without its evidence's paper": (
        [("statement", PROV.wasDerivedFrom, None)],
        [],
        "A statement is derived from at least one paper.",
    ),
    "offsets off the sentence": (
        [("evidence", AKG.startOffset, None)],
        [("evidence", AKG.startOffset, rdflib.Literal(3))],
        "shapes:EverySentenceIsAtItsOffsets",
    ),
}


@pytest.mark.parametrize("inference", ["none", "rdfs"])
@pytest.mark.parametrize("case", BREAKAGES)
def test_the_shapes_catch_broken_data(sample_graph, validate, case, inference):
    """Each breakage of the DPO-outperforms-PPO statement or its neighbours is reported."""
    data = parse(export(sample_graph, "nt"))
    statement = next(data.subjects(RDF.predicate, AKG.outperforms))
    named = {"statement": statement, "evidence": data.value(statement, AKG.hasEvidence)}
    remove, add, expected = BREAKAGES[case]
    for triple in remove:
        triple = (triple, None, None) if isinstance(triple, str) else triple
        data.remove(tuple(named.get(t, t) if isinstance(t, str) else t for t in triple))
    for triple in add:
        data.add(tuple(named.get(t, t) if isinstance(t, str) else t for t in triple))
    conforms, report = validate(data, inference)
    assert not conforms
    assert expected in report, report


# --- SPARQL: the queries in ontology/queries, with asserted answers ------------------------


@pytest.fixture
def rich_rdf(rich_graph) -> rdflib.Graph:
    return parse(export(rich_graph, "turtle"), "turtle")


def ask(data: rdflib.Graph, query_name: str, **bindings) -> list[tuple]:
    """The rows of ontology/queries/<query_name>.rq, as Python values; plain strings are
    bound as literals, IRIs as IRIs."""
    query = (ONTOLOGY / "queries" / f"{query_name}.rq").read_text(encoding="utf-8")
    init = {
        k: v if isinstance(v, rdflib.term.Node) else rdflib.Literal(v) for k, v in bindings.items()
    }
    return [
        tuple(None if v is None else v.toPython() for v in row)
        for row in data.query(query, initBindings=init)
    ]


def test_query_dpo_family(rich_rdf):
    rows = ask(rich_rdf, "dpo-family")
    assert [(name, direct, by) for _, name, direct, by in rows] == [
        ("f-DPO", True, "Beyond Reverse KL"),
        ("f-DPO++", False, "PrefBench"),
    ]
    # By an alias, in any case; and the family of f-DPO.
    assert ask(rich_rdf, "dpo-family", name="direct PREFERENCE optimization") == rows
    assert [r[1] for r in ask(rich_rdf, "dpo-family", name="f-dpo")] == ["f-DPO++"]


def test_query_outperforms(rich_rdf):
    rows = ask(rich_rdf, "outperforms")
    assert [(name, count, sentences, papers) for _, name, _, count, sentences, papers in rows] == [
        ("DPO", 1, "DPO outperforms PPO.", "2305.18290"),
        ("f-DPO", 1, "f-DPO beats PPO on <b>MT-Bench</b>.", "beyond-reverse-kl"),
    ]
    assert all(type_ == str(AKG.Method) for _, _, type_, *_ in rows)
    assert ask(rich_rdf, "outperforms", name="DPO") == []


def test_query_base_models(rich_rdf):
    assert ask(rich_rdf, "base-models") == [
        ("Dromedary", "LLaMA-65b", "LLaMA-65b", "SELF-ALIGN"),
        ("Dromedary-2", "Dromedary", "LLaMA-65b", "DPO"),
        ("Dromedary-3", "Dromedary-2", "LLaMA-65b", ""),
    ]


def test_query_datasets_per_year(rich_rdf):
    rows = [(y, n, set(names.split(", "))) for y, n, names in ask(rich_rdf, "datasets-per-year")]
    assert rows == [("2024", 2, {"HarmBench", "PrefBench"}), ("undated", 1, {"OldBench"})]


def test_query_papers_using_method(rich_rdf):
    rows = [(name, str(paper)) for _, name, paper, _ in ask(rich_rdf, "papers-using-method")]
    assert rows == [("DPO", str(KG["paper/dromedary"])), ("PPO", str(KG["paper/2305.18290"]))]
    one = ask(rich_rdf, "papers-using-method", method=KG["method/ppo"])
    assert [(name, title) for _, name, _, title in one] == [
        ("PPO", "Direct Preference Optimization")
    ]


def test_query_evidence_traces_a_relation_to_its_paper_and_sentence(rich_rdf):
    rows = ask(
        rich_rdf, "evidence", head=KG["method/f-dpo"], relation=AKG.extends, tail=KG["method/dpo"]
    )
    assert [row[3:8] for row in rows] == [
        (
            str(KG["paper/beyond-reverse-kl"]),
            "Beyond Reverse KL",
            "We propose f-DPO, which generalizes DPO.",
            19,
            59,
        )
    ]


def test_every_relation_is_traceable_to_all_its_evidence(rich_graph, rich_rdf):
    found = {
        (head, relation, tail, paper, sentence, start, end, rule, float(confidence))
        for head, relation, tail, paper, _, sentence, start, end, rule, confidence in ask(
            rich_rdf, "evidence"
        )
    }
    expected = {
        (
            str(KG[rel.head]),
            property_iri(rel.type).value,
            str(KG[rel.tail]),
            str(KG[paper_node_id(e.paper_id)]),
            e.sentence,
            e.start,
            e.end,
            e.rule,
            e.confidence,
        )
        for rel in rich_graph.relations.values()
        for e in rel.evidence
    }
    assert found == expected


def test_every_query_file_is_tested():
    tested = {
        "dpo-family", "outperforms", "base-models", "datasets-per-year",
        "papers-using-method", "evidence",
    }  # fmt: skip
    assert {p.stem for p in (ONTOLOGY / "queries").glob("*.rq")} == tested


# --- determinism ------------------------------------------------------------------------


def _reordered(graph: KnowledgeGraph) -> KnowledgeGraph:
    """The same graph with every dict in reverse insertion order."""
    return KnowledgeGraph(
        papers=dict(reversed(graph.papers.items())),
        entities=dict(reversed(graph.entities.items())),
        relations=dict(reversed(graph.relations.items())),
    )


@pytest.mark.parametrize("format_name", FORMATS)
def test_the_same_graph_gives_the_same_bytes(rich_graph, format_name):
    first = export(rich_graph, format_name)
    assert export(rich_graph, format_name) == first
    assert export(_reordered(rich_graph), format_name) == first


# --- the metadata -------------------------------------------------------------------------


def test_metadata_describes_the_dumps_exactly(rich_graph, tmp_path):
    void = parse(export(rich_graph, "void", source="The test corpus"), "turtle")
    dataset = KG["kg"]
    assert (dataset, RDF.type, VOID.Dataset) in void and (dataset, RDF.type, DCAT.Dataset) in void
    dump = parse(export(rich_graph, "nt"))
    assert void.value(dataset, VOID.triples).toPython() == len(dump)
    counts = {
        void.value(p, VOID["class"]): void.value(p, VOID.entities).toPython()
        for p in void.objects(dataset, VOID.classPartition)
    }
    assert counts[AKG.Dataset] == 4 and counts[AKG.Method] == 5 and counts[AKG.Model] == 4
    assert counts[AKG.Statement] == len(rich_graph.relations)
    extends = KG["kg/property-extends"]
    assert void.value(extends, VOID.triples).toPython() == 2
    assert void.value(dataset, DCTERMS.created) == rdflib.Literal(
        "2024-01-15", datatype=rdflib.XSD.date
    )
    assert (dataset, DCTERMS.conformsTo, rdflib.URIRef("https://w3id.org/alignkg/ontology")) in void
    assert (dataset, VOID.vocabulary, rdflib.URIRef(str(AKG))) in void
    assert void.value(dataset, DCTERMS.license) is not None
    assert void.value(dataset, DCAT.version).toPython()
    source = void.value(dataset, DCTERMS.source)
    assert void.value(source, DCTERMS.title) == rdflib.Literal("The test corpus")
    for format_name, dump_format in DUMP_FORMATS.items():
        data = export(rich_graph, format_name).encode()
        distribution = KG[f"kg/dump-{format_name}"]
        assert (dataset, DCAT.distribution, distribution) in void
        assert void.value(distribution, DCAT.byteSize).toPython() == len(data)
        checksum = void.value(distribution, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        assert str(void.value(distribution, DCAT.downloadURL)).endswith(dump_format.file_name)


def test_metadata_date_comes_from_the_option_or_the_environment(sample_graph, monkeypatch):
    def created(**options) -> str:
        void = parse(export(sample_graph, "void", **options), "turtle")
        return str(void.value(KG["kg"], DCTERMS.created))

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert created() == "2023-09-26"  # the newest paper
    assert created(date="2025-02-03") == "2025-02-03"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert created() == "2023-11-14"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    for node_id, paper in sample_graph.papers.items():
        sample_graph.papers[node_id] = replace(paper, date=None)
    assert "dcterms:created" not in export(sample_graph, "void")


# --- the command line -----------------------------------------------------------------------


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_cli_writes_each_format(embedded_store, tmp_path):
    data_dir = str(embedded_store.path.parent)
    for format_name in FORMATS:
        target = tmp_path / f"out.{format_name}"
        result = invoke(
            "export", "rdf", "--data-dir", data_dir, "-f", format_name, "-o", str(target)
        )
        assert result.exit_code == 0, result.output
        assert target.read_text(encoding="utf-8") == export(
            embedded_store.load_graph(), format_name
        )
    stdout = invoke("export", "rdf", "--data-dir", data_dir, "--format", "nt")
    assert stdout.exit_code == 0 and stdout.stdout == (tmp_path / "out.nt").read_text()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


BAD_OPTIONS = {
    "unknown format": (
        ["-f", "rdfxml"],
        "unknown format 'rdfxml'; choose one of: turtle, nt, jsonld, void",
    ),
    "no scheme": (
        ["--base-iri", "example.org/kg/"],
        "invalid --base-iri 'example.org/kg/': not an absolute IRI",
    ),
    "a space": (["--base-iri", "https://example.org/k g/"], "' ' is not allowed in an IRI"),
    "no separator at the end": (["--base-iri", "https://example.org/kg"], "end with '/' or '#'"),
    "no host": (["--base-iri", "https:///kg/"], "needs a host"),
    "two fragments": (["--base-iri", "https://example.org/a#b#"], "at most one '#'"),
    "bad license": (["--license", "CC BY"], "invalid --license 'CC BY'"),
    "bad date": (["--date", "2024-13-01"], "invalid --date '2024-13-01'"),
}


@pytest.mark.parametrize("case", BAD_OPTIONS)
def test_bad_options_are_one_line_errors_and_write_nothing(tmp_path, case):
    options, message = BAD_OPTIONS[case]
    data_dir = tmp_path / "data"  # empty: a bad option must fail before any build
    target = tmp_path / "out.ttl"
    result = invoke("export", "rdf", "--data-dir", str(data_dir), "-o", str(target), *options)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["/proc/alignkg.ttl", "missing-dir/out.ttl", "a-directory"])
def test_unwritable_outputs_are_one_line_errors_and_leave_no_file(embedded_store, tmp_path, where):
    (tmp_path / "a-directory").mkdir()
    target = where if where.startswith("/") else str(tmp_path / where)
    before = sorted(tmp_path.rglob("*"))
    result = invoke("export", "rdf", "--data-dir", str(embedded_store.path.parent), "-o", target)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: cannot write {target}: ")
    assert result.stderr.count("\n") == 1
    assert sorted(tmp_path.rglob("*")) == before
    assert not Path(target).is_file()


def test_a_failed_export_keeps_the_previous_file(embedded_store, tmp_path, monkeypatch):
    target = tmp_path / "out.ttl"
    target.write_text("previous dump\n")

    def fail_halfway(graph, format_name, out, options):
        out.write("@prefix half: <http://example.org/> .\n")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("alignkg.cli.export.export_rdf", fail_halfway)
    result = invoke(
        "export", "rdf", "--data-dir", str(embedded_store.path.parent), "-o", str(target)
    )
    assert result.exit_code == 1
    assert result.stderr == f"error: cannot write {target}: No space left on device\n"
    assert target.read_text() == "previous dump\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out.ttl"]


@pytest.mark.neo4j
def test_export_from_neo4j_equals_the_embedded_export(neo4j_store, embedded_store, tmp_path):
    neo4j_store.save(embedded_store.load_graph())
    for format_name in FORMATS:
        embedded = invoke(
            "export", "rdf", "--data-dir", str(embedded_store.path.parent), "-f", format_name
        )
        neo4j = invoke("export", "rdf", "--backend", "neo4j", "-f", format_name)
        assert neo4j.exit_code == embedded.exit_code == 0, neo4j.output
        assert neo4j.stdout == embedded.stdout, format_name


# --- the published dumps in exports/rdf -------------------------------------------------------


@pytest.fixture(scope="module")
def regenerated(regenerated_exports) -> Path:
    return regenerated_exports / "rdf"


@pytest.mark.slow  # regenerates exports/ in a subprocess
def test_published_dumps_are_up_to_date(regenerated):
    expected = {f.file_name for f in DUMP_FORMATS.values()} | {METADATA_FILE}
    assert {p.name for p in regenerated.iterdir()} == expected
    assert PUBLISHED.is_dir(), "no exports/rdf: run scripts/regenerate-exports"
    assert {p.name for p in PUBLISHED.iterdir()} == expected
    stale = [
        n
        for n in sorted(expected)
        if (PUBLISHED / n).read_bytes() != (regenerated / n).read_bytes()
    ]
    assert not stale, f"exports/rdf is stale ({', '.join(stale)}): run scripts/regenerate-exports"


@pytest.mark.slow  # regenerates exports/ in a subprocess
def test_published_dumps_parse_and_conform(regenerated, validate):
    reference = rdflib.Graph().parse(regenerated / "alignkg.nt", format="nt")
    for format_name, dump_format in DUMP_FORMATS.items():
        data = parse((regenerated / dump_format.file_name).read_text("utf-8"), format_name)
        assert set(data) == set(reference), format_name
    conforms, report = validate(reference)
    assert conforms, report[:3000]
    dpo = next(reference.subjects(SKOS.prefLabel, rdflib.Literal("DPO")))
    assert set(reference.subjects(AKG.extends, dpo)), "the corpus has variants of DPO"


# --- Apache Jena's riot accepts every dump ---------------------------------------------------

RIOT = ROOT / "scripts" / "jena-riot"


@pytest.mark.slow
def test_jena_riot_accepts_every_dump(rich_graph, tmp_path):
    """Every format (with awkward text in it), the metadata and the ontology files parse
    with no warning in a second, independent RDF toolkit (scripts/jena-riot fetches
    org.apache.jena:jena-cmds from Maven Central once)."""
    import os
    import shutil
    import subprocess

    if not (shutil.which("mvn") and shutil.which("java")):
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail("CI needs mvn and java for Jena's riot")
        pytest.skip("mvn and java are needed for Jena's riot")
    title = 'Quotes " and \\ back\\slash,\ttab,\nnewline, \x01 control, ünïcödé, 𝔘 and </script>'
    paper = Paper(id="odd id/with#hash?and space", title=title, abstract="Uses DPO.")
    add_paper(rich_graph, paper, [], [(PAPER_REF, RelationType.USES, "method/dpo", "Uses DPO.")])
    files = []
    for format_name in FORMATS:
        name = DUMP_FORMATS[format_name].file_name if format_name in DUMP_FORMATS else METADATA_FILE
        path = tmp_path / name
        path.write_text(export(rich_graph, format_name), encoding="utf-8")
        files.append(str(path))
    files += [str(ONTOLOGY / "alignkg.ttl"), str(ONTOLOGY / "shapes.ttl")]
    result = subprocess.run(
        [str(RIOT), "--validate", *files], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    problems = [line for line in result.stderr.splitlines() if " WARN " in line or "ERROR" in line]
    assert not problems, problems
    assert result.stderr.count("INFO org.apache.jena.riot - File:") == len(files)
