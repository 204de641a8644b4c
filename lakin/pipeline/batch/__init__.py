"""Building many reports at once: in parallel on warm Dask workers, resumable, skipping reports already up to date.

`run_batch(jobs, formats, reports_root)` builds every `ReportJob` (one unit and period, usually found with
`discover(params_dir)`), and returns a `BatchResult` of small `ReportOutcome` records (`ReportStatus`: ok /
failed / skipped / cancelled). `main(...)` is the `lakin batch` command: the same call plus a progress bar and
a summary table. See docs/batch.md. The jobs are split:

- `jobs`: what to build (`discover`, `discover_data`) and what became of it (outcomes, result);
- `stamps`: up to date or not (the fingerprint of a report's inputs, the build record);
- `worker`: one job as a worker runs it (`build_report`), and the warm kernel of each worker;
- `running`: the Dask side (local cluster or `--scheduler`, recycling workers, retrying a report whose worker
  died, Ctrl-C);
- `output`: the progress bar and the summary.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from lakin.data.fingerprint import unit_data_digest
from lakin.data.params import parse_formats
from lakin.errors import BatchError
from lakin.pipeline.batch.jobs import (
    BatchResult, ReportJob, ReportOutcome, ReportStatus, discover, discover_data, split_values,
)
from lakin.pipeline.batch.output import STATUS_LABELS, RichReporter, print_summary
from lakin.pipeline.batch.running import (
    DEFAULT_FORMATS, DEFAULT_RECYCLE, LOCK_NAME, Reporter, reports_lock, run_batch,
)
from lakin.pipeline.batch.stamps import (
    PART_NAMES, STAMP_NAME, Fingerprint, fingerprint, notebooks_digest, read_stamp, shared_parts, staleness,
)
from lakin.pipeline.batch.worker import PLUGIN_NAME, WarmKernelPlugin, build_report, default_workers

__all__ = ["DEFAULT_FORMATS", "DEFAULT_RECYCLE", "LOCK_NAME", "PART_NAMES", "PLUGIN_NAME", "STAMP_NAME",
           "STATUS_LABELS", "BatchError", "BatchResult", "Fingerprint", "ReportJob", "ReportOutcome", "ReportStatus",
           "Reporter", "RichReporter", "WarmKernelPlugin", "build_report", "default_workers", "discover",
           "discover_data", "fingerprint", "main", "notebooks_digest", "params_source", "print_summary",
           "read_stamp", "reports_lock", "run_batch", "shared_parts", "staleness", "unit_data_digest"]


def params_source(params_dir: str | Path | None, data_dir: str | Path) -> Path | None:
    """Where `lakin batch` finds its reports: the given params folder; else <data>/params/ or, for the
    project's own data/, ./params/; else None (the reports the data supports, `discover_data`)."""
    if params_dir is not None:
        return Path(params_dir)
    data = Path(data_dir)
    if (data / "params").is_dir():
        return data / "params"
    project = Path("params")
    if project.is_dir() and data.resolve() == Path("data").resolve():
        return project
    return None


def main(params_dir: str | Path | None = "params", data_dir: str | Path = "data", reports_root: str | Path = "reports",
         units: str | Iterable[str] | None = None, periods: str | Iterable[str] | None = None,
         formats: str | Iterable[str] = DEFAULT_FORMATS, workers: int | None = None, scheduler: str | None = None,
         force: bool = False, recycle_after: int = DEFAULT_RECYCLE) -> int:
    """`lakin batch`: build the requested reports with a progress bar and a summary; returns the exit code.

    Here rather than in a submodule, so that `run_batch`, `RichReporter` and `print_summary` are looked up on
    this package when it runs (tests replace them there)."""
    formats = parse_formats(formats)
    params_dir = params_source(params_dir, data_dir)
    if params_dir is None:
        jobs, problems = discover_data(data_dir, units, periods)
    else:
        jobs, problems = discover(params_dir, data_dir, units, periods)
    if not jobs and not problems:
        raise BatchError(f"Tidak ada laporan yang cocok di {params_dir or data_dir}"
                         + (f" (--units {','.join(split_values(units))})" if units else "")
                         + (f" (--periods {','.join(split_values(periods))})" if periods else ""))
    result = run_batch(jobs, formats, reports_root, workers=workers, scheduler=scheduler, force=force,
                       reporter=RichReporter(), recycle_after=recycle_after)
    if problems:
        result = replace(result, outcomes=problems + result.outcomes)
    print_summary(result)
    return result.exit_code
