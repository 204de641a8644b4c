"""The keys a framework file may hold, and the checks that refuse a malformed one (each problem: key, value, expectation)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from lakin.data.periods import DATA_PERIODS, QUARTERS
from lakin.data.schemas import TABLES


class Agregasi(str, Enum):
    """How a level (or the overall score) is made from its items."""

    MEAN = "mean"                  # plain mean of the items that are not N/A
    WEIGHTED = "weighted"          # weighted mean, renormalised over the items that are not N/A
    WEIGHTED_SUM = "weighted_sum"  # sum of weight x value over the items that are not N/A, capped at `maks`


class AturanRentang(str, Enum):
    """How a range target ("70-80") is scored."""

    RENTANG = "rentang"          # inside the range: 100; above: against the upper bound; below: against the lower
    BATAS_ATAS = "batas_atas"    # always against the upper bound
    BATAS_BAWAH = "batas_bawah"  # always against the lower bound


class TargetNegatif(str, Enum):
    """What a negative target is: refused by validation, or a warning and the indicator N/A."""

    GALAT = "galat"
    PERINGATAN = "peringatan"


AGGREGATIONS = tuple(a.value for a in Agregasi)
WEIGHTED = (Agregasi.WEIGHTED.value, Agregasi.WEIGHTED_SUM.value)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a framework file: the key (dotted path), the value found, what is expected."""

    key: str
    value: object
    expected: str

    def describe(self) -> str:
        value = "" if self.value is None else f": nilai {self.value!r}"
        return f"kunci '{self.key}'{value} - diharapkan {self.expected}"


# Allowed keys, per mapping of the file ("*" marks a mapping whose keys are free: ids, codes).
_TOP = {
    "id", "nama", "sumber", "nilai_organisasi", "indikator", "clamp", "target_nol", "target_negatif",
    "target_rentang", "levels", "overall", "periode", "konsolidasi_periode", "stabilize", "status", "kategori",
    "aturan_capaian",
}
_REQUIRED_TOP = ("id", "nama", "sumber", "nilai_organisasi", "clamp", "levels", "overall", "periode",
                 "konsolidasi_periode", "status", "kategori")
