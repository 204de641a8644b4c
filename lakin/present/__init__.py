"""Presentation: formatting, tables, narrative, charts and the notebooks' sections."""

__all__ = []  # the layer's modules are imported by their own names
