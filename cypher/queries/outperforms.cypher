// What outperforms a method or model (PPO by default): every entity the abstracts claim
// beats it (OUTPERFORMS), with the number of evidence sentences, the first of them and the
// papers that claim it.
// Parameters: $name, the name or alias (any case) of the method or model beaten.
// In Neo4j Browser, set the parameter first:
// :param name => "PPO"
MATCH (beaten:Entity)
WHERE toLower($name) IN [form IN [beaten.name] + beaten.aliases | toLower(form)]
MATCH (winner:Entity)-[r:OUTPERFORMS]->(beaten)
RETURN winner.name AS winner,
       winner.type AS type,
       size(r.evidence_sentences) AS evidence,
       r.evidence_sentences[0] AS sentence,
       r.evidence_papers AS papers
ORDER BY winner
