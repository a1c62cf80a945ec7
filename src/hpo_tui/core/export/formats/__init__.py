"""Text formats: CSV, strict JSON, Markdown/LaTeX tables, grid tables."""
