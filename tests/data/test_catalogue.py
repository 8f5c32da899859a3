"""The model catalogue (data/models.json) through the real build and the public API.

Issue 10 asks for at least 300 real models; the third pass reached 310 (see data/README.md,
"Model record"). ``CATALOGUE_FLOOR`` is what the file holds today and must never shrink.
"""

import json
import sqlite3

import pytest

from compliance.core.normalize import fold, normalize_model
from compliance.data.build import brand_keys, load_sources
from tests.helpers import DATA_DIR

#: The models the catalogue holds today; lowering it means records were lost.
CATALOGUE_FLOOR = 310
#: The target of issue 10.
CATALOGUE_TARGET = 300
#: The best sellers issue 10 names; each must have at least one model (brand names compared
#: case-insensitively, as the catalogue spells them: "UGREEN", "CUKTECH", "mophie").
BEST_SELLER_BRANDS = ["Anker", "Xiaomi", "Baseus", "Ugreen", "Belkin", "INIU", "Romoss", "Samsung",
                      "Apple", "Sharge", "EcoFlow", "Cuktech", "Nitecore", "Mophie", "Zendure"]


@pytest.fixture(scope="module")
def records():
    return json.loads((DATA_DIR / "models.json").read_text(encoding="utf-8"))


def test_the_build_keeps_every_record_under_its_own_key(built_db, records):
    """Two records with the same model key would silently replace each other in the build."""
    with sqlite3.connect(built_db) as conn:
        built = conn.execute("select count(*) from models").fetchone()[0]
    assert built == len(records) >= CATALOGUE_FLOOR
    keys = brand_keys(load_sources(DATA_DIR))
    folded = [normalize_model(r["model"], keys) for r in records]
    assert len(set(folded)) == len(folded)


def test_the_catalogue_reaches_the_issue_10_target(records):
    assert len(records) >= CATALOGUE_TARGET


@pytest.mark.parametrize("brand", BEST_SELLER_BRANDS)
def test_each_best_seller_brand_has_models(brand, records):
    assert any(r["brand"].casefold() == brand.casefold() for r in records), brand


def test_every_record_has_a_source_and_a_capacity(records):
    for record in records:
        where = f"{record['brand']} {record['model']}"
        assert record["source_url"].startswith(("https://", "http://")), where
        assert record["source_kind"] in {"official", "government_news", "news", "other"}, where
        assert record["mah"] or record["wh"], where
        if record["confidence"] == "verified":
            # Verified means the maker's own text was read, and the record quotes it.
            assert record["source_kind"] == "official" and record.get("quote"), where


def test_figures_agree_where_the_source_gives_all_three(records):
    for record in records:
        if record["mah"] and record["v"] and record["wh"]:
            assert record["mah"] * record["v"] / 1000 == pytest.approx(record["wh"], rel=0.02), (
                record["model"])


def _typed(record):
    """How a person types it: brand first, lower case, spaces instead of hyphens (also where
    the model itself starts with the brand's letters: "sharge shargeek 170")."""
    return f"{record['brand']} {record['model']}".lower().replace("-", " ")


def test_the_models_api_finds_every_catalogue_model_as_typed(client, records):
    for record in records:
        body = client.get("/api/v1/models", query_string={"q": _typed(record), "limit": 50})
        assert body.status_code == 200
        found = {fold(m) for i in body.get_json()["items"] for m in i["models"]}
        assert fold(record["model"]) in found, _typed(record)


@pytest.mark.parametrize("typed, product", [
    ("apple magsafe battery pack", "Apple MagSafe Battery Pack (iPhone 12 and later)"),
    ("shargeek 170", "Sharge Shargeek 170 power bank 24,000mAh 170W"),
    ("Mophie Powerstation XL (2023)", "mophie powerstation XL (2023)"),
    ("ROMOSS SE10+", "ROMOSS SE10+ 10000mAh quick-charge power bank"),
])
def test_suggestions_by_product_designation(client, typed, product):
    items = client.get("/api/v1/models", query_string={"q": typed}).get_json()["items"]
    assert product in {i["product"] for i in items if i["source"] == "catalogue"}


def test_a_check_by_model_takes_the_catalogue_capacity_at_its_own_voltage(client):
    """Apple's pack is two cells in series (7.62 V): a 3.7 V assumption would halve its Wh."""
    body = client.get("/api/v1/check", query_string={"brand": "Apple",
                                                     "model": "MagSafe Battery Pack"}).get_json()
    device = body["device"]
    assert device["wh_source"] == "catalogue"
    assert (device["wh"], device["mah"], device["v"]) == (11.13, 1460, 7.62)


def test_a_check_by_a_catalogue_model_number_uses_its_rated_wh(client):
    body = client.get("/api/v1/check", query_string={"model": "ugreen pb722"}).get_json()
    assert body["device"]["wh_source"] == "catalogue"
    assert body["device"]["wh"] == 92.5
