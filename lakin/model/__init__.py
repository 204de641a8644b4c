"""The report model: the single computed object every output reads."""
