"""The evaluation against the real data: thresholds, dates, counts, recalls, scope."""

from datetime import date

import pytest

from compliance.core.engine import applicable_rules, describe_route, evaluate
from compliance.core.model import Device, Trip
from compliance.core.normalize import normalize_model
from compliance.core.vocabulary import Verdict

AFTER_ADDENDUM = date(2026, 11, 25)
BEFORE_ADDENDUM = date(2026, 3, 26)


def check(dataset, when=AFTER_ADDENDUM, airline=None, origin=None, destination=None, **device):
    trip = Trip(date=when, airline=airline, origin=origin, destination=destination)
    return evaluate(Device(**device), trip, dataset)


def rule_ids(answer):
    return [r["rule_id"] for r in answer.reasons if r["rule_id"]]


@pytest.mark.parametrize(
    "wh, verdict",
    [
        (10, Verdict.ALLOWED),
        (99.99, Verdict.ALLOWED),
        (100, Verdict.ALLOWED),
        (100.01, Verdict.APPROVAL_REQUIRED),
        (159.99, Verdict.APPROVAL_REQUIRED),
        (160, Verdict.APPROVAL_REQUIRED),
        (160.01, Verdict.FORBIDDEN),
        (500, Verdict.FORBIDDEN),
    ],
)
def test_icao_thresholds_without_a_route(dataset, wh, verdict):
    answer = check(dataset, wh=wh)
    assert answer.verdict == verdict
    assert rule_ids(answer) == ["icao-ti-2026-addendum-1"]


def test_approval_band_adds_the_airline_approval_condition(dataset):
    codes = [c["code"] for c in check(dataset, wh=120).conditions]
    assert "airline_approval" in codes
    assert "airline_approval" not in [c["code"] for c in check(dataset, wh=90).conditions]


def test_icao_addendum_applies_from_27_march_2026(dataset):
    before = check(dataset, when=BEFORE_ADDENDUM, wh=50, count=3)
    after = check(dataset, when=date(2026, 3, 27), wh=50, count=3)
    assert before.verdict == Verdict.ALLOWED
    assert rule_ids(before) == ["icao-ti-2025-2026"]
    assert after.verdict == Verdict.FORBIDDEN
    assert rule_ids(after) == ["icao-ti-2026-addendum-1"]
    assert "no_inflight_charging" not in [c["code"] for c in before.conditions]


def test_counts_combine_to_the_smallest_limit(dataset):
    answer = check(dataset, airline="EK", origin="DXB", destination="LHR", wh=50)
    limits = [c for c in answer.conditions if c["code"] == "max_count"]
    assert len(limits) == 1
    assert limits[0]["limit"] == 1 and limits[0]["issuer"] == "Emirates"
    assert check(dataset, airline="EK", origin="DXB", destination="LHR", wh=50,
                 count=2).verdict == Verdict.FORBIDDEN


def test_approval_band_count_limit(dataset):
    assert check(dataset, when=BEFORE_ADDENDUM, wh=150, count=2).verdict == (
        Verdict.APPROVAL_REQUIRED)
    assert check(dataset, when=BEFORE_ADDENDUM, wh=150, count=3).verdict == Verdict.FORBIDDEN


@pytest.mark.parametrize(
    "airline, origin, destination, before, after, effective",
    [
        ("EK", "DXB", "LHR", date(2025, 9, 30), date(2025, 10, 1), "airline-ek-2025-10"),
        ("SQ", "SIN", "NRT", date(2025, 3, 31), date(2025, 4, 1), "airline-sq-2025-04"),
        ("LH", "FRA", "JFK", date(2026, 1, 14), date(2026, 1, 15), "airline-lh-2026-01"),
        ("KE", "ICN", "LAX", date(2026, 1, 25), date(2026, 1, 26), "airline-ke-2026-01"),
    ],
)
def test_airline_rules_apply_from_their_effective_date(
    dataset, airline, origin, destination, before, after, effective
):
    answer_before = check(dataset, before, airline, origin, destination, wh=50)
    answer_after = check(dataset, after, airline, origin, destination, wh=50)
    assert effective not in rule_ids(answer_before)
    assert effective in rule_ids(answer_after)
    assert "no_inflight_use" in [c["code"] for c in answer_after.conditions]


