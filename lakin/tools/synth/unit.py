"""One synthetic unit drawn from its own random stream: identity, indicators, revenue and budget, as CSV rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lakin.data.periods import CUMULATIVE_PERIOD, CUMULATIVE_PERIODS, DATA_PERIODS, PERIOD_END_MONTH, QUARTERS
from lakin.errors import SynthError
from lakin.tools.synth.templates import (
    AKUN, BSC_BUDGET, BSC_INDICATORS, BSC_SASARAN, COLUMNS, IKPA_KOMPONEN, KOTA, NAMA_BELAKANG, NAMA_DEPAN, NPSS_BUDGET,
    NPSS_INDICATORS, NPSS_PROGRAM, NPSS_SASARAN, PERUSAHAAN_A, PERUSAHAAN_B, PERUSAHAAN_C, IndicatorTemplate,
)

__all__ = ["MONTHS", "SynthUnit", "slug", "synth_unit"]

MONTHS = tuple(range(1, 13))


def slug(number: int, width: int = 4) -> str:
    """The slug of synthetic unit `number` (1-based): odd numbers are customs offices, even ones KKP offices."""
    kind = "kppbc" if number % 2 else "bkipm"
    return f"sintetis-{kind}-{number:0{width}d}"


def _num(value: float, digits: int = 2) -> str:
    """A plain CSV number: fixed decimals, trailing zeros dropped (97.5, 84, 0.3969)."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _split_exact(total: int, weights: np.ndarray) -> list[int]:
    """Integers proportional to `weights` that add up exactly to `total` (largest remainders, stable order)."""
    w = np.asarray(weights, dtype="float64")
    w = w / w.sum()
    raw = w * total
    base = np.floor(raw).astype("int64")
    rest = int(total - int(base.sum()))
    order = sorted(range(len(w)), key=lambda i: (-(raw[i] - base[i]), i))
    for i in order[:rest]:
        base[i] += 1
    return [int(x) for x in base]


def _thousands(rng: np.random.Generator, typical: float, spread: float = 0.3) -> int:
    """A rupiah amount in whole thousands around `typical`."""
    return round(typical * rng.lognormal(0.0, spread) / 1000.0) * 1000


@dataclass
class SynthUnit:
    """One synthetic unit: its satker.csv row and its rows per table (values already formatted for CSV)."""

    number: int
    slug: str
    kerangka: str
    satker_row: tuple
    tables: dict[str, list[tuple]]


def _identity(number: int, slug_: str, rng: np.random.Generator) -> tuple[tuple, str, str]:
    kota, provinsi = KOTA[int(rng.integers(len(KOTA)))]
    kepala = f"{NAMA_DEPAN[int(rng.integers(len(NAMA_DEPAN)))]} {NAMA_BELAKANG[int(rng.integers(len(NAMA_BELAKANG)))]}"
    alamat = f"Jl. Sintetis No. {int(rng.integers(1, 200))}, {kota}, {provinsi}"
    tag = f"(Sintetis {number:04d})"
    if number % 2:
        kerangka = "kemenkeu-bsc"
        singkatan = f"KPPBC TMP C {kota}"
        row = (slug_, str(400000 + number), f"Kantor Pengawasan dan Pelayanan Bea dan Cukai Tipe Madya Pabean C {kota} {tag}",
               singkatan, "Kementerian Keuangan", "Direktorat Jenderal Bea dan Cukai",
               f"Kantor Wilayah DJBC {provinsi}", kerangka, kota, kepala, "Kepala Kantor", alamat, True)
    else:
        kerangka = "kkp-npss"
        singkatan = f"Balai KIPM {kota}"
        row = (slug_, str(630000 + number),
               f"Balai Karantina Ikan, Pengendalian Mutu dan Keamanan Hasil Perikanan {kota} {tag}", singkatan,
               "Kementerian Kelautan dan Perikanan",
               "Badan Pengendalian dan Pengawasan Mutu Hasil Kelautan dan Perikanan (BPPMHKP)", "BPPMHKP", kerangka,
               kota, kepala, f"Kepala {singkatan}", alamat, True)
    return row, kerangka, singkatan


