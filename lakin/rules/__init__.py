"""The rules: frameworks, scoring, revenue and budget (and the data contract's grain they share). They return data
only: `lakin.present` prints it, `lakin.model` gathers it once per report."""

__all__ = []  # a namespace: import its modules (lakin.rules.revenue, ...)
