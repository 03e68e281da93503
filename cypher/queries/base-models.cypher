// Models and their base models: each model built or fine-tuned from another (BASED_ON),
// the foundation at the end of the BASED_ON chain, and the methods the model was trained
// with (TRAINED_WITH).
// Parameters: none.
MATCH (model:Model)-[:BASED_ON]->(base:Model)
MATCH (base)-[:BASED_ON*0..]->(foundation:Model)
WHERE NOT (foundation)-[:BASED_ON]->()
RETURN model.name AS model,
       base.name AS base_model,
       foundation.name AS foundation,
       COLLECT { MATCH (model)-[:TRAINED_WITH]->(m) RETURN m.name ORDER BY m.name }
         AS trained_with
ORDER BY model, base_model, foundation
