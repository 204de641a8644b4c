"""Data a chapter or a section needs, by name: a predicate on the unit's tables.

A chapter notebook names one in its metadata (`lakin.chapter.requires`), an outline section in `perlu`. A new
requirement is one entry: `REQUIREMENTS.add("name", predicate)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Callable

import pandas as pd

from lakin.registry import Registry
from lakin.rules.budget import has_budget
from lakin.rules.revenue import has_revenue

__all__ = ["REQUIREMENTS", "available_data"]

REQUIREMENTS: Registry[Callable] = Registry("data requirement")
REQUIREMENTS.add("penerimaan", has_revenue)
REQUIREMENTS.add("anggaran", has_budget)


def available_data(tables: Mapping[str, pd.DataFrame]) -> set[str]:
    """The named data requirements a unit meets (penerimaan, anggaran, ...)."""
    return {name for name, predicate in REQUIREMENTS.items() if predicate(tables)}
