"""The relation schema: which kinds of node each relation connects (GUIDELINES.md).

One table, read by the extractor (every candidate relation is checked against it), by the
ontology's tests (ontology/alignkg.ttl's domains and ranges, and the SHACL shapes, must
say the same) and by the rule table's loader (a rule may only claim what the schema
allows). Kinds are entity types, or PAPER_LABEL for the paper whose abstract it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from alignkg.records import PAPER_LABEL, EntityType, RelationType

Kind = str  # an EntityType value, or PAPER_LABEL

_METHOD, _MODEL = EntityType.METHOD.value, EntityType.MODEL.value


@dataclass(frozen=True, slots=True)
class RelationSpec:
    type: RelationType
    pairs: frozenset[tuple[Kind, Kind]]  # (head kind, tail kind)
    lineage: bool = False  # a claim about where a thing comes from; see `conflicts`

    @property
    def domain(self) -> frozenset[Kind]:
        return frozenset(head for head, _ in self.pairs)

    @property
    def range(self) -> frozenset[Kind]:
        return frozenset(tail for _, tail in self.pairs)


def _spec(type_: RelationType, *pairs: tuple[Kind, Kind], lineage: bool = False):
    return type_, RelationSpec(type_, frozenset(pairs), lineage)


SCHEMA: dict[RelationType, RelationSpec] = dict(
    (
        _spec(RelationType.PROPOSES, (PAPER_LABEL, _METHOD), (PAPER_LABEL, _MODEL)),
        _spec(RelationType.INTRODUCES, (PAPER_LABEL, EntityType.DATASET.value)),
        _spec(RelationType.EVALUATES_ON, (PAPER_LABEL, EntityType.DATASET.value)),
        _spec(RelationType.USES, (PAPER_LABEL, _METHOD), (PAPER_LABEL, _MODEL)),
        _spec(RelationType.ADDRESSES, (PAPER_LABEL, EntityType.TASK.value)),
        # A variant has its parent's type: f-DPO extends DPO, a model extends a model.
        _spec(RelationType.EXTENDS, (_METHOD, _METHOD), (_MODEL, _MODEL), lineage=True),
        _spec(RelationType.BASED_ON, (_MODEL, _MODEL), lineage=True),
        _spec(RelationType.TRAINED_WITH, (_MODEL, _METHOD)),
        _spec(
            RelationType.OUTPERFORMS,
            (_METHOD, _METHOD),
            (_METHOD, _MODEL),
            (_MODEL, _METHOD),
            (_MODEL, _MODEL),
        ),
        _spec(RelationType.AFFILIATED_WITH, (PAPER_LABEL, EntityType.ORGANIZATION.value)),
    )
)

# The paper's own things and the things it only mentions: one entity is one or the other.
_EXCLUSIVE = (
    frozenset({RelationType.PROPOSES, RelationType.USES}),
    frozenset({RelationType.INTRODUCES, RelationType.EVALUATES_ON}),
)


def allows(type_: RelationType, head: Kind, tail: Kind) -> bool:
    return (head, tail) in SCHEMA[type_].pairs


def relation_for(types: tuple[RelationType, ...], head: Kind, tail: Kind) -> RelationType | None:
    """The first of `types` that the schema allows between these kinds: a contribution
    is PROPOSES for a method, INTRODUCES for a dataset."""
    return next((t for t in types if allows(t, head, tail)), None)


def conflicts(a: tuple[str, RelationType, str], b: tuple[str, RelationType, str]) -> bool:
    """Whether two statements cannot both hold: the same relation both ways (no 2-cycles:
    A BASED_ON B and B BASED_ON A), two lineage claims about one pair (BASED_ON and
    EXTENDS), a paper's contribution that it also only uses."""
    (ah, at, atl), (bh, bt, btl) = a, b
    if {ah, atl} != {bh, btl} or a == b:
        return False
    if ah == btl and atl == bh:  # reversed
        return at is bt or (SCHEMA[at].lineage and SCHEMA[bt].lineage)
    return at is not bt and (
        (SCHEMA[at].lineage and SCHEMA[bt].lineage)
        or any(at in group and bt in group for group in _EXCLUSIVE)
    )
