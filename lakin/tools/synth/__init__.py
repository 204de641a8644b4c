"""Synthetic units for scale tests and demos: a deterministic, plausible dataset under the data contract.

`generate(out, units=N, years=K)` writes, atomically and byte-for-byte reproducibly for the same arguments:

- `satker.csv`: every unit, each marked `sintetis=true`. Odd-numbered units are customs offices
  (`sintetis-kppbc-0001`, framework `kemenkeu-bsc`: 20 IKU in 13 sasaran and 4 perspectives, modelled on
  KPPBC TMP B Balikpapan's 2024 IKU); even-numbered units are fish-quarantine offices
  (`sintetis-bkipm-0002`, framework `kkp-npss`: 16 IKU/IKM in 3 sasaran kegiatan, modelled on Balai KIPM
  Banjarmasin). Names carry "(Sintetis NNNN)" so a rendered report never passes for a real office's.
- one file per unit and table: `<table>/<slug>.csv`, so that `lakin.data.load.load(out, satker=slug)` reads
  only that unit's files however many units there are.
- indicators for K years ending with `latest_year`: every data period (Q1, Q2, S1, Q3, SDQ3, Q4, Y) of the
  last year, consolidated periods consistent with each indicator's `konsolidasi`, some realisations N/A and,
  for KKP, quarter targets of 0 (left out of that period's score); earlier years as annual (Y) rows;
  `nilai_organisasi` (the published NKO/NPSS) for the year before the first.
- revenue for customs offices, every year: `penerimaan` monthly per account (refunds as negative rows),
  `target_penerimaan` (a KEP decree in January, sometimes revised by a later decree),
  `trajektori_penerimaan` (twelve multiples of 0.25 summing exactly to 100) and `kontributor_penerimaan`
  (five importers and `Lainnya`, adding up to the month's bea masuk). IKU 3a-CP is computed from them.
- budget for every unit and year: `pagu` per KRO x jenis belanja, `rpd` per kegiatan x jenis belanja and
  month summing exactly to the pagu, `realisasi_anggaran` monthly; for Kemenkeu units `ikpa` (IKPA and
  SMART components) from which IKU 13a-N (NKA = 50% IKPA + 50% SMART) is computed.
- with `params=True`, `params/<slug>/<period>.yaml` (keys `satker`, `periode`, `data_dir`) for every unit
  and report period of the last year (`2024Q1`, `2024Q2`, `2024Q3`, `2024`), `data_dir` being the absolute
  path of `out`, so a batch can be pointed at `out/params`.
- `SINTETIS.md`: what the directory is and the arguments that made it. A directory without this marker is
  never overwritten (so `--out data` cannot replace real data).

Each unit draws from its own random stream (`numpy.random.default_rng([seed, number])`), so unit 7 is the
same whether 10 or 1,000 units are generated.

The package: `templates` (the frameworks, budgets and names, as data), `unit` (drawing one unit's rows),
`write` (the files, atomically).
"""

from __future__ import annotations

from lakin.errors import SynthError
from lakin.tools.synth.templates import COLUMNS
from lakin.tools.synth.unit import SynthUnit, slug, synth_unit
from lakin.tools.synth.write import LATEST_YEAR, MARKER, SYNTH_VERSION, SynthSummary, generate

__all__ = [
    "COLUMNS", "LATEST_YEAR", "MARKER", "SYNTH_VERSION", "SynthError", "SynthSummary", "SynthUnit", "generate", "slug",
    "synth_unit",
]
