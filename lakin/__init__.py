"""lakin: reproducible performance reports (LAKIN/LKj) for Indonesian government work units.

The package's public names (`lakin.load`, `lakin.score`, ...) are loaded when first used (PEP 562): `import lakin`,
which every process of lakin runs before any of its modules, imports no pandas. A process that needs only part of
lakin (the chart-drawing child of a build, `lakin --help`) loads only that part; the child's imports took 0.8 s of
its 1 s start when this file imported the data layer, the model and the frameworks.
"""

import importlib
import sys
from pathlib import Path

# jsonschema (under Altair) imports rfc3987_syntax when it is installed (JupyterLab's jupyter-events brings it),
# and that module builds an Earley parser of RFC 3987 at import: about 3 s of every lakin process and kernel,
# for a check of "iri" string formats that nothing lakin validates uses. Marking it absent (Python's documented
# `sys.modules[name] = None`) makes jsonschema skip it, as on a machine without it.
sys.modules.setdefault("rfc3987_syntax", None)

from lakin.registry import provide  # noqa: E402 (after the line above, as every import of lakin)

# The framework rules the data's cross-table checks run (`lakin.data.load`), defined with the frameworks: imported
# when those checks are first read (lakin/registry.py).
provide("reference rule", "lakin.rules.references")

__version__ = "0.1.0"

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"  # assets (pandoc, Typst, CSS, nbconvert), not code

# public name -> the module that defines it
_PUBLIC = {
    "Dataset": "lakin.data.load", "load": "lakin.data.load", "LakinError": "lakin.errors",
    "figures": "lakin.model.figures", "Unit": "lakin.model.unit", "open_unit": "lakin.model.unit",
    "load_framework": "lakin.rules.frameworks", "ReportPeriod": "lakin.data.periods",
    "parse_period": "lakin.data.periods", "Scorecard": "lakin.rules.scoring", "score": "lakin.rules.scoring",
}

__all__ = [*sorted(_PUBLIC), "__version__"]


def __getattr__(name: str):
    """A public name, imported from its module on first use and kept."""
    if name not in _PUBLIC:
        raise AttributeError(f"module 'lakin' has no attribute {name!r}")
    value = getattr(importlib.import_module(_PUBLIC[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
