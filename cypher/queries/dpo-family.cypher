// The family of a method (DPO by default): every variant that extends it, directly or
// through other variants (variable-length EXTENDS), the generation (1 = extends it
// directly), the shortest lineage back to it, and the papers proposing the variant.
// Parameters: $name, the name or alias (any case) of the method at the root.
// In Neo4j Browser, set the parameter first:
// :param name => "DPO"
MATCH (root:Entity)
WHERE toLower($name) IN [form IN [root.name] + root.aliases | toLower(form)]
MATCH (variant:Entity)-[:EXTENDS*1..]->(root)
WITH DISTINCT root, variant
MATCH lineage = shortestPath((variant)-[:EXTENDS*1..]->(root))
RETURN variant.name AS variant,
       length(lineage) AS generation,
       [n IN nodes(lineage) | n.name] AS lineage,
       COLLECT { MATCH (p:Paper)-[:PROPOSES]->(variant) RETURN p.title ORDER BY p.title }
         AS proposed_by
ORDER BY generation, variant
