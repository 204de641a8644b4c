"""Tools around reports: data checks, Excel exchange, synthetic units, exploration."""

__all__ = []
