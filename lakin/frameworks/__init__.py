"""Performance frameworks as data: one YAML file each, loaded into a registry by id."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import FrameworkError

FRAMEWORK_DIR = Path(__file__).parent


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
class Framework:
    """A framework definition: levels, weights, clamp, period mapping, bands, overall-score name."""

    id: str
    nama: str
    sumber: str
    skor_kode: str
    skor_nama: str
    skor_satuan: str
    istilah_indikator: str
    clamp: tuple[float, float]
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
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    def band(self, index: float) -> Band:
        if index is None or index != index:
            return self.status_na
        for b in self.status:
            if b.min is None or index >= b.min:
                return b
        return self.status[-1]

    def kategori_for(self, index: float) -> str:
        if index is None or index != index:
            return "N/A"
        for b in self.kategori:
            if b.min is None or index >= b.min:
                return b.nama
        return self.kategori[-1].nama

    def level_label(self, level: dict, key: str) -> str:
        return level.get("label", {}).get(key, key)


def _bands(items) -> tuple[Band, ...]:
    return tuple(Band(b["nama"], b.get("min"), b.get("warna", "")) for b in items)


def _parse(raw: dict, source: str) -> Framework:
    try:
        aturan = {}
        for rid, spec in (raw.get("aturan_capaian") or {}).items():
            tabel = {k: tuple(Segment(**seg) for seg in segs) for k, segs in spec["tabel"].items()}
            aturan[rid] = PiecewiseRule(rid, spec["nama"], spec["sumber"], dict(spec["tabel_per_periode"]), tabel)
        lo, hi = raw["clamp"]
        return Framework(
            id=raw["id"],
            nama=raw["nama"],
            sumber=raw["sumber"],
            skor_kode=raw["nilai_organisasi"]["kode"],
            skor_nama=raw["nilai_organisasi"]["nama"],
            skor_satuan=raw["nilai_organisasi"].get("satuan", ""),
            istilah_indikator=raw.get("indikator", {}).get("istilah", "IKU"),
            clamp=(float(lo), float(hi)),
            target_nol=raw.get("target_nol", "na"),
            levels=tuple(raw["levels"]),
            overall=dict(raw["overall"]),
            periode=dict(raw["periode"]),
            konsolidasi_periode={k: tuple(v) for k, v in raw["konsolidasi_periode"].items()},
            stabilize_toleransi=float(raw.get("stabilize", {}).get("toleransi_persen", 5)),
            status=_bands(raw["status"]["pita"]),
            status_na=Band(raw["status"]["na"]["nama"], None, raw["status"]["na"].get("warna", "")),
            kategori=_bands(raw["kategori"]["pita"]),
            aturan=aturan,
            raw=raw,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise FrameworkError(f"Berkas kerangka {source} tidak lengkap atau salah bentuk: {exc!r}") from exc


@lru_cache(maxsize=None)
def load_framework(framework_id: str) -> Framework:
    """The framework with this id, from lakin/frameworks/<id>.yaml."""
    path = FRAMEWORK_DIR / f"{framework_id}.yaml"
    if not framework_id or "/" in framework_id or not path.is_file():
        raise FrameworkError(
            f"Kerangka kinerja '{framework_id}' tidak dikenal. Tersedia: {', '.join(available_frameworks())}"
        )
    with path.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return _parse(raw, str(path))


def available_frameworks() -> list[str]:
    """Ids of every shipped framework file."""
    return sorted(p.stem for p in FRAMEWORK_DIR.glob("*.yaml"))


def framework_files() -> list[Path]:
    return sorted(FRAMEWORK_DIR.glob("*.yaml"))