_KEYS = {
    "nilai_organisasi": {"kode", "nama", "satuan"},
    "indikator": {"istilah", "nama"},
    "target_rentang": {"aturan", "sumber"},
    "stabilize": {"toleransi_persen"},
    "status": {"sumber", "pita", "na"},
    "kategori": {"sumber", "pita"},
    "level": {"kolom", "nama", "singkatan", "agregasi", "urutan", "label", "bobot", "bobot_indikator",
              "jumlah_bobot", "bobot_sumber", "maks", "status"},
    "overall": {"agregasi", "bobot", "jumlah_bobot", "bobot_sumber", "maks"},
    "bobot_indikator": {"kolom", "kelas", "sumber"},
    "pita": {"nama", "min", "warna"},
    "na": {"nama", "warna"},
    "aturan": {"nama", "sumber", "tabel_per_periode", "tabel"},
    "segmen": {"min", "max", "min_inklusif", "max_inklusif", "dasar", "x0", "per", "identitas"},
}
TARGET_NOL = ("na", "dikecualikan")
_NULLABLE = {"clamp"}  # required keys whose null is meaningful (clamp: null = no clamp)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class _Checker:
    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, key: str, value, expected: str) -> None:
        self.problems.append(Problem(key, value, expected))

    def mapping(self, value, key: str, allowed: set[str], required: tuple[str, ...] = ()) -> bool:
        if not isinstance(value, dict):
            self.add(key, value, "sebuah pemetaan (kunci: nilai)")
            return False
        for k in value:
            if k not in allowed:
                self.add(f"{key}.{k}" if key else str(k), None,
                         f"kunci yang dikenal di {key or 'tingkat atas'}: {', '.join(sorted(allowed))}")
        for k in required:
            if k not in value or (value[k] is None and k not in _NULLABLE):
                self.add(f"{key}.{k}" if key else k, None, "kunci wajib ini diisi")
        return True

    def text(self, value, key: str) -> None:
        if value is not None and not isinstance(value, str):
            self.add(key, value, "teks")

    def number(self, value, key: str, positive: bool = False) -> bool:
        if not _number(value) or (positive and value <= 0):
            self.add(key, value, "bilangan" + (" positif" if positive else "") + " berhingga")
            return False
        return True

    def choice(self, value, key: str, options: tuple[str, ...]) -> None:
        if value not in options:
            self.add(key, value, f"salah satu dari: {', '.join(options)}")

    def bands(self, value, key: str) -> None:
        if not self.mapping(value, key, _KEYS["status"] if key.endswith("status") else _KEYS["kategori"], ("pita",)):
            return
        pita = value.get("pita")
        if not isinstance(pita, list) or not pita:
            self.add(f"{key}.pita", pita, "daftar pita yang tidak kosong")
            return
        previous = math.inf
        for i, band in enumerate(pita):
            where = f"{key}.pita[{i}]"
            if not self.mapping(band, where, _KEYS["pita"], ("nama",)):
                continue
            low = band.get("min")
            if low is None:
                if i != len(pita) - 1:
                    self.add(f"{where}.min", None, "angka (hanya pita terakhir tanpa batas bawah)")
                continue
            if self.number(low, f"{where}.min") and low >= previous:
                self.add(f"{where}.min", low, f"lebih kecil dari batas pita sebelumnya ({previous:g})")
            previous = low if _number(low) else previous
        if pita and isinstance(pita[-1], dict) and pita[-1].get("min") is not None:
            self.add(f"{key}.pita[{len(pita) - 1}].min", pita[-1].get("min"),
                     "null pada pita terakhir (setiap indeks harus masuk satu pita)")
        if "na" in value and self.mapping(value["na"], f"{key}.na", _KEYS["na"], ("nama",)):
            pass
        elif key.endswith("status") and "na" not in value:
            self.add(f"{key}.na", None, "kunci wajib ini diisi (pita untuk indeks N/A)")

    def weights(self, spec: dict, key: str, depth: int | None, iku_columns: set[str]) -> None:
        """Weights of one aggregation: `bobot` per item or `bobot_indikator` from a column, summing as declared."""
        agregasi = spec.get("agregasi", "mean")
        self.choice(agregasi, f"{key}.agregasi", AGGREGATIONS)
        bobot, per_item = spec.get("bobot"), spec.get("bobot_indikator")
        if per_item is not None and depth != 0:
            self.add(f"{key}.bobot_indikator", None,
                     "hanya pada tingkat pertama (levels[0]), yang menggabungkan indikator")
        if bobot is not None and per_item is not None:
            self.add(f"{key}.bobot", None, "bobot atau bobot_indikator, bukan keduanya")
        if agregasi in WEIGHTED and bobot is None and per_item is None:
            self.add(f"{key}.bobot", None, f"bobot untuk agregasi '{agregasi}' (bobot: {{kunci: angka}}"
                     + (" atau bobot_indikator: {kolom: bobot}" if depth == 0 else "") + ")")
        if agregasi in AGGREGATIONS and agregasi not in WEIGHTED and (bobot is not None or per_item is not None):
            self.add(f"{key}.agregasi", agregasi, f"{' atau '.join(WEIGHTED)} bila bobot diisi "
                     "(bobot yang tidak dipakai tidak diterima)")
        if spec.get("maks") is not None:
            self.number(spec["maks"], f"{key}.maks", positive=True)
            if agregasi in AGGREGATIONS and agregasi != Agregasi.WEIGHTED_SUM.value:
                self.add(f"{key}.maks", spec["maks"], f"hanya untuk agregasi '{Agregasi.WEIGHTED_SUM.value}'")
        declared = spec.get("jumlah_bobot")
        if declared is not None:
            self.number(declared, f"{key}.jumlah_bobot", positive=True)
        if bobot is not None:
            if not isinstance(bobot, dict) or not bobot:
                self.add(f"{key}.bobot", bobot, "pemetaan kunci: bobot yang tidak kosong")
            else:
                ok = True
                for k, w in bobot.items():
                    if not _number(w) or w < 0:
                        self.add(f"{key}.bobot.{k}", w, "bobot berupa angka >= 0")
                        ok = False
                if ok and _number(declared) and not math.isclose(sum(bobot.values()), declared, rel_tol=1e-9, abs_tol=1e-9):
                    self.add(f"{key}.bobot", sum(bobot.values()),
                             f"jumlah bobot {declared:g} seperti dinyatakan di {key}.jumlah_bobot")
        if per_item is not None and self.mapping(per_item, f"{key}.bobot_indikator", _KEYS["bobot_indikator"], ("kolom",)):
            column = per_item.get("kolom")
            if column not in iku_columns:
                self.add(f"{key}.bobot_indikator.kolom", column,
                         f"kolom iku.csv yang ada: {', '.join(sorted(iku_columns))}")
            kelas = per_item.get("kelas")
            if kelas is not None:
                if not isinstance(kelas, dict) or not kelas:
                    self.add(f"{key}.bobot_indikator.kelas", kelas, "pemetaan kelas: bobot yang tidak kosong")
                else:
                    for k, w in kelas.items():
                        if not _number(w) or w < 0:
                            self.add(f"{key}.bobot_indikator.kelas.{k}", w, "bobot berupa angka >= 0")


