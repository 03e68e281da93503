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
from alignkg.extract.rule_table import (
    RuleTableError,
    compile_pattern,
    load_rule_table,
    parse_table,
)
from alignkg.records import PAPER_LABEL, RelationType
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
