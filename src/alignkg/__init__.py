"""alignkg: a knowledge graph of AI-alignment research, built from paper abstracts."""

__version__ = "0.1.0"
