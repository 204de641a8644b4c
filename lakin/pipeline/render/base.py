"""What every part of the renderer shares: the templates folder, the media folder's name, the error helper."""

from __future__ import annotations

from pathlib import Path

from lakin import TEMPLATES_DIR
from lakin.errors import RenderError

__all__ = ["MEDIA_DIR", "TEMPLATES", "TOC_DEPTH", "TOC_TITLE", "render_error"]

TEMPLATES: Path = TEMPLATES_DIR
MEDIA_DIR = "media"  # figures of the report, beside the assembled Markdown
TOC_TITLE = "Daftar Isi"
TOC_DEPTH = 2


def render_error(message: str, **fields) -> RenderError:
    """A RenderError carrying the fields a caller may inspect (notebook, cell_index, problems, command...)."""
    return RenderError(message, **fields)
