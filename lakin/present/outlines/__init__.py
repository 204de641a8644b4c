"""Official report outlines as data: numbered chapters, the notebooks and sections they hold, required elements.

One YAML file per report type (`lakin-tahunan.yaml`: PermenPANRB 53/2014; `lkj-triwulanan.yaml`: seed 003's
quarterly LKj). The renderer takes chapter titles and numbers from here, `lakin.pipeline.execute` the notebooks a
report runs, `lakin.present.sections` the section headings and the sistematika, `lakin.tools.review` the completeness list.
A section or chapter that needs data names a requirement (`perlu: penerimaan`): lakin.rules.requirements.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from lakin.data.params import YAML_LOADER
from lakin.data.periods import ReportPeriod, parse_period
from lakin.errors import ParameterError

__all__ = ["Element", "Outline", "OutlineChapter", "Section", "block_headings", "element_block",
           "excluded_notebooks", "has_element", "load_outline", "narasi_name", "outline_for", "outline_ids"]

OUTLINE_DIR = Path(__file__).resolve().parent
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Section:
    """A sub-chapter a notebook opens with `lap.bagian(key)`; `perlu` names the data it needs, if any."""

    key: str
    judul: str
    level: int
    perlu: str | None = None


@dataclass(frozen=True)
class OutlineChapter:
    """One chapter of the outline: its label ("Bab I", or none), title, notebooks and sections."""

    label: str | None
    judul: str
    notebooks: tuple[str, ...]
    sections: tuple[Section, ...]

    @property
    def numbered(self) -> bool:
        return bool(self.label)

    @property
    def number(self) -> int | None:
        """The chapter's number from its Roman label ("Bab III" -> 3), None when unnumbered."""
        if not self.label:
            return None
        return ROMAN[self.label.split()[-1].upper()]

    @property
    def title(self) -> str:
        """As printed: "Bab I Pendahuluan", "Ikhtisar Eksekutif"."""
        return f"{self.label} {self.judul}" if self.label else self.judul


@dataclass(frozen=True)
class Element:
    """A required element of the report: per indicator (`indikator`) or once per report (`bagian_wajib`)."""

    key: str
    judul: str
    jenis: str = "narasi"  # data | narasi
    berkas: str | None = None  # analysts' block name; "{kode}" is the indicator's file code
    kata: tuple[str, ...] = ()  # heading words that satisfy a narasi element inside the indicator's main block
    wajib: bool = True


@dataclass(frozen=True)
class Outline:
    """A report type's outline."""

    id: str
    nama: str
    sumber: str
    penomoran: str  # huruf (A., B.; 1., 2.) | angka (1.1; 1.1.1)
    chapters: tuple[OutlineChapter, ...]
    indikator: tuple[Element, ...]
    bagian_wajib: tuple[Element, ...]
    daftar_tabel: bool = True
    daftar_gambar: bool = True
    perjanjian_berikutnya: bool = False

    def notebooks(self) -> list[str]:
        """Every notebook the report type uses, in print order."""
        return [nb for ch in self.chapters for nb in ch.notebooks]

    def chapter_of(self, notebook: str) -> OutlineChapter | None:
        return next((ch for ch in self.chapters if notebook in ch.notebooks), None)

    def headings(self, available: set[str] | frozenset[str] = frozenset()) -> dict[str, tuple[int, str]]:
        """(level, heading text) of every section whose data is `available`, labelled in print order."""
        out: dict[str, tuple[int, str]] = {}
        for ch in self.chapters:
            n2 = n3 = 0
            for s in ch.sections:
                if s.perlu and s.perlu not in available:
                    continue
                if s.level <= 2:
                    n2, n3 = n2 + 1, 0
                    label = (f"{_LETTERS[n2 - 1]}." if self.penomoran == "huruf"
                             else f"{ch.number}.{n2}" if ch.number else "")
                else:
                    n3 += 1
                    label = (f"{n3}." if self.penomoran == "huruf"
                             else f"{ch.number}.{n2}.{n3}" if ch.number else "")
                out[s.key] = (max(2, s.level), f"{label} {s.judul}".strip())
        return out

    def sistematika(self, available: set[str] | frozenset[str] = frozenset()) -> list[tuple[str, list[str]]]:
        """The outline of the report as printed in Bab I: (chapter title, its level-2 headings)."""
        heads = self.headings(available)
        out = []
        for ch in self.chapters:
            subs = [heads[s.key][1] for s in ch.sections if s.key in heads and heads[s.key][0] == 2]
            out.append((ch.title, subs))
        return out


def _element(raw: dict) -> Element:
    return Element(key=str(raw["key"]), judul=str(raw["judul"]), jenis=str(raw.get("jenis", "narasi")),
                   berkas=raw.get("berkas"), kata=tuple(str(k).lower() for k in raw.get("kata", ()) or ()),
                   wajib=bool(raw.get("wajib", True)))


