"""Presentation: formatting, tables, narrative, charts and the notebooks' sections."""