def test_emirates_forbids_above_100_wh_even_with_approval(dataset):
    answer = check(dataset, airline="EK", origin="DXB", destination="LHR", wh=120)
    assert answer.verdict == Verdict.FORBIDDEN
    ek = next(r for r in answer.reasons if r["issuer"] == "Emirates")
    assert ek["verdict"] == "forbidden" and "100 Wh" in ek["text"]
    before = check(dataset, date(2025, 9, 1), "EK", "DXB", "LHR", wh=120)
    assert before.verdict == Verdict.APPROVAL_REQUIRED


def test_domestic_china_needs_the_ccc_mark(dataset):
    trip = dict(when=date(2025, 7, 1), origin="PVG", destination="PEK")
    unknown = check(dataset, wh=74, **trip)
    assert unknown.verdict == Verdict.NEED_MORE_INFO
    assert unknown.missing == ["ccc"]
    assert check(dataset, wh=74, ccc=False, **trip).verdict == Verdict.FORBIDDEN
    marked = check(dataset, wh=74, ccc=True, **trip)
    assert marked.verdict == Verdict.ALLOWED
    assert "ccc_mark_required" in [c["code"] for c in marked.conditions]


def test_ccc_rule_starts_28_june_2025_and_only_for_domestic_flights(dataset):
    assert check(dataset, date(2025, 6, 27), origin="PVG", destination="PEK", wh=74,
                 ccc=False).verdict == Verdict.ALLOWED
    international = check(dataset, date(2025, 7, 1), origin="PVG", destination="NRT", wh=74,
                          ccc=False)
    assert international.verdict == Verdict.ALLOWED
    assert "caac-2025-ccc" not in rule_ids(international)
    assert "caac-2014-notice" in rule_ids(international)


def test_us_domestic_gets_the_faa_rule_and_the_later_icao_count(dataset):
    """No stored source says the US keeps the ICAO 2026 addendum off its domestic flights, and
    the FAA and TSA records predate it: the addendum's cap of 2 applies too (strictest wins)."""
    route = describe_route(Trip(date=AFTER_ADDENDUM, origin="JFK", destination="LAX"), dataset)
    assert route["kind"] == "domestic"
    answer = check(dataset, origin="JFK", destination="LAX", wh=50, count=3)
    assert "faa-packsafe" in rule_ids(answer)
    assert "icao-ti-2026-addendum-1" in rule_ids(answer)
    assert answer.verdict == Verdict.FORBIDDEN
    before = check(dataset, when=BEFORE_ADDENDUM, origin="JFK", destination="LAX", wh=50, count=3)
    assert "icao-ti-2025-2026" not in rule_ids(before)
    assert before.verdict == Verdict.ALLOWED


def test_international_trip_gets_baseline_and_departure_authority(dataset):
    trip = Trip(date=AFTER_ADDENDUM, origin="JFK", destination="LHR")
    ids = [r["rule_id"] for r in applicable_rules(trip, describe_route(trip, dataset), dataset)]
    assert "icao-ti-2026-addendum-1" in ids and "faa-packsafe" in ids


def test_newest_version_of_a_series_replaces_the_older(dataset):
    answer = check(dataset, when=AFTER_ADDENDUM, wh=50)
    assert "icao-ti-2025-2026" not in rule_ids(answer)


def test_missing_capacity_asks_for_it(dataset):
    answer = check(dataset)
    assert answer.verdict == Verdict.NEED_MORE_INFO
    assert answer.missing == ["wh"]


def test_mah_uses_the_assumed_voltage_and_says_so(dataset):
    answer = check(dataset, mah=20000)
    assert answer.device["wh"] == 74.0
    assert answer.device["wh_source"] == "mah_assumed_voltage"
    assert any("3.7 V" in a and "5 V" in a for a in answer.device["assumptions"])


def test_mah_with_voltage_is_exact(dataset):
    answer = check(dataset, mah=26800, v=3.85)
    assert answer.device["wh"] == 103.18
    assert answer.verdict == Verdict.APPROVAL_REQUIRED
    assert answer.device["wh_source"] == "mah_and_voltage"


