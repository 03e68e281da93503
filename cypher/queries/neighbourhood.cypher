// The neighbourhood of an entity: every node one hop away, the relation between them and
// its direction, how many evidence sentences support it, and the first of them.
// Parameters: $name, an entity name or alias (any case), e.g. "DPO" or
// "direct preference optimization".
// In Neo4j Browser, set the parameter first:
// :param name => "DPO"
MATCH (e:Entity)
WHERE toLower($name) IN [form IN [e.name] + e.aliases | toLower(form)]
MATCH (e)-[r]-(other)
RETURN e.name AS entity,
       CASE WHEN startNode(r) = e THEN type(r) + " ->" ELSE "<- " + type(r) END AS relation,
       coalesce(other.name, other.title) AS other,
       coalesce(other.type, "Paper") AS kind,
       size(r.evidence_sentences) AS evidence,
       r.evidence_sentences[0] AS sentence
ORDER BY entity, relation, other
