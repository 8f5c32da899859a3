"""`flask data diff OLD NEW`: record changes and the sample checks whose verdicts flip."""

import json
import shutil

from compliance.data.build import build_database

from tests.helpers import GOLDEN_DIR, edit_json

GOLDEN = str(GOLDEN_DIR / "checks.json")


CASELY = ("cpsc-2025-04-casely-e33a", "cpsc-2026-04-casely-e33a-reannounced")


def changed_copy(data_copy, tmp_path):
    new = tmp_path / "new-data"
    shutil.copytree(data_copy, new)
    # Both Casely E33A records (the 2025 recall and its 2026 re-announcement) go.
    edit_json(new / "recalls.json",
         lambda records: [records.remove(r) for r in list(records)
                          if r["recall_id"] in CASELY])

    def loosen_emirates(rules):
        rule = next(r for r in rules if r["rule_id"] == "airline-ek-2025-10")
        rule["max_count_total"] = 2
        added = dict(rule, rule_id="airline-ek-2027-01", effective_from="2027-01-01")
        rules.append(added)

    edit_json(new / "rules.json", loosen_emirates)
    return new


def test_diff_between_databases_lists_changes_and_flipped_verdicts(runner, data_copy, tmp_path):
    new_data = changed_copy(data_copy, tmp_path)
    old_db, new_db = tmp_path / "old.sqlite", tmp_path / "new.sqlite"
    build_database(data_copy, old_db)
    build_database(new_data, new_db)
    result = runner.invoke(args=["data", "diff", str(old_db), str(new_db), "--checks", GOLDEN])
    assert result.exit_code == 0, result.output
    out = result.output.splitlines()
    assert "recalls: 0 new, 2 removed, 0 changed" in out
    assert "  - cpsc-2025-04-casely-e33a" in out
    assert "  - cpsc-2026-04-casely-e33a-reannounced" in out
    assert "rules: 1 new, 0 removed, 1 changed" in out
    assert "  + airline-ek-2027-01" in out
    assert "  ~ airline-ek-2025-10: max_count_total" in out
    assert "models: no change" in out
    flips = [line for line in out if line.startswith("  ! ")]
    # E33A is in the catalogue (5,000 mAh): without its recall it is allowed.
    assert "  ! recall-model-wide-e33a: forbidden -> allowed" in flips
    assert "  ! ek-two-forbidden: forbidden -> allowed" in flips
    assert len(flips) == 2
    assert any(line.startswith("Sample checks: 2 of ") for line in out)


def test_diff_accepts_data_directories(runner, data_copy, tmp_path):
    new_data = changed_copy(data_copy, tmp_path)
    result = runner.invoke(args=["data", "diff", str(data_copy), str(new_data), "--checks", GOLDEN])
    assert result.exit_code == 0, result.output
    assert "  - cpsc-2025-04-casely-e33a" in result.output


def test_no_change_is_said_plainly(runner, data_copy, tmp_path):
    build_database(data_copy, tmp_path / "a.sqlite")
    result = runner.invoke(args=["data", "diff", str(tmp_path / "a.sqlite"), str(data_copy),
                                 "--checks", GOLDEN])
    assert result.exit_code == 0, result.output
    assert "recalls: no change" in result.output and "rules: no change" in result.output
    assert "Sample checks: none of" in result.output


def test_a_sample_check_that_no_longer_parses_is_reported(runner, data_copy, tmp_path):
    checks = tmp_path / "checks.json"
    checks.write_text(json.dumps({"checks": [
        {"id": "needs-ek", "input": {"wh": "50", "airline": "EK", "date": "2026-01-10"},
         "expected": "allowed", "rule_id": "airline-ek-2025-10", "why": "test"}]}))
    new = tmp_path / "new-data"
    shutil.copytree(data_copy, new)

    def drop_emirates(rules):
        rules[:] = [r for r in rules if r["airline"] != "EK"]

    edit_json(new / "rules.json", drop_emirates)
    for name in ("airlines.csv", "airline_overrides.csv"):
        (new / name).write_text("\n".join(
            line for line in (new / name).read_text().splitlines()
            if not line.startswith("EK,")) + "\n")
    result = runner.invoke(args=["data", "diff", str(data_copy), str(new), "--checks",
                                 str(checks)])
    assert result.exit_code == 0, result.output
    assert "  ! needs-ek: allowed -> error: airline: 'EK' is not an airline code we know" \
        in result.output


def test_invalid_data_directory_is_an_error(runner, data_copy, tmp_path):
    bad = tmp_path / "bad-data"
    shutil.copytree(data_copy, bad)
    edit_json(bad / "rules.json", lambda rules: rules[0].update(scope="galactic"))
    result = runner.invoke(args=["data", "diff", str(data_copy), str(bad), "--checks", GOLDEN])
    assert result.exit_code != 0
    assert "field 'scope'" in result.output


def test_the_sample_checks_are_a_required_file_not_a_path_into_tests(runner, data_copy, tmp_path):
    """Runtime code never reads tests/ (the container image leaves it out): without --checks
    the command says which option is missing instead of failing on a missing file."""
    build_database(data_copy, tmp_path / "a.sqlite")
    result = runner.invoke(args=["data", "diff", str(tmp_path / "a.sqlite"), str(data_copy)])
    assert result.exit_code == 2
    assert "Missing option '--checks'" in result.output
    missing = runner.invoke(args=["data", "diff", str(tmp_path / "a.sqlite"), str(data_copy),
                                  "--checks", str(tmp_path / "no-such-checks.json")])
    assert missing.exit_code == 2 and "no-such-checks.json" in missing.output