def test_verdict_that_depends_on_the_voltage_is_flagged(dataset):
    sensitive = check(dataset, mah=27000)
    assert sensitive.verdict == Verdict.ALLOWED
    # A notice next to the verdict (not an assumption further down), in words, not codes.
    [notice] = [n for n in sensitive.notices if n["code"] == "assumed_voltage_borderline"]
    assert notice["v"] == 3.85 and notice["verdict"] == "approval_required"
    assert "3.85 V" in notice["text"] and "AIRLINE APPROVAL NEEDED" in notice["text"]
    assert "approval_required" not in notice["text"]
    plain = check(dataset, mah=10000)
    assert not any(n["code"] == "assumed_voltage_borderline" for n in plain.notices)


def test_model_wide_recall_forbids(dataset):
    answer = check(dataset, model="A1366", wh=74)
    assert answer.verdict == Verdict.FORBIDDEN
    assert answer.recall["status"] == "recalled"
    assert answer.reasons[0]["scope"] == "recall"
    assert answer.conditions == []


def test_serial_scoped_recall_never_answers_allowed(dataset):
    answer = check(dataset, model="A1263", wh=37)
    assert answer.verdict == Verdict.NEED_MORE_INFO
    assert answer.recall["status"] == "check_serial"
    assert answer.missing == ["serial"]
    assert {m["recall_id"] for m in answer.recall["matches"]} >= {"cpsc-2025-06-anker-a1263"}


def test_serial_patterns_decide_when_the_recall_defines_them(dataset):
    # Belkin BPB002: only serials beginning 35S (CPSC 2025). (BPD005 no longer fits here: its
    # Japanese, ACCC and OPSS notices recall every unit, only the US one is limited to 57V.)
    hit = check(dataset, model="BPB002", serial="35S-1234-XYZ", wh=37)
    assert hit.verdict == Verdict.FORBIDDEN and hit.recall["status"] == "recalled"
    miss = check(dataset, model="BPB002", serial="12A1234", wh=37)
    assert miss.recall["status"] == "not_listed"
    assert miss.verdict == Verdict.ALLOWED
    unknown = check(dataset, model="BPB002", wh=37)
    assert unknown.verdict == Verdict.NEED_MORE_INFO


@pytest.mark.parametrize(
    "typed", ["A1263", "a1263", "A-1263", "A 1263", "a.12.63", "Anker A1263", "ANKER-a1263",
              "Ａ１２６３", "anker　Ａ１２６３"],
)
def test_model_numbers_match_as_people_type_them(dataset, typed):
    assert normalize_model(typed, dataset.brands) == "A1263"
    assert check(dataset, model=typed, wh=37).recall["status"] == "check_serial"


@pytest.mark.parametrize("other", ["A12630", "A126", "A1264", "1263", "B1263"])
def test_a_different_model_number_never_matches(dataset, other):
    answer = check(dataset, model=other, wh=37)
    assert answer.recall["status"] == "not_listed"
    assert answer.verdict == Verdict.ALLOWED


def test_catalogue_gives_capacity_for_a_known_model(dataset):
    answer = check(dataset, model="PB2030MI")
    assert answer.device["wh_source"] == "catalogue"
    assert answer.device["wh"] is not None


def test_unlabelled_is_refused_where_a_label_is_required(dataset):
    answer = check(dataset, airline="EK", origin="DXB", destination="LHR", unlabelled=True)
    assert answer.verdict == Verdict.FORBIDDEN
    assert any("not marked" in r["text"] for r in answer.reasons)
    assert any("label is missing" in a for a in answer.device["assumptions"])


def test_every_reason_cites_a_source(dataset):
    answer = check(dataset, model="A1647", airline="KE", origin="ICN", destination="NRT", wh=74)
    assert answer.reasons
    for reason in answer.reasons:
        assert reason["source_url"].startswith("http")
        assert reason["issuer"] and reason["text"] and reason["checked"]


def test_the_evaluation_is_pure(dataset):
    first = check(dataset, model="A1647", airline="LH", origin="FRA", destination="PEK", wh=74)
    second = check(dataset, model="A1647", airline="LH", origin="FRA", destination="PEK", wh=74)
    assert first.to_dict() == second.to_dict()


def test_catalogue_figures_only_describe_a_catalogue_capacity(dataset):
    from_label = check(dataset, model="PB2030MI", wh=74)
    assert from_label.device["wh_source"] == "label_wh" and from_label.device["mah"] is None
    from_catalogue = check(dataset, model="PB2030MI")
    assert from_catalogue.device["wh_source"] == "catalogue"
    assert from_catalogue.device["mah"] == dataset.catalogue["PB2030MI"]["mah"]
