// Datasets and benchmarks introduced per year: the papers that INTRODUCE a dataset,
// grouped by the year of the paper's date (papers without a date under "undated").
// Parameters: none.
MATCH (p:Paper)-[:INTRODUCES]->(d:Dataset)
WITH coalesce(left(p.date, 4), "undated") AS year, d
ORDER BY d.name
RETURN year, count(DISTINCT d) AS datasets, collect(DISTINCT d.name) AS names
ORDER BY year
