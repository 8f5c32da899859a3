"""Identification as people type: names, codes inside text, look-alike letters, CJK scripts.

The golden set (tests/golden/identification.json) holds the justified cases; these tests hold
the rules around them, through the real API and the real data build.
"""

import json
import re

import pytest

from compliance.core.identify import distinctive, name_entry
from compliance.core.normalize import fold, name_words
from compliance.data.build import DataError, build_database


def check(client, **params):
    return client.get("/api/v1/check", query_string={"date": "2026-11-20", **params})


def names_of(recall: dict) -> list[str]:
    """Every way the notice names the product: the whole name and each listed product."""
    product = recall["product"]
    names = [product] if len(product) <= 200 else []
    parts = re.split(r";(?![^()]*\))", product)
    names += [part.strip() for part in parts]
    names += [re.sub(r"\([^)]*\)", " ", part).strip() for part in parts]
    return [n for n in dict.fromkeys(names) if n and len(n) <= 200]


def test_no_recalled_product_named_by_its_notice_is_allowed(client, dataset):
    """Walk every recall's product names, model numbers and aliases, typed in the model box
    alone and with the brand in the brand box: none may pass. (A name made only of generic
    words and a capacity, such as Korea's "보조배터리 (power bank)", names nothing without its
    brand: the same rule as identification's.)"""
    allowed = []
    tried = 0
    for recall in dataset.recalls:
        for typed in [*names_of(recall), *recall["models"], *recall["aliases"]]:
            variants = name_entry("", typed, dataset.names).variants
            alone = any(distinctive(v) for v in variants) or typed in recall["models"]
            tries = [{"model": typed, "brand": recall["brand"]},
                     {"model": typed, "brand": recall["brand"], "wh": "37"}]
            if alone:
                tries += [{"model": typed}, {"model": typed, "wh": "37"}]
            for params in tries:
                body = check(client, **params).get_json()
                tried += 1
                if body["verdict"] == "allowed" or body["recall"]["status"] in (
                        "not_listed", "not_checked"):
                    allowed.append((recall["recall_id"], typed, body["verdict"]))
    assert tried > 4 * len(dataset.recalls)
    assert not allowed, allowed


def test_a_name_is_a_possible_match_that_asks_for_the_model(client):
    body = check(client, model="Anker PowerCore 10000", mah="10000", airline="EK",
                 origin="DXB", destination="LHR").get_json()
    assert body["verdict"] == "need_more_info"
    assert body["recall"]["status"] == "possible_match"
    assert "model" in body["missing"]
    first = body["recall"]["matches"][0]
    assert first["match"] == "name" and "A1263" in first["models"]
    assert all(m["status"] == "possible_match" for m in body["recall"]["matches"])
    assert "A1263" in body["headline"] and "check the model number" in body["headline"]
    assert body["device"]["identified_as"] is None or body["device"]["identified_as"][
        "match"] == "name"


def test_the_signed_result_of_a_possible_match_stays_one_for_staff(client):
    body = check(client, model="Casely Power Pods", wh="19").get_json()
    token = body["result_url"].rsplit("/", 1)[1]
    staff = client.get(f"/api/v1/results/{token}").get_json()
    assert staff["recall"]["status"] == "possible_match"
    assert staff["verdict"] == "need_more_info" and not staff["changed"]


def test_a_model_number_inside_text_is_the_model(client):
    body = check(client, model="Anker PowerCore 10000 (A1263)").get_json()
    assert body["recall"]["status"] == "check_serial"
    assert body["device"]["identified_as"]["model"] == "A1263"
    assert body["device"]["identified_as"]["match"] == "model"
    assert {m["match"] for m in body["recall"]["matches"]} == {"model"}


@pytest.mark.parametrize("typed", ["\u04101647", "\u0391\u0031\u0036\u0034\u0037",
                                   "\uff21\uff11\uff16\uff14\uff17", "a-1647"])
def test_look_alike_letters_are_the_letters_they_imitate(client, typed):
    body = check(client, model=typed).get_json()
    assert body["recall"]["status"] == "recalled", typed
    assert body["device"]["identified_as"]["model"] == "A1647"


def test_ascii_is_never_folded_into_another_model_number():
    assert fold("A1263") == "A1263" and fold("AO1") == "AO1" and fold("A01") == "A01"
    assert fold("Al263") == "AL263"  # a lower-case L stays an L: A1263 is another model
    assert fold("\u0410\u0412\u0421") == "ABC"


@pytest.mark.parametrize("field", ["model", "brand", "serial"])
@pytest.mark.parametrize("hostile", ["\u202e7461A", "A16\u200f47", "\u2066A1647\u2069"])
def test_bidi_controls_are_refused_naming_the_field(client, field, hostile):
    response = check(client, **{field: hostile})
    assert response.status_code == 400
    problem = response.get_json()
    assert problem["param"] == field and "bidirectional" in problem["detail"]
    page = client.get("/check", query_string={field: hostile, "date": "2027-03-01"})
    assert page.status_code == 400 and b"bidirectional" in page.data


def test_no_model_is_not_checked_and_says_so(client):
    body = check(client, wh="37").get_json()
    assert body["verdict"] == "allowed"
    assert body["recall"]["status"] == "not_checked"
    assert "recall_not_checked" in [n["code"] for n in body["notices"]]
    assert "Not checked against recalls" in body["headline"]
    page = client.get("/check", query_string={"wh": "37", "date": "2027-03-01"})
    assert b"Not checked against recalls: no model number given." in page.data


