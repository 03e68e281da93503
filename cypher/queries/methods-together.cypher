// Methods that appear together: pairs of methods that the same papers propose, use or
// otherwise point to, by the number of papers they share (each pair once).
// Parameters: $limit, how many pairs to list.
// In Neo4j Browser, set the parameter first:
// :param limit => 25
MATCH (a:Method)<--(p:Paper)-->(b:Method)
WHERE a.id < b.id
WITH a, b, p
ORDER BY p.title
WITH a, b, collect(DISTINCT p.title) AS papers
RETURN a.name AS method, b.name AS with_method, size(papers) AS shared_papers, papers
ORDER BY shared_papers DESC, method, with_method
LIMIT $limit
