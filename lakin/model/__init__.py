"""The report model: the single computed object every output reads."""

__all__ = []  # the layer's modules are imported by their own names
