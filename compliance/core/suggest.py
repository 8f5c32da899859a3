"""Suggestions while typing a model: ``GET /api/v1/models?q=``, the traveller form and /scan.

Two searches, each giving one row per product: when what was typed looks like the start of a
model number, the model numbers that start with it (the sorted model index: "anker a-126"
finds A1263); otherwise, or when none does, products whose names or codes contain every word
typed, in any order and script (the trigram full-text index of the data build:
"anker powercore", "xiaomi 20000", "小米 充电宝"). A product that several notices list, or that
has several model numbers, is one row; a recalled one says so with the check's own status word.
"""

from bisect import bisect_left

from .identify import recall_status_of, search_terms, significant_words
from .model import Dataset
from .normalize import fold, normalize_model


def suggest(query: str, data: Dataset, limit: int = 10) -> tuple[str, list[dict]]:
    """The normalised key of ``query`` and up to ``limit`` products for it, best first."""
    key = normalize_model(query, data.brands)
    rows: dict[tuple, dict] = {}
    by_model: dict[tuple, dict] = {}
    if _starts_a_code(key):
        index = data.model_index
        for position in range(bisect_left(index, (key,)), len(index)):
            model_key, model, brand, product, source = index[position]
            if not model_key.startswith(key):
                break
            _add(rows, by_model, data, model_key, model, brand, product, source, "model")
            if len(rows) > limit:
                break
    if not rows:
        found = data.search.products(search_terms(query, data.names))
        # The product whose name has the fewest words beyond those typed first ("anker
        # powercore 10000" is the PowerCore 10000 before the PowerCore 10000 PD Redux), then
        # among equals the products on a recall list (what the check exists to catch: "anker
        # powercore" shows the recalled PowerCore 10000 before the PowerCore 13000), then the
        # index's own rank (bm25).
        typed = significant_words(query, data.names)
        found.sort(key=lambda p: (len(_product_words(p["brand"], p["product"], data) - typed),
                                  p["kind"] != "recall"))
        for product in found:
            _add(rows, by_model, data, product["model_key"], product["model"], product["brand"],
                 product["product"], product["kind"], "name")
    items = list(rows.values())[:limit]
    for item in items:
        recalls = item.pop("_recalls")
        item["recall_status"] = recall_status_of(recalls)
        if recalls:
            item["source"] = "recall"
            item["agencies"] = sorted({r["agency"] for r in recalls})
    return key, items


#: Products whose words are kept per dataset: the same products come up for many queries;
#: bounded so that a large catalogue cannot grow it without limit.
_WORDS_MEMO_SIZE = 8192


def _product_words(brand: str, product: str, data: Dataset) -> set[str]:
    """The significant words of a product's brand and name (see the sort in :func:`suggest`)."""
    return data.remembered(
        "product_words", (brand, product),
        lambda: frozenset(significant_words(f"{brand} {product}", data.names)),
        _WORDS_MEMO_SIZE)


def _starts_a_code(key: str) -> bool:
    """Letters and digits ("A12", "PAC20"), or one or two characters: the start of a model
    number. Digits alone ("xiaomi 20000") are a capacity, and a word ("powercore") a name."""
    return bool(key) and (len(key) <= 2 or (not key.isdigit() and not key.isalpha()))


def _add(rows: dict, by_model: dict, data: Dataset, model_key: str, model: str, brand: str,
         product: str, source: str, match: str) -> None:
    """One row per product: the same brand and product name with another model number, or the
    same brand and model number under another notice's wording ("Anker PowerCore 10000" and
    "Anker PowerCore 10000 power bank", both A1263), joins the row already there."""
    product_key, model_of_brand = (fold(brand), fold(product)), (fold(brand), model_key)
    row = rows.get(product_key) or by_model.get(model_of_brand)
    if row is None:
        row = rows[product_key] = by_model[model_of_brand] = {
            "model": model, "model_key": model_key, "brand": brand, "product": product,
            "source": source, "models": [], "recall_status": None, "agencies": [],
            "match": match, "mah": None, "wh": None, "_recalls": [],
        }
    by_model.setdefault(model_of_brand, row)
    if model not in row["models"]:
        row["models"].append(model)
    for recall in data.recalls_by_model.get(model_key, []) + data.recall_aliases.get(model_key,
                                                                                     []):
        if recall not in row["_recalls"]:
            row["_recalls"].append(recall)
    catalogue = data.catalogue.get(model_key)
    if catalogue is not None and row["mah"] is None and row["wh"] is None:
        row["mah"], row["wh"] = catalogue["mah"], catalogue["wh_rated"]
