// The most used benchmarks: datasets by the number of papers that evaluate on them or
// introduce them, with both figures apart.
// Parameters: $limit, how many datasets to list.
// In Neo4j Browser, set the parameter first:
// :param limit => 10
MATCH (p:Paper)-[r:EVALUATES_ON|INTRODUCES]->(d:Dataset)
RETURN d.name AS benchmark,
       count(DISTINCT p) AS papers,
       count(DISTINCT CASE WHEN type(r) = "EVALUATES_ON" THEN p END) AS evaluated_on,
       count(DISTINCT CASE WHEN type(r) = "INTRODUCES" THEN p END) AS introduced
ORDER BY papers DESC, benchmark
LIMIT $limit
