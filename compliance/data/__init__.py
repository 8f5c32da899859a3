"""The data: readable files under ``data/`` -> a validated, atomically built SQLite database ->
the in-memory :class:`~compliance.core.model.Dataset` the core reads; the agency importers and
``flask data ...``."""
