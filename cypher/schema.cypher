// The alignkg schema in Neo4j, applied by `alignkg load` before it writes (every statement
// is idempotent: IF NOT EXISTS). Statements end with a semicolon; `//` starts a comment.
//
// Nodes: (:Paper {id: "paper/<paper id>", title, abstract, date, url, authors, ...}) and
// (:Entity:<Type> {id: "<type>/<slug>", name, type, aliases, papers, keys, ...}) where <Type>
// is one of Method, Dataset, Model, Task, Metric, Organization.

// One uniqueness constraint on the id of every label (each also backs an index on id).
CREATE CONSTRAINT paper_id IF NOT EXISTS FOR (n:Paper) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT method_id IF NOT EXISTS FOR (n:Method) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT dataset_id IF NOT EXISTS FOR (n:Dataset) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT model_id IF NOT EXISTS FOR (n:Model) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT task_id IF NOT EXISTS FOR (n:Task) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT metric_id IF NOT EXISTS FOR (n:Metric) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT organization_id IF NOT EXISTS FOR (n:Organization) REQUIRE n.id IS UNIQUE;

// Full-text search over names and aliases (aliases_text: the aliases joined by newlines),
// e.g. CALL db.index.fulltext.queryNodes("entity_names", "preference~") YIELD node, score
CREATE FULLTEXT INDEX entity_names IF NOT EXISTS FOR (n:Entity) ON EACH [n.name, n.aliases_text];

// Lookups by name use `keys` (canonical.match_key of the name and of every alias) with
// `WHERE $key IN n.keys`. No index on it: Neo4j's range indexes hold a list as one value,
// so list membership is a label scan plus filter either way (about 50 ms at 90,000
// entities; see bench/neo4j_load.py).

// Papers by date (datasets introduced per year, recent work first).
CREATE INDEX paper_date IF NOT EXISTS FOR (n:Paper) ON (n.date);
