"""Where data lives: the canonical tables in an embedded DuckDB file, the demo-data generator and importers."""
