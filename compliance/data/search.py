"""Search while typing: the products full-text index that the data build writes.

``products_fts`` is an FTS5 index with the trigram tokenizer over each product's names (brand,
brand names in other scripts, product names) and codes (model numbers, aliases, folded keys), so
that a partial word ("powerc"), any order and CJK names ("罗马仕") are found. Words shorter than
three characters cannot be searched by trigrams; brand names in CJK are mapped to the brand
first (see :func:`compliance.core.identify.search_terms`).
"""

import json
import sqlite3
import threading

#: Most rows the index returns before ranking in Python.
_CANDIDATES = 60
#: Most matching rows ranked (bm25) per query, in index order: recalls first, then the
#: catalogue as data/models.json lists it. Ranking every match of a short, common fragment
#: ("pow", "ank") over 50,000 models took 10 ms at p99; the first 500 matches keep the
#: request's p99 near 5 ms (./run bench). Below 500 products (the real data has about 330)
#: every match is ranked.
_SCANNED = 500


class ProductSearch:
    """Read-only queries on one database file, one connection per thread."""

    def __init__(self, uri: str):
        self.uri = uri
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = sqlite3.connect(self.uri, uri=True,
                                                      check_same_thread=False)
        return conn

    def products(self, terms: list[str], limit: int = _CANDIDATES) -> list[dict]:
        """Products whose names or codes contain every term, best ranked first (bm25, names
        weighted over codes)."""
        terms = [t for t in terms if len(t) >= 3]
        if not terms:
            return []
        match = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
        rows = self._connection().execute(
            "select p.model_key, p.model, p.brand, p.product, p.kind, p.recall_ids, p.mah, p.wh"
            " from (select rowid, bm25(products_fts, 2.0, 1.0) as score from products_fts"
            "       where products_fts match ? limit ?) as hits"
            " join products p on p.rowid = hits.rowid order by hits.score limit ?",
            (match, _SCANNED, limit),
        ).fetchall()
        return [
            {"model_key": key, "model": model, "brand": brand, "product": product,
             "kind": kind, "recall_ids": json.loads(recall_ids), "mah": mah, "wh": wh}
            for key, model, brand, product, kind, recall_ids, mah, wh in rows
        ]
