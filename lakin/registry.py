"""The one shape of every extension point: a named registry, filled where each entry is defined.

    RENDERERS = Registry("renderer")

    @RENDERERS.add("pandoc")
    class PandocEngine: ...

    RENDERERS["pandoc"]          # the entry, or UnknownEntryError naming the kind and what is known
    "pandoc" in RENDERERS        # membership
    list(RENDERERS)              # names, in the order they were added

A name is added once; a second entry under the same name is a programming error (DuplicateEntryError).
"""

from __future__ import annotations

from typing import Callable, Generic, Iterator, TypeVar, overload

from lakin.errors import DuplicateEntryError, UnknownEntryError

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(Generic[T]):
    """Named entries of one kind (renderer, figure block, reconciler, ...), in the order they were added."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, T] = {}

    @overload
    def add(self, name: str) -> Callable[[T], T]: ...

    @overload
    def add(self, name: str, entry: T) -> T: ...

    def add(self, name, entry=None):
        """Add `entry` under `name`; without `entry`, a decorator that adds what it decorates."""
        if entry is None:
            return lambda decorated: self.add(name, decorated)
        if name in self._entries:
            raise DuplicateEntryError(self.kind, name)
        self._entries[name] = entry
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
