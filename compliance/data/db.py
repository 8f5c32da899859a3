"""Access to the built database: build it when missing or stale, then serve it from memory."""

from pathlib import Path

from flask import Flask, current_app, g
from werkzeug.exceptions import ServiceUnavailable

from compliance.core.model import Dataset

from .build import DataError, build_database, source_hash
from .dataset import DatasetCache


def init_app(app: Flask) -> None:
    """Build the database on first start, or when the data files changed.

    If the data files are invalid, the existing database keeps serving and the problems are
    logged; ``flask data build`` prints them. Without any database the app answers 503.
    """
    db_path = Path(app.config["DATABASE"])
    data_dir = Path(app.config["DATA_DIR"])
    if app.config["DATA_AUTO_BUILD"] and _stale(db_path, data_dir):
        try:
            build_database(data_dir, db_path)
        except DataError as error:
            app.logger.error(
                "data files invalid, %s:\n%s",
                "keeping the existing database" if db_path.exists() else "no database to serve",
                error,
            )
    app.extensions["dataset"] = DatasetCache(db_path)


def _stale(db_path: Path, data_dir: Path) -> bool:
    """Missing, unreadable, or built from other data files than those on disk now."""
    if not db_path.exists():
        return True
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{db_path.resolve()}?mode=ro", uri=True)
        try:
            row = conn.execute("select value from meta where key = 'source_hash'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return True
    return row is None or row[0] != source_hash(data_dir)


def get_dataset() -> Dataset:
    """The dataset this request reads: the same one for the whole request, even if a rebuild
    lands half way through it."""
    if "dataset" in g:
        return g.dataset
    try:
        g.dataset = current_app.extensions["dataset"].get()
        return g.dataset
    except FileNotFoundError:
        raise ServiceUnavailable(
            "The database has not been built: run 'flask --app app data build' and fix the "
            "problems it lists."
        ) from None
