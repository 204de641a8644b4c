"""What every part of the renderer shares: the templates folder, the media folder's name, the contents' title and depth."""

from __future__ import annotations

from pathlib import Path

from lakin import TEMPLATES_DIR

__all__ = ["MEDIA_DIR", "TEMPLATES", "TOC_DEPTH", "TOC_TITLE"]

TEMPLATES: Path = TEMPLATES_DIR
MEDIA_DIR = "media"  # figures of the report, beside the assembled Markdown
TOC_TITLE = "Daftar Isi"
TOC_DEPTH = 2
