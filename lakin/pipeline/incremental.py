"""Incremental builds: a chapter whose inputs did not change since the report's last build keeps its notebook.

A chapter's inputs are:

- lakin itself (its version and the bytes of every file of the package) and the versions of Python and of the
  libraries that shape a notebook's outputs (`lakin_digest`, `environment_digest`);
- the chapter notebook's file, and the report's satker and period;
- the unit's data as the report model holds it: its tables (the unit's rows; tables shared by every unit
  whole) and the snapshot's frameworks/ (`data_digest`);
- the analysts' blocks the chapter read, whether they exist or not. What a chapter reads is recorded while
  it runs: the chapters get a copy of the report model whose `narasi` is a `NarasiReads`, which notes in a
  log of the build that it was loaded and every block asked for, with how it was read:
  - a block the chapter only shows (`ReportModel.narasi_shown`: its text goes only into `show.narasi`
    outputs marked with its name, and the chapter asks nothing of it but whether it has text): the chapter
    depends on whether the block has text. A rebuild after an edit of its text keeps the notebook and puts
    the new text into those outputs (`refresh`), the same cells an execution would write;
  - a block whose headings the chapter reads (`lakin.present.outlines.has_element`): those headings;
  - any other read: the block's whole text.
  A chapter that looks at every block, or one whose run noted nothing (its notebook did not load the model),
  depends on every block's whole text.

An edit to the text of a block re-executes no chapter, unless a chapter reads more of it than its text (its
headings, or the whole block); a block that gains or loses its text re-executes the chapters that show it;
a data edit re-executes every chapter.
The inputs of each chapter are stored with its notebook, in reports/<satker>/<period>/notebooks/`MANIFEST`,
and published with the report; the build reuses a notebook only from the report folder it replaces.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path
from typing import Mapping

import pandas as pd

from lakin.data.fingerprint import ENVIRONMENT_PACKAGES, digest, environment_digest, lakin_digest
from lakin.present.outlines import block_headings
from lakin.pipeline.render.notebooks import notebook_text

__all__ = [
    "ALL_BLOCKS", "ENVIRONMENT_PACKAGES", "MANIFEST", "MANIFEST_VERSION", "ChapterReuse", "NarasiReads",
    "block_digest", "data_digest", "environment_digest", "headings_digest", "lakin_digest", "read_manifest",
    "recording", "refresh",
]

MANIFEST = ".lakin-inputs.json"
MANIFEST_VERSION = 2  # 2: blocks read as shown text or as headings (version 1 manifests: every chapter runs)
ALL_BLOCKS = "*"  # a chapter that looked at every analysts' block
_LOADED = "+"  # the log line a NarasiReads writes when a chapter loads the model
def _table_digest(frame: pd.DataFrame) -> bytes:
    header = json.dumps([[str(column), str(dtype)] for column, dtype in frame.dtypes.items()]).encode()
    try:
        rows = pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()
    except TypeError:  # a cell pandas cannot hash: its text instead
        rows = frame.to_csv(index=False).encode()
    return digest(header, rows).encode()


def data_digest(tables: Mapping[str, pd.DataFrame], snapshot: str | os.PathLike) -> str:
    """The unit's data as the report model holds it (`tables`) and the frameworks of the build's snapshot."""
    chunks: list[bytes] = []
    for name in sorted(tables):
        chunks += [name.encode(), _table_digest(tables[name])]
    snapshot = Path(snapshot)
    frameworks = snapshot / "frameworks"
    for path in sorted(frameworks.rglob("*")) if frameworks.is_dir() else []:
        if path.is_file():
            chunks += [path.relative_to(snapshot).as_posix().encode(), path.read_bytes()]
    return digest(*chunks)


def block_digest(narasi: Mapping[str, str], name: str) -> str | None:
    """The digest of one analysts' block (None: no such block), or of every block for ALL_BLOCKS."""
    if name == ALL_BLOCKS:
        return digest(*(chunk for key in sorted(narasi) for chunk in (key.encode(), str(narasi[key]).encode())))
    text = narasi.get(name)
    return None if text is None else digest(str(text).encode())


def headings_digest(narasi: Mapping[str, str], name: str) -> str:
    """The digest of one analysts' block's headings (`lakin.present.outlines.block_headings`)."""
    return digest("\n".join(block_headings(narasi.get(name))).encode())


def _outputs(notebook: dict):
    for cell in notebook.get("cells", []):
        yield from cell.get("outputs", []) if cell.get("cell_type") == "code" else []


