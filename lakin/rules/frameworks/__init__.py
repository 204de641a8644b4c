"""Performance frameworks as data: one YAML file each, validated on load, resolved beside the data first.

A unit's framework id (satker.csv `kerangka`) names `<data_dir>/frameworks/<id>.yaml` when that file
exists, else the file shipped in this package. Every file is checked key by key when it is read
(`spec.py` declares the keys); docs/frameworks.md documents them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from lakin.data.params import YAML_LOADER
from lakin.errors import DataIssue, FrameworkError, FrameworkFileError
from lakin.rules.frameworks.spec import AGGREGATIONS, Problem, check_framework

FRAMEWORK_DIR = Path(__file__).parent
DATA_SUBDIR = "frameworks"


@dataclass(frozen=True)
class Band:
    """A colour/status band: applies to indices >= min (None = no lower bound)."""

    nama: str
    min: float | None
    warna: str = ""


@dataclass(frozen=True)
class Segment:
    """One piece of a piecewise conversion: value = dasar + (x - x0) / per, on its interval."""

    min: float | None = None
    max: float | None = None
    min_inklusif: bool = True
    max_inklusif: bool = False
    dasar: float = 0.0
    x0: float = 0.0
    per: float | None = None
    identitas: bool = False

    def contains(self, x: float) -> bool:
        if self.min is not None and (x < self.min or (x == self.min and not self.min_inklusif)):
            return False
        if self.max is not None and (x > self.max or (x == self.max and not self.max_inklusif)):
            return False
        return True

    def value(self, x: float) -> float:
        if self.identitas:
            return x
        if self.per is None:
            return self.dasar
        return self.dasar + (x - self.x0) / self.per


@dataclass(frozen=True)
class PiecewiseRule:
    """A named conversion of realisation into index, with a table per data period."""

    id: str
    nama: str
    sumber: str
    tabel_per_periode: dict
    tabel: dict

    def convert(self, x: float, periode: str) -> float:
        key = self.tabel_per_periode.get(periode)
        if key is None:
            raise FrameworkError(f"Aturan capaian '{self.id}' tidak punya tabel untuk periode {periode}")
        for seg in self.tabel[key]:
            if seg.contains(x):
                return seg.value(x)
        raise FrameworkError(f"Aturan capaian '{self.id}' tidak mencakup nilai {x} (periode {periode})")


@dataclass(frozen=True)
class Weights:
    """How the items of one aggregation are weighted.

    `bobot`: weight per item key (indicator code, sasaran, perspective); `kolom`: weight read from an
    iku.csv column; `kelas`: iku.csv column `kolom` holds a class whose weight is `kelas[class]`.
    `jumlah`: the declared total of `bobot` (checked), `sumber`: where the weights come from.
    """

    bobot: dict | None = None
    kolom: str | None = None
    kelas: dict | None = None
    jumlah: float | None = None
    sumber: str | None = None

    @property
    def per_item_column(self) -> bool:
        return self.kolom is not None


@dataclass(frozen=True)
class Aggregation:
    """One aggregation step (into a level, or into the overall score): rule, weights, cap."""

    agregasi: str = "mean"  # one of spec.AGGREGATIONS
    weights: Weights | None = None
    maks: float | None = None


@dataclass(frozen=True)
class Framework:
    """A framework definition: levels, weights, clamp, period mapping, bands, overall-score name."""

    id: str
    nama: str
    sumber: str
    skor_kode: str
    skor_nama: str
    skor_satuan: str
    istilah_indikator: str
    clamp: tuple[float, float]  # (-inf, inf) when the file says `clamp: null`
    target_nol: str
    levels: tuple[dict, ...]
    overall: dict
    periode: dict
    konsolidasi_periode: dict
    stabilize_toleransi: float
    status: tuple[Band, ...]
    status_na: Band
    kategori: tuple[Band, ...]
    aturan: dict = field(default_factory=dict)
    target_negatif: str = "galat"
    target_rentang: str | None = None
    level_aggregations: tuple[Aggregation, ...] = ()
    overall_aggregation: Aggregation = field(default_factory=Aggregation)
    level_status: tuple[tuple[tuple[Band, ...], Band] | None, ...] = ()
    path: str = ""
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    def band(self, index: float, depth: int | None = None) -> Band:
        """The status band of an index (of an indicator, or of level `depth` when it has its own bands)."""
        bands, na = self.status, self.status_na
        if depth is not None and depth < len(self.level_status) and self.level_status[depth] is not None:
            bands, na = self.level_status[depth]
        if index is None or index != index:
            return na
        for b in bands:
            if b.min is None or index >= b.min:
                return b
        return bands[-1]

    def kategori_for(self, index: float) -> str:
        if index is None or index != index:
            return "N/A"
        for b in self.kategori:
            if b.min is None or index >= b.min:
                return b.nama
        return self.kategori[-1].nama

    def level_label(self, level: dict, key: str) -> str:
        return level.get("label", {}).get(key, key)

    @property
    def skala(self) -> list[float] | None:
        """[0, upper clamp] for a chart axis of indices, or None when indices have no upper bound."""
        return [0, self.clamp[1]] if math.isfinite(self.clamp[1]) else None

    @property
    def indicator_columns(self) -> tuple[str, ...]:
        """iku.csv columns the framework reads besides the standard ones (indicator weights, classes)."""
        cols = []
        for agg in self.level_aggregations:
            if agg.weights is not None and agg.weights.kolom:
                cols.append(agg.weights.kolom)
        return tuple(cols)

    def aggregation_names(self) -> tuple[str, ...]:
        """The names per-unit weights use for each aggregation: the level columns and `nilai_organisasi`."""
        return tuple(level["kolom"] for level in self.levels) + ("nilai_organisasi",)

    def aggregation(self, name: str) -> Aggregation:
        if name == "nilai_organisasi":
            return self.overall_aggregation
        for level, agg in zip(self.levels, self.level_aggregations):
            if level["kolom"] == name:
                return agg
        raise KeyError(name)

    def with_weights(self, name: str, bobot: dict, sumber: str) -> "Framework":
        """A copy whose aggregation `name` uses these per-item weights (a unit's override, with its source)."""
        agg = self.aggregation(name)
        old = agg.weights or Weights()
        new = replace(agg, weights=replace(old, bobot=dict(bobot), kolom=None, kelas=None, sumber=sumber))
        if name == "nilai_organisasi":
            overall = {**self.overall, "bobot": dict(bobot), "bobot_sumber": sumber}
            return replace(self, overall_aggregation=new, overall=overall)
        levels, aggs = list(self.levels), list(self.level_aggregations)
        i = [lv["kolom"] for lv in levels].index(name)
        levels[i] = {**levels[i], "bobot": dict(bobot), "bobot_sumber": sumber}
        aggs[i] = new
        return replace(self, levels=tuple(levels), level_aggregations=tuple(aggs))


def _bands(items) -> tuple[Band, ...]:
    return tuple(Band(b["nama"], None if b.get("min") is None else float(b["min"]), b.get("warna", "")) for b in items)


def _weights(spec: dict) -> Weights | None:
    if spec.get("bobot") is not None:
        return Weights(bobot={str(k): float(v) for k, v in spec["bobot"].items()},
                       jumlah=None if spec.get("jumlah_bobot") is None else float(spec["jumlah_bobot"]),
                       sumber=spec.get("bobot_sumber"))
    per_item = spec.get("bobot_indikator")
    if per_item is not None:
        kelas = per_item.get("kelas")
        return Weights(kolom=per_item["kolom"], kelas=None if kelas is None else {str(k): float(v) for k, v in kelas.items()},
                       jumlah=None if spec.get("jumlah_bobot") is None else float(spec["jumlah_bobot"]),
                       sumber=per_item.get("sumber"))
    return None


def _aggregation(spec: dict) -> Aggregation:
    return Aggregation(spec.get("agregasi", "mean"), _weights(spec),
                       None if spec.get("maks") is None else float(spec["maks"]))


def _clamp(value) -> tuple[float, float]:
    if value is None:
        return (-math.inf, math.inf)
    lo, hi = value
    return (-math.inf if lo is None else float(lo), math.inf if hi is None else float(hi))


def _parse(raw: dict, source: str) -> Framework:
    """The Framework of a validated file (check_framework found no problem)."""
    aturan = {}
    for rid, spec in (raw.get("aturan_capaian") or {}).items():
        tabel = {k: tuple(Segment(**seg) for seg in segs) for k, segs in spec["tabel"].items()}
        aturan[rid] = PiecewiseRule(rid, spec["nama"], spec["sumber"], dict(spec["tabel_per_periode"]), tabel)
    levels = tuple(dict(level) for level in raw["levels"])
    level_status = tuple(
        (_bands(level["status"]["pita"]), Band(level["status"]["na"]["nama"], None, level["status"]["na"].get("warna", "")))
        if level.get("status") else None
        for level in levels
    )
    return Framework(
        id=raw["id"],
        nama=raw["nama"],
        sumber=raw["sumber"],
        skor_kode=raw["nilai_organisasi"]["kode"],
        skor_nama=raw["nilai_organisasi"]["nama"],
        skor_satuan=raw["nilai_organisasi"].get("satuan", ""),
        istilah_indikator=(raw.get("indikator") or {}).get("istilah", "IKU"),
        clamp=_clamp(raw["clamp"]),
        target_nol=raw.get("target_nol", "na"),
        target_negatif=raw.get("target_negatif", "galat"),
        target_rentang=(raw.get("target_rentang") or {}).get("aturan"),
        levels=levels,
        overall=dict(raw["overall"]),
        periode=dict(raw["periode"]),
        konsolidasi_periode={k: tuple(v) for k, v in raw["konsolidasi_periode"].items()},
        stabilize_toleransi=float((raw.get("stabilize") or {}).get("toleransi_persen", 5)),
        status=_bands(raw["status"]["pita"]),
        status_na=Band(raw["status"]["na"]["nama"], None, raw["status"]["na"].get("warna", "")),
        kategori=_bands(raw["kategori"]["pita"]),
        aturan=aturan,
        level_aggregations=tuple(_aggregation(level) for level in levels),
        overall_aggregation=_aggregation(raw["overall"]),
        level_status=level_status,
        path=source,
        raw=raw,
    )


class _UniqueKeyLoader(YAML_LOADER):
    """safe_load that refuses a key given twice in one mapping (the second would silently win)."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"kunci '{key}' ditulis dua kali",
                                                    key_node.start_mark)
        seen.add(key)
    return YAML_LOADER.construct_mapping(loader, node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_framework_file(path: Path, expected_id: str | None = None) -> Framework:
    """Read, validate and parse one framework file; every problem names the file, the key and what is expected."""
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FrameworkFileError(label, [Problem("-", None, f"berkas ber-encoding UTF-8 ({exc.reason})")]) from None
    except OSError as exc:
        raise FrameworkFileError(label, [Problem("-", None, f"berkas yang dapat dibaca ({exc.strerror or exc})")]) from None
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a safe loader (YAML_LOADER) subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"baris {mark.line + 1}" if mark is not None else "-"
        raise FrameworkFileError(label, [Problem(where, None, f"YAML yang sah ({getattr(exc, 'problem', None) or exc})")]) from None
    problems = check_framework(raw, expected_id)
    if problems:
        raise FrameworkFileError(label, problems)
    return _parse(raw, label)


_CACHE: dict[tuple, Framework] = {}


def framework_path(framework_id: str, data_dir: str | Path | None = None) -> Path | None:
    """The file a framework id resolves to: <data_dir>/frameworks/<id>.yaml first, then the package's."""
    if not isinstance(framework_id, str) or not framework_id or "/" in framework_id or "\\" in framework_id \
            or framework_id.startswith("."):
        return None
    if data_dir is not None:
        folder = Path(data_dir) / DATA_SUBDIR
        candidate = folder / f"{framework_id}.yaml"
        if candidate.is_file():
            # a symlink must not lead out of the data directory
            try:
                candidate.resolve().relative_to(Path(data_dir).resolve())
            except ValueError:
                raise FrameworkFileError(str(candidate), [Problem("-", None, "berkas di dalam direktori data "
                                                                 "(tautan simbolik ke luar tidak diterima)")]) from None
            return candidate
    candidate = FRAMEWORK_DIR / f"{framework_id}.yaml"
    return candidate if candidate.is_file() else None


def load_framework(framework_id: str, data_dir: str | Path | None = None) -> Framework:
    """The framework with this id: <data_dir>/frameworks/<id>.yaml if present, else lakin/frameworks/<id>.yaml."""
    path = framework_path(framework_id, data_dir)
    if path is None:
        raise FrameworkError(
            f"Kerangka kinerja '{framework_id}' tidak dikenal. Tersedia: {', '.join(available_frameworks(data_dir))}"
        )
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _CACHE:
        _CACHE[key] = read_framework_file(path, framework_id)
    return _CACHE[key]


def load_frameworks(ids, data_dir: str | Path | None = None) -> tuple[dict[str, Framework], list[DataIssue]]:
    """The frameworks with these ids that exist and are valid, and one issue per problem of a malformed file."""
    loaded, issues = {}, []
    for framework_id in sorted({i for i in ids if isinstance(i, str)}):
        try:
            path = framework_path(framework_id, data_dir)
            if path is None:
                continue  # unknown id: reported against satker.csv by the caller
            loaded[framework_id] = load_framework(framework_id, data_dir)
        except FrameworkFileError as exc:
            label = exc.file
            if data_dir is not None:
                try:
                    label = str(Path(exc.file).relative_to(Path(data_dir)))
                except ValueError:
                    pass
            issues.extend(DataIssue(label, None, p.key, p.value, f"diharapkan {p.expected}") for p in exc.problems)
    return loaded, issues


def available_frameworks(data_dir: str | Path | None = None) -> list[str]:
    """Ids of every framework file: the package's and those beside the data."""
    return sorted({p.stem for p in framework_files(data_dir)})


def framework_files(data_dir: str | Path | None = None) -> list[Path]:
    """Every framework file: the package's, then <data_dir>/frameworks/ (which wins for an id in both)."""
    files = sorted(FRAMEWORK_DIR.glob("*.yaml"))
    if data_dir is not None and (Path(data_dir) / DATA_SUBDIR).is_dir():
        files += sorted((Path(data_dir) / DATA_SUBDIR).glob("*.yaml"))
    return files


__all__ = [
    "AGGREGATIONS", "Aggregation", "Band", "Framework", "PiecewiseRule", "Segment", "Weights",
    "available_frameworks", "framework_files", "framework_path", "load_framework", "load_frameworks",
    "read_framework_file",
]
