"""The rules: frameworks, scoring, revenue and budget. They return data only."""
