"""The document language: the project document's models, diagnostics, expressions, type
references, durations, defaults and names. It imports nothing else of the product; the node
kinds (`node_types`) build on it, and the compiler on both."""