def _shown_name(output: dict) -> str | None:
    if output.get("output_type") != "display_data":
        return None
    return output.get("metadata", {}).get("lakin", {}).get("narasi")


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def refresh(notebook: dict, texts: Mapping[str, str]) -> set[str] | None:
    """Put each block's text into the outputs of `notebook` (nbformat v4, as read) that show it
    (`lakin.present.show.narasi`); the names of the blocks found there. None, and nothing changed, when a block's
    old text also appears in another output: the chapter used the text otherwise (e.g. a cell an analyst added)."""
    shown = [(output, _shown_name(output)) for output in _outputs(notebook)]
    old = {_text(output["data"].get("text/markdown")) for output, name in shown if name in texts}
    old.discard("")
    for output, name in shown:
        if name is None and old:
            parts = [_text(v) for v in (output.get("data") or {}).values() if isinstance(v, (str, list))]
            parts.append(_text(output.get("text")))  # a stream
            if any(text in part for part in parts for text in old):
                return None
    found = set()
    for output, name in shown:
        if name in texts:
            output["data"]["text/markdown"] = texts[name]
            found.add(name)
    return found


# --------------------------------------------------------------------------- what a chapter reads
class NarasiReads(dict):
    """The analysts' blocks of a report model ({name: text}) that append to the file `log` every block name a
    chapter asks for (one JSON string a line; ALL_BLOCKS when it looks at all of them)."""

    def __init__(self, blocks=(), log: str | os.PathLike = ""):
        super().__init__(blocks)
        self.log = str(log)

    def plain(self) -> dict:
        """The blocks as a plain dict, noting nothing."""
        return dict(dict.items(self))

    def __reduce__(self):  # unpickled (in a chapter's kernel) through _loaded, which notes the load
        return (_loaded, (self.plain(), self.log))

    def _note(self, line: str) -> None:
        if self.log:
            with open(self.log, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")

    def _read(self, name) -> None:
        self._note(json.dumps(str(name)))

    def shown(self, name):
        """The block's text, for a chapter that only shows it (`ReportModel.narasi_shown`)."""
        self._note(json.dumps({"shown": str(name)}))
        return super().get(name)

    def headings(self, name):
        """The block's text, for a chapter that reads only its headings (`lakin.present.outlines.has_element`)."""
        self._note(json.dumps({"headings": str(name)}))
        return super().get(name)

    def __getitem__(self, name):
        self._read(name)
        return super().__getitem__(name)

    def get(self, name, default=None):
        self._read(name)
        return super().get(name, default)

    def __contains__(self, name) -> bool:
        self._read(name)
        return super().__contains__(name)

    def _all(self) -> None:
        self._read(ALL_BLOCKS)

    def __iter__(self):
        self._all()
        return super().__iter__()

    def __len__(self) -> int:
        self._all()
        return super().__len__()

    def keys(self):
        self._all()
        return super().keys()

    def values(self):
        self._all()
        return super().values()

    def items(self):
        self._all()
        return super().items()

    def __eq__(self, other) -> bool:
        self._all()
        return super().__eq__(other)

    __hash__ = None

    def copy(self) -> dict:
        self._all()
        return self.plain()


def _loaded(blocks: dict, log: str) -> NarasiReads:
    reads = NarasiReads(blocks, log)
    reads._note(_LOADED)
    return reads


def recording(model, log: str | os.PathLike):
    """A copy of the report model for the chapters, whose analysts' blocks note what each chapter reads in
    `log`; the model itself when its blocks are not a plain dict (then every chapter depends on every block)."""
    if type(model.narasi) is not dict:
        return model
    clone = copy.copy(model)
    try:
        clone.narasi = NarasiReads(model.narasi, log)
    except (AttributeError, TypeError):  # a frozen model
        return model
    return clone


# --------------------------------------------------------------------------- the inputs of a build's chapters
def read_manifest(notebooks_dir: str | os.PathLike) -> dict[str, dict]:
    """The inputs of each chapter of a published report ({} when there is none or it cannot be read)."""
    try:
        stored = json.loads((Path(notebooks_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict) or stored.get("version") != MANIFEST_VERSION:
        return {}
    chapters = stored.get("chapters")
    return chapters if isinstance(chapters, dict) else {}


class ChapterReuse:
    """One build's chapters: which keep the previous build's notebook (`take`), and what each executed one read
    (`executing`/`executed`, from the log of the model given to the chapters); `write` stores their inputs.

    `model` is the build's report model, `snapshot` its data folder, `previous` the notebooks folder of the report
    being replaced (None: execute every chapter), `log` the file the chapters' NarasiReads append to."""

    def __init__(self, model, snapshot: str | os.PathLike, previous: str | os.PathLike | None,
                 log: str | os.PathLike):
        self.model = model
        self.narasi = dict.copy(model.narasi) if type(model.narasi) is dict else dict(model.narasi)
        self.common = (lakin_digest(), environment_digest(), model.satker, model.period.label,
                       data_digest(model.tables, snapshot))
        self.previous = Path(previous) if previous is not None else None
        self.stored = read_manifest(self.previous) if self.previous is not None else {}
        self.log = Path(log)
        self.reads: dict[str, list | None] = {}  # executed chapter -> its reads (None: unknown)
        self.kept: dict[str, dict] = {}  # reused chapter -> its stored inputs
        self.reused: list[str] = []
        self.refreshed: list[str] = []  # reused chapters whose shown blocks got their new text
        self._offset = 0

    def inputs(self, chapter) -> str:
        """The digest of a chapter's inputs other than the analysts' blocks."""
        return digest(*(part.encode() for part in self.common), chapter.name.encode(), Path(chapter.path).read_bytes())

    def _shown(self, name: str) -> str | None:
        """A shown block's text as the chapter gets it (`ReportModel.narasi_shown`), from this build's model."""
        return self.model.narasi_md(name)

    def take(self, chapter, output: Path) -> bool:
        """Write the previous build's notebook of `chapter` to `output` if none of its inputs changed but the text
        of blocks it shows, which then goes into their outputs (`refresh`)."""
        stored = self.stored.get(chapter.name)
        if self.previous is None or not isinstance(stored, dict):
            return False
        source = self.previous / f"{chapter.name}.ipynb"
        blocks, shown, headings = (stored.get(key) for key in ("narasi", "shown", "headings"))
        if (stored.get("inputs") != self.inputs(chapter) or not source.is_file()
                or not all(isinstance(part, dict) for part in (blocks, shown, headings))):
            return False
        if any(block_digest(self.narasi, name) != value for name, value in blocks.items()):
            return False
        if any(headings_digest(self.narasi, name) != value for name, value in headings.items()):
            return False
        current = {name: block_digest(self.narasi, name) for name in shown}
        if current == stored.get("shown_text"):  # the same texts (and data): the notebook as it is
            shutil.copyfile(source, output)
        else:  # a shown block's text changed: the notebook gets it where the chapter showed it
            try:
                texts = {name: self._shown(name) for name in shown}
            except Exception:  # e.g. a reference to an unknown figure: executing the chapter shows the error
                return False
            if any(bool(texts[name]) != had for name, had in shown.items()):
                return False
            # lakin's own executed notebook (format 4), read as JSON and written as nbformat writes it
            # (`notebook_text`), without nbformat: importing it and compiling its schema cost 0.3 s of the rebuild
            try:
                notebook = json.loads(source.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return False
            present = {name: text for name, text in texts.items() if text}
            if (not isinstance(notebook, dict) or notebook.get("nbformat") != 4
                    or refresh(notebook, present) != set(present)):
                return False  # shown nowhere, or used otherwise too: the chapter executes
            output.write_text(notebook_text(notebook), encoding="utf-8")
            self.refreshed.append(chapter.name)
        self.kept[chapter.name] = {**stored, "shown_text": current}
        self.reused.append(chapter.name)
        return True

    def executing(self, chapter) -> None:
        """Note where the log stands before `chapter` runs."""
        self._offset = self.log.stat().st_size if self.log.is_file() else 0

    def executed(self, chapter) -> None:
        """Record the blocks `chapter` asked for while it ran, and how (None when it never loaded the model)."""
        lines = []
        if self.log.is_file():
            with self.log.open("rb") as fh:
                fh.seek(self._offset)
                lines = fh.read().decode("utf-8").splitlines()
        if _LOADED not in lines:
            self.reads[chapter.name] = None
            return
        self.reads[chapter.name] = [json.loads(line) for line in lines if line != _LOADED]

    def _entry(self, chapter, reads: list | None) -> dict:
        """The stored inputs of an executed chapter: whole blocks read ("narasi", digests), blocks shown ("shown":
        whether each had text; "shown_text": their digests), blocks whose headings were read ("headings")."""
        whole = {r for r in reads if isinstance(r, str)} if reads is not None else {ALL_BLOCKS}
        if ALL_BLOCKS in whole:
            return {"inputs": self.inputs(chapter), "narasi": {ALL_BLOCKS: block_digest(self.narasi, ALL_BLOCKS)},
                    "shown": {}, "shown_text": {}, "headings": {}}
        kinds = {kind: sorted({r[kind] for r in reads if isinstance(r, dict) and kind in r} - whole)
                 for kind in ("shown", "headings")}
        return {"inputs": self.inputs(chapter),
                "narasi": {name: block_digest(self.narasi, name) for name in sorted(whole)},
                "shown": {name: bool(self._shown(name)) for name in kinds["shown"]},
                "shown_text": {name: block_digest(self.narasi, name) for name in kinds["shown"]},
                "headings": {name: headings_digest(self.narasi, name) for name in kinds["headings"]}}

    def write(self, notebooks_dir: str | os.PathLike, chapters) -> Path:
        """Store the inputs of `chapters` (reused or executed in this build) beside their notebooks."""
        entries = {}
        for chapter in chapters:
            if chapter.name in self.kept:
                entries[chapter.name] = self.kept[chapter.name]
            elif chapter.name in self.reads:
                entries[chapter.name] = self._entry(chapter, self.reads[chapter.name])
        path = Path(notebooks_dir) / MANIFEST
        path.write_text(json.dumps({"version": MANIFEST_VERSION, "chapters": entries}, indent=1, sort_keys=True),
                        encoding="utf-8")
        return path
