// Entities whose name or aliases match words, through the full-text index entity_names
// (Lucene syntax: words, "phrases", prefix*, fuzzy~), best match first.
// Parameters: $text, the words to look for.
// In Neo4j Browser, set the parameter first:
// :param text => "preference optimization"
CALL db.index.fulltext.queryNodes("entity_names", $text) YIELD node, score
RETURN node.name AS name, node.type AS type, node.aliases AS aliases, score
ORDER BY score DESC, name
LIMIT 10