def outline_ids() -> list[str]:
    """The outline files shipped with lakin."""
    return sorted(p.stem for p in OUTLINE_DIR.glob("*.yaml"))


@lru_cache(maxsize=None)
def load_outline(outline_id: str) -> Outline:
    """Read lakin/outlines/<id>.yaml."""
    if outline_id not in outline_ids():
        raise ParameterError(f"Kerangka laporan {outline_id!r} tidak dikenal; pilihan: {', '.join(outline_ids())}",
                             key="outline", value=outline_id)
    raw = yaml.load((OUTLINE_DIR / f"{outline_id}.yaml").read_text(encoding="utf-8"), Loader=YAML_LOADER)
    chapters = tuple(
        OutlineChapter(label=ch.get("label"), judul=str(ch["judul"]), notebooks=tuple(ch.get("notebooks") or ()),
                       sections=tuple(Section(str(s["key"]), str(s["judul"]), int(s.get("level", 2)), s.get("perlu"))
                                      for s in ch.get("sections") or ()))
        for ch in raw["chapters"])
    return Outline(
        id=str(raw["id"]), nama=str(raw["nama"]), sumber=str(raw.get("sumber", "")), penomoran=str(raw["penomoran"]),
        chapters=chapters, indikator=tuple(_element(e) for e in raw.get("indikator") or ()),
        bagian_wajib=tuple(_element(e) for e in raw.get("bagian_wajib") or ()),
        daftar_tabel=bool(raw.get("daftar_tabel", True)), daftar_gambar=bool(raw.get("daftar_gambar", True)),
        perjanjian_berikutnya=bool(raw.get("perjanjian_berikutnya", False)),
    )


# Report type -> outline file (a new report type is a new file and a line here).
OUTLINE_BY_TYPE = {"tahunan": "lakin-tahunan", "triwulanan": "lkj-triwulanan"}


def outline_for(period: ReportPeriod | str) -> Outline:
    """The outline of a report period: annual reports follow PermenPANRB 53/2014, quarterly ones seed 003."""
    rp = period if isinstance(period, ReportPeriod) else parse_period(str(period))
    return load_outline(OUTLINE_BY_TYPE["tahunan" if rp.is_annual else "triwulanan"])


def excluded_notebooks(period: ReportPeriod | str) -> set[str]:
    """Notebooks another report type's outline uses but this period's does not (the annual Lampiran in a
    quarterly report); notebooks no outline names are not excluded."""
    own = set(outline_for(period).notebooks())
    every = {nb for oid in outline_ids() for nb in load_outline(oid).notebooks()}
    return every - own


_CODE = re.compile(r"[^A-Za-z0-9.-]+")
_HEADING = re.compile(r"^\s*(?:#{1,6}\s+(?P<h>.+?)\s*#*\s*$|\*\*(?P<b>[^*]+)\*\*\s*:?\s*$)")


def _code(kode: str) -> str:
    return _CODE.sub("-", str(kode)).strip("-")


def narasi_name(kode: str) -> str:
    """File name of an indicator's analysts' text: 'IKU 1' -> 'iku-IKU-1.md', '1a-N' -> 'iku-1a-N.md'."""
    return f"iku-{_code(kode)}.md"


def element_block(element: Element, kode: str | None = None) -> str | None:
    """The analysts' block that holds an element: 'iku-{kode}-sebab.md' -> 'iku-1a-N-sebab.md'."""
    if not element.berkas:
        return None
    return element.berkas.format(kode=_code(kode)) if kode is not None else element.berkas


def has_element(element: Element, kode: str | None, narasi: Mapping[str, str]) -> bool:
    """An analysts' element is present as its own block, or as a heading (`## Penyebab ...` or a bold line
    `**Upaya ...**`) inside the indicator's main block whose text holds one of the element's words."""
    block = element_block(element, kode)
    if block and str(narasi.get(block) or "").strip():
        return True
    if kode is None or not element.kata:
        return False
    # only the main block's headings decide: the chapters' recording copy of the blocks notes this kind of read
    read = getattr(narasi, "headings", None)
    main = read(narasi_name(kode)) if read is not None else narasi.get(narasi_name(kode))
    return any(k in heading.lower() for heading in block_headings(main) for k in element.kata)


def block_headings(text: str | None) -> list[str]:
    """The headings of an analysts' block: `## Penyebab ...` lines and bold lines `**Upaya ...**`."""
    headings = []
    for line in str(text or "").splitlines():
        m = _HEADING.match(line)
        if m:
            headings.append(m["h"] or m["b"] or "")
    return headings
