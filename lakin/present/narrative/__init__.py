"""Indonesian sentences generated from computed figures (one module per report topic)."""

from __future__ import annotations

from lakin.values import angka

__all__ = ["ARAH", "arah", "daftar"]

ARAH = {1: "meningkat", -1: "menurun", 0: "tetap"}


def arah(change: float | None, digits: int = 2) -> str:
    """'meningkat' / 'menurun' / 'tetap' for a change, judged at display precision."""
    if change is None:
        return "tetap"
    shown = float(angka(change, digits).replace(".", "").replace(",", "."))
    return ARAH[(shown > 0) - (shown < 0)]


def daftar(items: list[str]) -> str:
    """An Indonesian list: 'a', 'a dan b', 'a, b, dan c'."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return f"{items[0]} dan {items[1]}"
    return ", ".join(items[:-1]) + f", dan {items[-1]}"