def _consolidated(values: dict[str, float | None], rule: str) -> dict[str, float | None]:
    """Q1..Q4 plus S1, SDQ3 and Y from the quarters, as lakin.rules.scoring consolidates them."""
    out = dict(values)
    for count, period in CUMULATIVE_PERIOD.items():
        if count == 1:  # Q1 is its own quarter
            continue
        parts = [values[q] for q in QUARTERS[:count]]
        if any(p is None for p in parts):
            out[period] = None
        elif rule == "sum":
            out[period] = float(sum(parts))
        elif rule == "average":
            out[period] = float(sum(parts) / len(parts))
        else:
            out[period] = parts[-1]
    return out


def _cumulative_as_quarters(values: dict[str, float | None]) -> dict[str, float | None]:
    """Q1..Q4 plus S1, SDQ3 and Y, each cumulative period taking the value of the quarter it closes."""
    return {**values, **{rp: values[q] for q, rp in zip(QUARTERS, CUMULATIVE_PERIODS)}}


_DIGITS = {"hari": 4}


class _UnitBuilder:
    """Draws one unit's tables from its own random stream, in a fixed order."""

    def __init__(self, number: int, years: tuple[int, ...], seed: int, width: int):
        self.number = number
        self.years = years
        self.latest = years[-1]
        self.rng = np.random.default_rng([seed, number])
        self.slug = slug(number, width)
        self.tables: dict[str, list[tuple]] = {name: [] for name in COLUMNS if name != "satker"}
        self.satker_row, self.kerangka, self.singkatan = _identity(number, self.slug, self.rng)
        self.customs = self.kerangka == "kemenkeu-bsc"
        self.performance = float(self.rng.uniform(0.92, 1.12))  # how well this unit does, overall

    # ---------------------------------------------------------------- indicators
    def _quarters(self, tpl: IndicatorTemplate, tahun: int) -> tuple[dict, dict]:
        """Quarter targets and realisations of one indicator (None = N/A)."""
        rng, perf = self.rng, self.performance
        if tpl.profil == "naik":
            annual = round(float(rng.uniform(78, 86)) * 2) / 2
            shares = np.sort(rng.uniform(0.1, 0.9, 3))
            targets = [float(round(annual * s)) for s in shares] + [annual]
            real = [min(100.0, t * rng.uniform(0.95, 1.5) * perf) for t in targets]
            real = list(np.maximum.accumulate(np.round(real, 2)))  # progress does not go backwards
        elif tpl.profil == "tetap":
            t = float(rng.integers(78, 88))
            targets = [t] * 4
            real = [min(100.0, round(t * rng.uniform(0.97, 1.22) * perf, 2)) for _ in range(4)]
        elif tpl.profil == "hari":
            t = round(float(rng.uniform(0.6, 0.9)), 2)
            targets = [t] * 4
            real = [round(t * rng.uniform(0.3, 1.1) / perf, 4) for _ in range(4)]
        elif tpl.profil == "skala4":
            t = float(rng.choice([3.0, 3.1, 3.2]))
            targets = [None, t, t, t]
            real = [None] + [round(min(4.0, t * rng.uniform(1.05, 1.3)), 2) for _ in range(3)]
        elif tpl.profil == "jumlah":
            annual = max(2, round(tpl.dasar * rng.uniform(0.6, 1.5)))
            if tpl.jangkar:
                targets = [float(x) for x in _split_exact(annual - 4, rng.dirichlet(np.ones(4)))] if annual > 4 else [0.0] * 4
                targets = [t + 1.0 for t in targets]
            else:
                targets = [float(x) for x in _split_exact(annual, rng.dirichlet(np.full(4, 0.7)))]
            real = [float(rng.poisson(t * perf)) if t > 0 else float(rng.poisson(0.3)) for t in targets]
        elif tpl.profil == "nilai":
            t = float(round(tpl.dasar * rng.uniform(0.97, 1.03))) if tpl.dasar < 100 else 100.0
            cap = 100.0
            r = [round(min(cap, t * rng.uniform(0.93, 1.2) * perf), 2) for _ in range(4)]
            active = {"triwulan": (1, 1, 1, 1), "semester": (0, 1, 1, 1), "tahunan": (0, 0, 0, 1)}[tpl.irama]
            targets = [t if a else 0.0 for a in active]
            real = [x if a else 0.0 for x, a in zip(r, active)]
        else:  # penerimaan, nka: filled in from revenue and IKPA
            targets, real = [None] * 4, [None] * 4
        return dict(zip(QUARTERS, targets)), dict(zip(QUARTERS, real))

    def indicators(self, ikpa_nka: dict[tuple[int, str], float], revenue_ratio: dict[tuple[int, str], tuple]) -> None:
        templates = BSC_INDICATORS if self.customs else NPSS_INDICATORS
        for tahun in self.years:
            for urutan, tpl in enumerate(templates, start=1):
                if self.customs:
                    sasaran_nama, perspektif = BSC_SASARAN[tpl.sasaran_kode], tpl.perspektif
                else:
                    sasaran_nama, perspektif = NPSS_SASARAN[tpl.sasaran_kode]
                self.tables["iku"].append((
                    self.slug, tahun, tpl.kode, tpl.nama.format(unit=self.singkatan), tpl.sasaran_kode, sasaran_nama,
                    perspektif, tpl.satuan, tpl.polaritas, tpl.konsolidasi, tpl.aturan, urutan,
                ))
                targets, real = self._quarters(tpl, tahun)
                if tpl.profil == "penerimaan":
                    for q, rp in zip(QUARTERS, CUMULATIVE_PERIODS):
                        targets[q], real[q] = revenue_ratio[(tahun, rp)]
                if tpl.profil == "nka":
                    t = round(float(self.rng.uniform(93, 96)), 2)
                    targets = dict.fromkeys(QUARTERS, t)
                    real = {q: ikpa_nka.get((tahun, rp)) for q, rp in zip(QUARTERS, CUMULATIVE_PERIODS)}
                # occasional N/A: a realisation not (yet) reported
                if not tpl.jangkar:
                    for q in QUARTERS:
                        if real[q] is not None and self.rng.random() < 0.04:
                            real[q] = None
                if tpl.profil in ("penerimaan", "nka"):  # given per data period, not consolidated
                    t_all, r_all = _cumulative_as_quarters(targets), _cumulative_as_quarters(real)
                else:
                    t_all = _consolidated(targets, tpl.konsolidasi)
                    r_all = _consolidated(real, tpl.konsolidasi)
                digits = _DIGITS.get(tpl.profil, 2)
                periods = DATA_PERIODS if tahun == self.latest else ("Y",)
                for periode in periods:
                    t, r = t_all[periode], r_all[periode]
                    self.tables["iku_nilai"].append((
                        self.slug, tahun, tpl.kode, periode,
                        None if t is None else _num(t, digits), None if r is None else _num(r, digits),
                    ))
        nilai = round(float(self.rng.uniform(98, 116)) * self.performance / 1.02, 2)
        sumber = "NKO tahunan (sintetis)" if self.customs else "NPSS tahunan (sintetis)"
        self.tables["nilai_organisasi"].append((self.slug, self.years[0] - 1, "Y", _num(min(nilai, 120.0)), sumber))

    # ---------------------------------------------------------------- revenue
    def revenue(self) -> dict[tuple[int, str], tuple]:
        """Revenue tables for every year; returns (target %, realisation %) of IKU 3a-CP per data period."""
        rng, perf = self.rng, self.performance
        scale = 10 ** rng.uniform(10.6, 12.2)  # annual bea masuk target, rupiah
        share = {"bea_masuk": 1.0,
                 "bea_keluar": float(rng.uniform(0.1, 0.8)) if rng.random() < 0.5 else 0.0,
                 "cukai": float(rng.uniform(0.01, 0.15)) if rng.random() < 0.4 else 0.0}
        importers = []
        while len(importers) < 5:
            name = (f"PT {PERUSAHAAN_A[int(rng.integers(len(PERUSAHAAN_A)))]} "
                    f"{PERUSAHAAN_B[int(rng.integers(len(PERUSAHAAN_B)))]} "
                    f"{PERUSAHAAN_C[int(rng.integers(len(PERUSAHAAN_C)))]}")
            if name not in importers:
                importers.append(name)
        weights_importers = rng.dirichlet(np.linspace(3, 1, 5))
        ratios: dict[tuple[int, str], tuple] = {}
        for tahun in self.years:
            growth = (1.0 + float(rng.uniform(-0.03, 0.08))) ** (tahun - self.years[0])
            targets = {j: _thousands(rng, scale * s * growth, 0.05) if s else 0 for j, s in share.items()}
            kep = int(rng.integers(10, 40))
            decrees = [(f"KEP-{kep}/BC/{tahun}", f"{tahun}-01-{int(rng.integers(10, 21)):02d}", targets)]
            if rng.random() < 0.35:
                factor = float(rng.uniform(0.85, 1.08))
                revised = {j: round(t * factor / 1000.0) * 1000 for j, t in targets.items()}
                month = int(rng.integers(10, 13))
                decrees.append((f"KEP-{int(rng.integers(200, 300))}/BC/{tahun}", f"{tahun}-{month:02d}-{int(rng.integers(1, 29)):02d}",
                                revised))
            for dasar, tanggal, tgt in decrees:
                for jenis, amount in tgt.items():
                    self.tables["target_penerimaan"].append((self.slug, tahun, jenis, dasar, tanggal, amount))
            # trajectory: 400 quarter-percents over twelve months (exact binary fractions: sums are exact)
            season = np.ones(12) + np.array([0, 0, 0.1, 0, 0, 0.35, 0.1, 0, 0, 0, 0.1, 0.5]) * rng.uniform(0.5, 1.5)
            quarters = _split_exact(400, season * rng.uniform(0.85, 1.15, 12))
            persen = [q / 4 for q in quarters]
            for bulan, p in zip(MONTHS, persen):
                self.tables["trajektori_penerimaan"].append((self.slug, tahun, bulan, _num(p)))
            # monthly revenue follows the trajectory of the final target, with the unit's own luck
            final = decrees[-1][2]
            luck = float(rng.uniform(0.85, 1.18)) * perf
            net = {}
            bea_masuk = {}
            for bulan, p in zip(MONTHS, persen):
                net[bulan] = 0
                for jenis, target in final.items():
                    accounts = AKUN[jenis]
                    if target:
                        base = target * p / 100.0 * luck * float(rng.uniform(0.75, 1.25))
                    elif jenis == "cukai":  # no excise target: administrative fines only, now and then
                        base, accounts = float(rng.uniform(0, 2e7)) * (rng.random() < 0.3), accounts[1:]
                    else:
                        continue
                    amount_jenis = 0
                    for akun, uraian, frac in accounts:
                        amount = round(base * frac * float(rng.uniform(0.5, 1.5)) / 1000.0) * 1000
                        if akun == "412121" and rng.random() < 0.7:
                            amount = 0
                        self.tables["penerimaan"].append((self.slug, tahun, bulan, jenis, akun, uraian, amount))
                        amount_jenis += amount
                    if target and rng.random() < 0.12:
                        akun, uraian, _ = accounts[0]
                        refund = -round(base * float(rng.uniform(0.001, 0.02)) / 1000.0) * 1000
                        self.tables["penerimaan"].append((
                            self.slug, tahun, bulan, jenis, akun,
                            f"Pengembalian/pengurangan/restitusi {uraian.removeprefix('PENDAPATAN ')}", refund))
                        amount_jenis += refund
                    if jenis == "bea_masuk":
                        bea_masuk[bulan] = amount_jenis
                    net[bulan] += amount_jenis
            # top five importers of bea masuk and "Lainnya", adding up to the month's bea masuk
            for bulan in MONTHS:
                bm = bea_masuk[bulan]
                top = int(max(bm, 0) * float(rng.uniform(0.45, 0.8))) // 1000
                parts = [x * 1000 for x in _split_exact(top, weights_importers * rng.uniform(0.6, 1.4, 5))]
                for name, amount in zip(importers, parts):
                    self.tables["kontributor_penerimaan"].append((self.slug, tahun, bulan, "bea_masuk", name, amount))
                self.tables["kontributor_penerimaan"].append((self.slug, tahun, bulan, "bea_masuk", "Lainnya",
                                                              bm - sum(parts)))
            # IKU 3a-CP per data period: cumulative trajectory (target) and cumulative revenue / target in force
            for rp in CUMULATIVE_PERIODS:
                end = PERIOD_END_MONTH[rp]
                in_force = [d for d in decrees if int(d[1][5:7]) <= end] or decrees[:1]
                annual_target = sum(in_force[-1][2].values())
                cum = sum(net[m] for m in MONTHS[:end])
                ratios[(tahun, rp)] = (round(sum(persen[:end]), 2), round(cum / annual_target * 100.0, 2))
        return ratios

    # ---------------------------------------------------------------- budget
    def budget(self) -> dict[tuple[int, str], float]:
        """Budget tables for every year; returns the NKA (for IKU 13a-N) per (year, data period)."""
        rng, perf = self.rng, self.performance
        template = BSC_BUDGET if self.customs else NPSS_BUDGET
        size = float(rng.lognormal(0.0, 0.25))
        pnbp = (not self.customs) and rng.random() < 0.5
        nka: dict[tuple[int, str], float] = {}
        for tahun in self.years:
            growth = (1.0 + float(rng.uniform(-0.05, 0.06))) ** (tahun - self.years[0])
            per_kegiatan_jenis: dict[tuple[str, str], int] = {}
            for program_kode, program, keg, keg_nama, kro, kro_nama, jenis, typical in template:
                amount = _thousands(rng, typical * size * growth)
                if jenis == "53" and not self.customs and rng.random() < 0.25:
                    amount = 0  # no capital budget this year
                self.tables["pagu"].append((self.slug, tahun, program_kode or None, program, keg, keg_nama, kro,
                                            kro_nama, jenis, "RM", amount))
                per_kegiatan_jenis[(keg, jenis)] = per_kegiatan_jenis.get((keg, jenis), 0) + amount
            if pnbp:
                amount = _thousands(rng, 25e6)
                self.tables["pagu"].append((self.slug, tahun, None, NPSS_PROGRAM, "3989", "Pengendalian Mutu", "3989.BDB",
                                            "Fasilitasi dan Pembinaan Pelaku Usaha", "52", "PNBP", amount))
                per_kegiatan_jenis[("3989", "52")] += amount
            absorption = min(0.995, float(rng.uniform(0.88, 0.99)) * min(perf, 1.02))
            for (keg, jenis), pagu in per_kegiatan_jenis.items():
                shape = {"51": np.array([1, 1, 1.6, 1, 1, 1.3, 1, 1, 1, 1, 1, 1.1]),
                         "52": np.array([0.5, 0.7, 0.9, 1, 1, 1.1, 1, 1, 1.1, 1.1, 1.2, 1.8]),
                         "53": np.array([0.05, 0.1, 0.2, 0.5, 0.9, 1.2, 1.3, 1.4, 1.4, 1.3, 1.2, 1.5])}[jenis]
                plan = _split_exact(pagu // 1000, shape * rng.uniform(0.85, 1.15, 12))
                plan = [p * 1000 for p in plan]
                for bulan, rencana in zip(MONTHS, plan):
                    self.tables["rpd"].append((self.slug, tahun, bulan, keg, jenis, rencana))
                spent = round(pagu * absorption * rng.uniform(0.97, 1.0))
                actual = _split_exact(spent, np.array(plan, dtype="float64") * rng.uniform(0.7, 1.3, 12) + 1e-9) if pagu else [0] * 12
                for bulan, realisasi in zip(MONTHS, actual):
                    self.tables["realisasi_anggaran"].append((self.slug, tahun, bulan, keg, jenis, realisasi))
            if self.customs:
                periods = CUMULATIVE_PERIODS if tahun == self.latest else ("Y",)
                for periode in periods:
                    totals = {"ikpa": 0.0, "smart": 0.0}
                    for komponen, bobot, kelompok, pengurang in IKPA_KOMPONEN:
                        if pengurang:
                            nilai = 0.0 if rng.random() < 0.9 else round(float(rng.uniform(0.1, 1.0)), 2)
                            totals[kelompok] -= nilai
                        else:
                            nilai = round(min(100.0, float(rng.uniform(82, 101)) * min(perf, 1.0) + 4), 2)
                            totals[kelompok] += nilai * bobot / 100.0
                        self.tables["ikpa"].append((self.slug, tahun, periode, komponen, _num(nilai), bobot, kelompok,
                                                    pengurang))
                    nka[(tahun, periode)] = round(0.5 * totals["ikpa"] + 0.5 * totals["smart"], 2)
        return nka

    def build(self) -> SynthUnit:
        ratios = self.revenue() if self.customs else {}
        nka = self.budget()
        self.indicators(nka, ratios)
        tables = {name: rows for name, rows in self.tables.items() if rows}
        return SynthUnit(self.number, self.slug, self.kerangka, self.satker_row, tables)


def synth_unit(number: int, years: tuple[int, ...], seed: int = 0, width: int = 4) -> SynthUnit:
    """One synthetic unit (1-based `number`), for the given years (ascending, the last is the report year)."""
    if number < 1:
        raise SynthError(f"Nomor unit sintetis harus >= 1, bukan {number}")
    return _UnitBuilder(number, tuple(years), seed, width).build()
