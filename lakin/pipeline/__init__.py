"""The pipeline: execute chapters, render documents, build one report, batch many."""

__all__ = []
