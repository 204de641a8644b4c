"""lakin: reproducible performance reports (LAKIN/LKj) for Indonesian government work units."""

from pathlib import Path

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