def test_an_unknown_code_is_not_listed_with_what_was_checked(client, dataset):
    body = check(client, model="ZX-90210", wh="37").get_json()
    assert body["recall"]["status"] == "not_listed"
    assert body["verdict"] == "allowed"
    coverage = body["recall"]["checked_against"]
    assert coverage["recalls"] == len(dataset.recalls)
    assert coverage["agencies"] == len({r["agency"] for r in dataset.recalls})
    assert coverage["newest"] == max(r["date"] for r in dataset.recalls if r["date"])


def test_an_unknown_code_next_to_a_brand_with_recalls_is_only_the_code(client):
    """A model number we do not know is an answer in itself; a brand beside it is no match."""
    body = check(client, model="Anker ZX-90210", wh="37").get_json()
    assert body["recall"]["status"] == "not_listed"
    strong = check(client, model="Anker PowerCore 10000 ZX-90210", wh="37").get_json()
    assert strong["recall"]["status"] == "possible_match"


def test_a_capacity_word_is_never_taken_for_a_model_number(client):
    body = check(client, model="Anker 20K 22.5W", wh="37").get_json()
    assert body["device"]["identified_as"] is None or body["device"]["identified_as"][
        "match"] != "model"


def test_name_words_read_capacities_as_people_write_them():
    assert name_words("Anker PowerCore 10,000mAh") == ["anker", "powercore", "10000", "mah"]
    assert name_words("INIU 10.000 mAh") == ["iniu", "10000", "mah"]
    assert name_words("罗马仕 充电宝") == ["罗马仕", "充电宝"]
    assert name_words("A1263") == ["a1263"]


# --- Suggestions by name ----------------------------------------------------------------------


def suggestions(client, query, limit=10):
    response = client.get("/api/v1/models", query_string={"q": query, "limit": limit})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


@pytest.mark.parametrize("query, model", [
    ("anker powercore 10000", "A1263"),
    ("PowerCore 10000 anker", "A1263"),
    ("belkin boostcharge", None),
    ("casely", "E33A"),
    ("varmfront", "E2038"),
    ("anker a-126", "A1263"),
    ("罗马仕", None),
])
def test_suggestions_find_products_by_name(client, query, model):
    items = suggestions(client, query)
    assert items, query
    if model:
        assert model in items[0]["models"], (query, items[0])
    words = [w for w in name_words(query) if len(w) >= 3]
    assert all(any(w in fold(" ".join([i["brand"], i["product"], *i["models"]])).lower()
                   or w in ("罗马仕",) for w in words) for i in items)


@pytest.mark.parametrize("query, brand", [("xiaomi 20000", "Xiaomi"), ("小米 充电宝", "Xiaomi"),
                                          ("belkin boostcharge", "Belkin")])
def test_suggestions_by_brand_in_any_script(client, query, brand):
    items = suggestions(client, query)
    assert items and all(i["brand"] == brand for i in items)


def test_suggestions_are_one_row_per_product_with_the_recall_status(client):
    items = suggestions(client, "anker powercore", limit=20)
    products = [(fold(i["brand"]), fold(i["product"])) for i in items]
    assert len(products) == len(set(products))
    a1263 = next(i for i in items if "A1263" in i["models"])
    assert a1263["recall_status"] == "check_serial" and a1263["source"] == "recall"
    assert "CPSC" in a1263["agencies"]
    assert any(i["recall_status"] == "recalled" for i in items)


def test_suggestions_name_nothing_for_nonsense(client):
    assert suggestions(client, "qqqzzz") == []


# --- The data behind it -----------------------------------------------------------------------


def test_the_aliases_file_is_validated_naming_the_field(data_copy, tmp_path):
    path = data_copy / "aliases.json"
    aliases = json.loads(path.read_text())
    aliases["brands"][0]["names"] = []
    path.write_text(json.dumps(aliases))
    with pytest.raises(DataError) as error:
        build_database(data_copy, tmp_path / "db.sqlite")
    assert "data/aliases.json: field 'brands.0.names'" in str(error.value)


def test_a_recall_alias_identifies_the_model(data_copy, tmp_path, dataset):
    from datetime import date

    from compliance.core.engine import evaluate
    from compliance.core.model import Device, Trip
    from compliance.data.dataset import load_dataset

    recalls = json.loads((data_copy / "recalls.json").read_text())
    recall = next(r for r in recalls if r["recall_id"] == "cpsc-2023-03-anker-535-a1366")
    recall["aliases"] = ["A1366-TYPO9"]
    (data_copy / "recalls.json").write_text(json.dumps(recalls))
    build_database(data_copy, tmp_path / "db.sqlite")
    data = load_dataset(tmp_path / "db.sqlite")
    answer = evaluate(Device(model="a1366 typo9"), Trip(date(2026, 11, 20)), data)
    assert answer.recall["status"] == "recalled"
    assert answer.recall["matches"][0]["match"] == "alias"
    assert answer.device["identified_as"]["match"] == "alias"


def test_ascii_input_takes_the_shortcut_with_the_same_result():
    """unconfuse() returns ASCII text as it is: the look-alike table maps no ASCII character
    and NFKC leaves ASCII alone, so the shortcut gives what the two passes would."""
    import string
    import unicodedata

    from compliance.core import normalize

    assert not any(code < 128 for code in normalize._LOOKALIKES)
    for text in (string.printable, "Anker PowerCore 10000 (A1263)", "O0Il1|", ""):
        assert normalize.unconfuse(text) == unicodedata.normalize("NFKC", text).translate(
            normalize._LOOKALIKES)
    assert normalize.unconfuse("А1647") == "A1647"  # Cyrillic А still folds