def _iku_columns() -> set[str]:
    return set(TABLES["iku"].columns)


def check_framework(raw, expected_id: str | None = None) -> list[Problem]:
    """Every problem of a framework file's content (empty when it is valid)."""
    c = _Checker()
    if not c.mapping(raw, "", _TOP, _REQUIRED_TOP):
        return c.problems
    iku_columns = _iku_columns()
    for k in ("id", "nama", "sumber"):
        c.text(raw.get(k), k)
    if expected_id is not None and raw.get("id") is not None and raw.get("id") != expected_id:
        c.add("id", raw.get("id"), f"'{expected_id}', sama dengan nama berkasnya")
    if raw.get("nilai_organisasi") is not None:
        c.mapping(raw["nilai_organisasi"], "nilai_organisasi", _KEYS["nilai_organisasi"], ("kode", "nama"))
    if raw.get("indikator") is not None:
        c.mapping(raw["indikator"], "indikator", _KEYS["indikator"])
    clamp = raw.get("clamp", "absent")
    if clamp is not None and clamp != "absent":
        if not isinstance(clamp, list) or len(clamp) != 2 or not all(v is None or _number(v) for v in clamp):
            c.add("clamp", clamp, "[bawah, atas] (angka atau null), atau null untuk tanpa batas")
        elif None not in clamp and clamp[0] >= clamp[1]:
            c.add("clamp", clamp, "batas bawah lebih kecil dari batas atas")
    if "target_nol" in raw:
        c.choice(raw["target_nol"], "target_nol", TARGET_NOL)
    if "target_negatif" in raw:
        c.choice(raw["target_negatif"], "target_negatif", tuple(t.value for t in TargetNegatif))
    if raw.get("target_rentang") is not None:
        if c.mapping(raw["target_rentang"], "target_rentang", _KEYS["target_rentang"], ("aturan",)):
            c.choice(raw["target_rentang"].get("aturan"), "target_rentang.aturan", tuple(a.value for a in AturanRentang))
    levels = raw.get("levels")
    level_keys: list[set] = []
    if levels is not None:
        if not isinstance(levels, list) or not levels:
            c.add("levels", levels, "daftar tingkat yang tidak kosong")
            levels = []
        for i, level in enumerate(levels):
            key = f"levels[{i}]"
            if not c.mapping(level, key, _KEYS["level"], ("kolom", "nama")):
                continue
            column = level.get("kolom")
            if column not in iku_columns:
                c.add(f"{key}.kolom", column, f"kolom iku.csv yang ada: {', '.join(sorted(iku_columns))}")
            c.weights(level, key, i, iku_columns)
            if level.get("status") is not None:
                c.bands(level["status"], f"{key}.status")
            keys = set(level.get("urutan") or []) | set((level.get("label") or {}))
            level_keys.append(keys)
        columns = [lv.get("kolom") for lv in levels if isinstance(lv, dict)]
        if len(set(columns)) != len(columns):
            c.add("levels", columns, "setiap tingkat dengan kolom yang berbeda")
    overall = raw.get("overall")
    if overall is not None and c.mapping(overall, "overall", _KEYS["overall"], ("agregasi",)):
        c.weights(overall, "overall", None, iku_columns)
        top = level_keys[-1] if level_keys else set()
        bobot = overall.get("bobot")
        if isinstance(bobot, dict) and top:
            for k in bobot:
                if k not in top:
                    c.add(f"overall.bobot.{k}", None, f"kunci tingkat terakhir: {', '.join(sorted(top))}")
    periode = raw.get("periode")
    if periode is not None:
        if not isinstance(periode, dict) or set(periode) != set(QUARTERS):
            c.add("periode", periode, f"pemetaan {', '.join(QUARTERS)} ke periode data")
        else:
            for q, d in periode.items():
                c.choice(d, f"periode.{q}", DATA_PERIODS)
    kons = raw.get("konsolidasi_periode")
    if kons is not None:
        if not isinstance(kons, dict):
            c.add("konsolidasi_periode", kons, "pemetaan periode data: daftar triwulan")
        else:
            for k, quarters in kons.items():
                c.choice(k, f"konsolidasi_periode.{k}", DATA_PERIODS)
                if not isinstance(quarters, list) or not quarters or any(q not in QUARTERS for q in quarters):
                    c.add(f"konsolidasi_periode.{k}", quarters, f"daftar triwulan dari: {', '.join(QUARTERS)}")
    if raw.get("stabilize") is not None and c.mapping(raw["stabilize"], "stabilize", _KEYS["stabilize"]):
        if "toleransi_persen" in raw["stabilize"]:
            c.number(raw["stabilize"]["toleransi_persen"], "stabilize.toleransi_persen")
    if raw.get("status") is not None:
        c.bands(raw["status"], "status")
    if raw.get("kategori") is not None:
        c.bands(raw["kategori"], "kategori")
    aturan = raw.get("aturan_capaian")
    if aturan:
        if not isinstance(aturan, dict):
            c.add("aturan_capaian", aturan, "pemetaan id aturan: definisi")
        else:
            for rid, spec in aturan.items():
                key = f"aturan_capaian.{rid}"
                if not c.mapping(spec, key, _KEYS["aturan"], ("nama", "sumber", "tabel_per_periode", "tabel")):
                    continue
                tabel = spec.get("tabel") if isinstance(spec.get("tabel"), dict) else {}
                per = spec.get("tabel_per_periode")
                if isinstance(per, dict):
                    for p, t in per.items():
                        if t not in tabel:
                            c.add(f"{key}.tabel_per_periode.{p}", t, f"nama tabel di {key}.tabel: {', '.join(tabel)}")
                for name, segs in tabel.items():
                    if not isinstance(segs, list) or not segs:
                        c.add(f"{key}.tabel.{name}", segs, "daftar segmen")
                        continue
                    for j, seg in enumerate(segs):
                        c.mapping(seg, f"{key}.tabel.{name}[{j}]", _KEYS["segmen"])
    return c.problems

__all__ = [
    "AGGREGATIONS",
    "Agregasi",
    "AturanRentang",
    "Problem",
    "TARGET_NOL",
    "TargetNegatif",
    "WEIGHTED",
    "check_framework",
]
