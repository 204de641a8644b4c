"""The data contract and its loading: table declarations, CSV reading, periods, params."""

__all__ = []
