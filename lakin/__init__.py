"""lakin: reproducible performance reports (LAKIN/LKj) for Indonesian government work units."""

from .data import Dataset, load
from .errors import LakinError
from .figures import Unit, figures, open_unit
from .frameworks import load_framework
from .periods import ReportPeriod, parse_period
from .scoring import Scorecard, score

__version__ = "0.1.0"

__all__ = [
    "Dataset", "LakinError", "ReportPeriod", "Scorecard", "Unit", "figures", "load", "load_framework",
    "open_unit", "parse_period", "score", "__version__",
]
