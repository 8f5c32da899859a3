"""Fold imported recall records into ``data/recalls.json``, validated and atomically.

Matching, in order: the same agency and recall number (compared on letters and digits, so the
API's "25466" is the published "25-466"); else a record of the same agency without a number, on
the same date (or, if none is dated so, the only undated one) whose models overlap, which then
gets the number. A matched record keeps what people curated and the agency's format cannot say
(brand and product names, jurisdiction, serial patterns, notes, a narrower scope) and takes the
agency's own facts (number, date, source URL; hazard, remedy and units where it states
them), gains any new model numbers, and is marked checked today and verified. Anything else is
added. The result is validated exactly like hand-written data before it replaces the file, so a
bad import changes nothing, and importing the same file twice on the same day leaves the file
byte-identical.
"""

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from compliance.core.normalize import brand_keys, fold, normalize_model
from compliance.core.vocabulary import RecallScope
from compliance.data.build import DATA_FILES, DataError, load_sources

from . import ImportProblem

#: Fields the agency's own record settles; the merged record takes them from the import.
AGENCY_FIELDS = ("recall_number", "date", "source_url", "source_kind", "hazard", "remedy",
                 "units", "checked", "confidence", "quote")
#: Fields the import only fills where the record has nothing yet.
FILL_FIELDS = ("how_to_identify", "remedy_url", "scope_detail")


@dataclass
class MergeReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    changed_file: bool = False


def dump_records(records: list[dict]) -> str:
    """The one serialisation of data files: 2-space indent, UTF-8 as is, final newline."""
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def merge_recalls(existing: list[dict], imported: list[dict],
                  brands: tuple[str, ...] = ()) -> tuple[list[dict], MergeReport]:
    report = MergeReport()
    merged = [dict(r) for r in existing]
    taken_ids = {r["recall_id"] for r in merged}
    for record in imported:
        target = _find_match(merged, record, brands)
        if target is None:
            new = dict(record)
            new["recall_id"] = _unique_id(new["recall_id"], new["recall_number"], taken_ids)
            taken_ids.add(new["recall_id"])
            merged.append(new)
            report.added.append(new["recall_id"])
            continue
        before = json.dumps(target, sort_keys=True)
        _update(target, record, brands)
        (report.updated if json.dumps(target, sort_keys=True) != before
         else report.unchanged).append(target["recall_id"])
    return sort_recalls(merged), report


def sort_recalls(records: list[dict]) -> list[dict]:
    """Newest first, undated last; ties keep their order (the file's order is reviewable)."""
    dated = sorted((r for r in records if r["date"]), key=lambda r: r["date"], reverse=True)
    return dated + [r for r in records if not r["date"]]


def _number_key(number: str | None) -> str:
    return fold(number) if number else ""


def _model_keys(record: dict, brands) -> set[str]:
    return {normalize_model(m, brands) for m in record["models"]}


def _find_match(records: list[dict], new: dict, brands) -> dict | None:
    number = _number_key(new["recall_number"])
    for record in records:
        if record["agency"] == new["agency"] and number and \
                _number_key(record["recall_number"]) == number:
            return record
    models = _model_keys(new, brands)
    unnumbered = [r for r in records if r["agency"] == new["agency"] and not r["recall_number"]
                  and _model_keys(r, brands) & models]
    same_day = [r for r in unnumbered if r["date"] == new["date"]]
    if len(same_day) == 1:
        return same_day[0]
    undated = [r for r in unnumbered if r["date"] is None]
    if not same_day and len(undated) == 1:
        return undated[0]
    return None


def _update(target: dict, new: dict, brands) -> None:
    old_source = target.get("source_url")
    for key in AGENCY_FIELDS:
        if new[key] is not None:
            target[key] = new[key]
    for key in FILL_FIELDS:
        if not target.get(key) and new.get(key):
            target[key] = new[key]
    if old_source and _without_scheme(old_source) != _without_scheme(new["source_url"]):
        others = list(target.get("other_sources") or [])
        if old_source not in others:
            others.insert(0, old_source)
        target["other_sources"] = others
    known = _model_keys(target, brands)
    for model in new["models"]:
        key = normalize_model(model, brands)
        if key not in known:
            target["models"] = [*target["models"], model]
            known.add(key)
    narrowed_by_people = target["scope"] != RecallScope.MODEL and new["scope"] == RecallScope.MODEL
    if not narrowed_by_people and target["scope"] != new["scope"]:
        target["scope"] = new["scope"]
        target["scope_detail"] = new["scope_detail"]


def _without_scheme(url: str) -> str:
    """http and https addresses of the same page are one source."""
    return url.split("://", 1)[-1]


def _unique_id(base: str, number: str | None, taken: set[str]) -> str:
    candidate = base
    if candidate in taken and number:
        candidate = f"{base[:70]}-{fold(number).lower()}"[:81].rstrip("-")
    suffix = 2
    while candidate in taken:
        candidate = f"{base[:76]}-{suffix}"
        suffix += 1
    return candidate


def import_recalls(data_dir: Path, imported: list[dict]) -> MergeReport:
    """Merge ``imported`` into ``data_dir/recalls.json`` if, and only if, the result validates.

    The merged file is first written into a temporary copy of the data directory and checked
    with :func:`~compliance.data.build.load_sources`; only then is it moved over the real file
    with an atomic rename. Raises :class:`ImportProblem` (listing the validation problems)
    otherwise.
    """
    data_dir = Path(data_dir)
    target = data_dir / "recalls.json"
    current_text = target.read_text(encoding="utf-8")
    try:
        sources = load_sources(data_dir)
    except DataError as error:
        raise ImportProblem(["the data files are already invalid; fix them first "
                             "('flask data build' lists the problems)", *error.problems])
    merged, report = merge_recalls(sources["recalls"], imported, brand_keys(sources))
    text = dump_records(merged)
    if text == current_text:
        return report
    with tempfile.TemporaryDirectory(prefix="import-check-") as scratch:
        for name in DATA_FILES:
            if (data_dir / name).exists():
                shutil.copy2(data_dir / name, Path(scratch) / name)
        (Path(scratch) / "recalls.json").write_text(text, encoding="utf-8")
        try:
            load_sources(Path(scratch))
        except DataError as error:
            raise ImportProblem(["the imported records do not validate; nothing was changed",
                                 *error.problems])
    fd, tmp_name = tempfile.mkstemp(prefix="recalls.", suffix=".json.tmp", dir=data_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    report.changed_file = True
    return report
