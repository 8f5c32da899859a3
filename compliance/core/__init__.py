"""The decision, in plain Python: what was typed, what it is, and may it fly.

No Flask, no SQLite: functions from (device, trip, date, data in memory) to an answer made of
codes and parameters. Every interface (pages, API, widget, CLI, result tokens) calls
:func:`compliance.core.engine.evaluate` through :mod:`compliance.results`.
"""
