"""Text from data made harmless for a terminal: the one rule every command's output and message follows.

Its own module, importing nothing of lakin: the command line (lakin.cli) needs it for every message, `lakin --help`
included, and lakin.present.console (rich tables of pandas frames) costs 0.5 s to import.
"""

from __future__ import annotations

import re

__all__ = ["safe"]

# C0 controls but tab and newline, DEL, C1 controls (ESC, CSI, OSC: terminal escape sequences), and
# Unicode bidirectional overrides that reorder what the terminal shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def safe(value: object) -> str:
    """Text from data made harmless for a terminal: control characters shown as \\xNN / \\uNNNN escapes."""
    text = "" if value is None else str(value)
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)
