"""The golden set: fixed checks whose verdicts must not change without someone noticing.

Each case in tests/golden/*.json (``checks.json`` and one file per topic) gives API inputs, the expected verdict and the rule or
recall that justifies it. A data edit that flips one of these verdicts fails here; if the flip
is intended, update the case (and its "why") in the same change, so the review shows it.
"""

import json
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).parent / "golden"
CASES = [case for path in sorted(GOLDEN_DIR.glob("*.json"))
         for case in json.loads(path.read_text(encoding="utf-8"))["checks"]]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_verdict(client, case):
    response = client.get("/api/v1/check", query_string=case["input"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["verdict"] == case["expected"], f"{case['id']}: {case['why']}"
    if "recall_status" in case:
        assert body["recall"]["status"] == case["recall_status"], case["id"]
    if "rule_id" in case:
        verdicts = {r["rule_id"]: r["verdict"] for r in body["reasons"] if r["rule_id"]}
        assert case["rule_id"] in verdicts, f"{case['rule_id']} no longer applies"
        assert verdicts[case["rule_id"]] == case["expected"]
    else:
        assert case["recall_id"] in [m["recall_id"] for m in body["recall"]["matches"]]


def test_golden_set_is_well_formed(dataset):
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)) >= 40
    rule_ids = {r["rule_id"] for r in dataset.rules}
    recall_ids = {r["recall_id"] for r in dataset.recalls}
    for case in CASES:
        assert ("rule_id" in case) != ("recall_id" in case), case["id"]
        assert case.get("rule_id", "") in rule_ids | {""}, case["id"]
        assert case.get("recall_id", "") in recall_ids | {""}, case["id"]
        assert case["input"]["date"], "a golden check must not depend on today's date"
        assert case["why"].strip()


def test_golden_set_covers_every_kind_of_decision(dataset):
    verdicts = {c["expected"] for c in CASES}
    assert verdicts == {"allowed", "approval_required", "need_more_info", "forbidden"}
    scopes = {r["rule_id"]: r["scope"] for r in dataset.rules}
    recalls = {r["recall_id"]: r["scope"] for r in dataset.recalls}
    justified = {scopes[c["rule_id"]] for c in CASES if "rule_id" in c}
    assert justified == {"international", "authority", "airline"}
    assert {recalls[c["recall_id"]] for c in CASES if "recall_id" in c} >= {"model", "serial",
                                                                               "date_code"}
    assert any(c["input"].get("unlabelled") == "true" for c in CASES)
    assert any(c["input"].get("ccc") == "false" for c in CASES)
