"""The pipeline: execute chapters, render documents, build one report, batch many."""
