"""The one shape of every extension point: a named registry, filled where each entry is defined.

    RENDERERS = Registry("renderer")

    @RENDERERS.add("pandoc")
    class PandocEngine: ...

    RENDERERS["pandoc"]          # the entry, or UnknownEntryError naming the kind and what is known
    "pandoc" in RENDERERS        # membership
    list(RENDERERS)              # names, in the order they were added

A name is added once; a second entry under the same name is a programming error (DuplicateEntryError).

A registry of a lower layer may be filled by a higher one: the data's cross-table checks (`lakin.data.references`,
kind "reference rule") run rules defined with the frameworks (`lakin.rules.references`). The data layer cannot
import them, and importing them with the package (`import lakin`) cost every process pandas and the frameworks,
the chart-drawing child included (0.6 s). So the package names the modules that fill such a registry
(`provide("reference rule", "lakin.rules.references")`, lakin/__init__.py, which every process runs before any
module of lakin), and the registry imports them the first time it is read: a process that runs the data's checks
has the framework rules, and one that never reads the registry never imports them.
"""

from __future__ import annotations

import importlib
from typing import Callable, Generic, Iterator, TypeVar, overload

from lakin.errors import DuplicateEntryError, UnknownEntryError

__all__ = ["PROVIDERS", "Registry", "provide"]

T = TypeVar("T")

# kind -> the modules that add entries to the registry of that kind from a higher layer (imported on its first read)
PROVIDERS: dict[str, tuple[str, ...]] = {}


def provide(kind: str, *modules: str) -> None:
    """Name modules that fill the registry of `kind`; it imports them the first time it is read."""
    PROVIDERS[kind] = PROVIDERS.get(kind, ()) + modules


class Registry(Generic[T]):
    """Named entries of one kind (renderer, figure block, reconciler, ...), in the order they were added."""

    def __init__(self, kind: str):
        self.kind = kind
        self._added: dict[str, T] = {}
        self._provided = 0  # how many of the kind's PROVIDERS were imported

    @property
    def _entries(self) -> dict[str, T]:
        """The entries, once the modules named to fill this registry (`provide`) were imported."""
        providers = PROVIDERS.get(self.kind, ())
        for index in range(self._provided, len(providers)):
            # counted once imported: another thread reading meanwhile imports it too, which waits for this import
            importlib.import_module(providers[index])
            self._provided = max(self._provided, index + 1)
        return self._added

    @overload
    def add(self, name: str) -> Callable[[T], T]: ...

    @overload
    def add(self, name: str, entry: T) -> T: ...

    def add(self, name, entry=None):
        """Add `entry` under `name`; without `entry`, a decorator that adds what it decorates."""
        if entry is None:
            return lambda decorated: self.add(name, decorated)
        if name in self._added:
            raise DuplicateEntryError(self.kind, name)
        self._added[name] = entry
        return entry

    def __getitem__(self, name: str) -> T:
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownEntryError(self.kind, name, list(self._entries)) from None

    def get(self, name: str, default: T | None = None) -> T | None:
        return self._entries.get(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        return list(self._entries)

    def items(self) -> list[tuple[str, T]]:
        return list(self._entries.items())

    def values(self) -> list[T]:
        return list(self._entries.values())

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}: {', '.join(self._entries)})"
