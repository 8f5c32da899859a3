"""What a rebuild changes: records added, removed or edited, and verdicts that flip.

``flask data diff OLD NEW`` compares two built databases (or data directories, built into a
temporary file first). Records are compared by ``recall_id`` / ``rule_id`` (catalogue models by
brand and model), field by field. Then a fixed set of sample checks (the golden set,
``tests/golden/checks.json``) is evaluated against both, so a reviewer sees which answers a data
change would flip before it ships.
"""

import json
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from compliance.core.engine import evaluate
from compliance.core.model import Dataset
from compliance.core.params import ParamError, parse_device, parse_trip

from .build import build_database
from .dataset import load_dataset
from .report import raw_records

ID_FIELDS = {"recalls": "recall_id", "rules": "rule_id", "models": None}


@dataclass
class RecordChanges:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)


@dataclass
class VerdictChange:
    check_id: str
    old: str
    new: str


@dataclass
class DataDiff:
    old_version: str
    new_version: str
    records: dict[str, RecordChanges]
    verdicts: list[VerdictChange]
    checks: int


def _key(kind: str, record: dict) -> str:
    id_field = ID_FIELDS[kind]
    return record[id_field] if id_field else f"{record['brand']} {record['model']}"


def compare_records(kind: str, old: list[dict], new: list[dict]) -> RecordChanges:
    before = {_key(kind, r): r for r in old}
    after = {_key(kind, r): r for r in new}
    changes = RecordChanges(
        added=sorted(set(after) - set(before)),
        removed=sorted(set(before) - set(after)),
    )
    for key in sorted(set(before) & set(after)):
        fields = sorted(
            name for name in set(before[key]) | set(after[key])
            if before[key].get(name) != after[key].get(name)
        )
        if fields:
            changes.changed.append((key, fields))
    return changes


def load_checks(path: Path) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))["checks"]


def verdict_of(check: dict, data: Dataset) -> str:
    """The verdict of one sample check, or ``error: ...`` if its input no longer parses (an
    airline code that disappeared, say)."""
    values = check["input"]
    try:
        device = parse_device(values)
        trip = parse_trip(values, data, date.fromisoformat(values["date"]))
    except ParamError as error:
        return f"error: {error}"
    return evaluate(device, trip, data).verdict.value


def _snapshot(path: Path, scratch: Path, label: str) -> Path:
    """A database file for ``path``: itself, or a data directory built into ``scratch``."""
    path = Path(path)
    if path.is_dir():
        target = scratch / f"{label}.sqlite"
        build_database(path, target)
        return target
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such database file or data directory")
    return path


def diff_data(old_path: Path, new_path: Path, checks: list[dict]) -> DataDiff:
    with tempfile.TemporaryDirectory(prefix="data-diff-") as scratch:
        old_db = _snapshot(old_path, Path(scratch), "old")
        new_db = _snapshot(new_path, Path(scratch), "new")
        old_records, new_records = raw_records(old_db), raw_records(new_db)
        old_data, new_data = load_dataset(old_db), load_dataset(new_db)
    records = {kind: compare_records(kind, old_records[kind], new_records[kind])
               for kind in ID_FIELDS}
    flips = []
    for check in checks:
        before, after = verdict_of(check, old_data), verdict_of(check, new_data)
        if before != after:
            flips.append(VerdictChange(check["id"], before, after))
    return DataDiff(old_data.version, new_data.version, records, flips, len(checks))


def format_diff(result: DataDiff) -> str:
    lines = [f"Data version {result.old_version} -> {result.new_version}"]
    for kind, changes in result.records.items():
        if not (changes.added or changes.removed or changes.changed):
            lines.append(f"{kind}: no change")
            continue
        lines.append(f"{kind}: {len(changes.added)} new, {len(changes.removed)} removed, "
                     f"{len(changes.changed)} changed")
        lines += [f"  + {key}" for key in changes.added]
        lines += [f"  - {key}" for key in changes.removed]
        lines += [f"  ~ {key}: {', '.join(fields)}" for key, fields in changes.changed]
    if result.verdicts:
        lines.append(f"Sample checks: {len(result.verdicts)} of {result.checks} verdicts change")
        lines += [f"  ! {flip.check_id}: {flip.old} -> {flip.new}" for flip in result.verdicts]
    else:
        lines.append(f"Sample checks: none of {result.checks} verdicts changes")
    return "\n".join(lines)
