"""lakin: reproducible performance reports (LAKIN/LKj) for Indonesian government work units."""

import sys
from pathlib import Path

# jsonschema (under Altair) imports rfc3987_syntax when it is installed (JupyterLab's jupyter-events brings it),
# and that module builds an Earley parser of RFC 3987 at import: about 3 s of every lakin process and kernel,
# for a check of "iri" string formats that nothing lakin validates uses. Marking it absent (Python's documented
# `sys.modules[name] = None`) makes jsonschema skip it, as on a machine without it.
sys.modules.setdefault("rfc3987_syntax", None)

from lakin.data.load import Dataset, load
from lakin.errors import LakinError
from lakin.model.figures import figures
from lakin.model.unit import Unit, open_unit
from lakin.rules.frameworks import load_framework
from lakin.data.periods import ReportPeriod, parse_period
from lakin.rules.scoring import Scorecard, score
import lakin.rules.references  # noqa: F401,E402 (registers the framework rules `lakin.data.load` runs)

__version__ = "0.1.0"

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"  # assets (pandoc, Typst, CSS, nbconvert), not code

__all__ = [
    "Dataset", "LakinError", "ReportPeriod", "Scorecard", "Unit", "figures", "load", "load_framework",
    "open_unit", "parse_period", "score", "__version__",
]
