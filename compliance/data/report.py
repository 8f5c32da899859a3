"""Where the data comes from: records, verified vs partial and check dates, per source.

One summary feeds the ``/data`` page and ``flask data report``, so both always say the same.
A source is a recall agency, a rule issuer (international body, authority or airline) or, for
the capacity catalogue, a brand.
"""

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

KINDS = ("recalls", "international", "authority", "airline", "catalogue")
#: The three record files and the field that names a record in each.
RECORD_KINDS = {"recalls": "recall_id", "rules": "rule_id", "models": "model"}
OFFICIAL = "official"


@dataclass(frozen=True)
class SourceRow:
    kind: str
    source: str
    records: int
    verified: int
    partial: int
    oldest_checked: str
    newest_checked: str


@dataclass(frozen=True)
class Summary:
    rows: list[SourceRow]
    recalls: int
    rules: int
    models: int
    verified: int
    partial: int
    authorities: int
    airlines_with_rules: int
    rules_by_scope: dict
    recalls_by_agency: dict
    #: Per record kind (recalls, rules, models): records whose primary source is official.
    official: dict


@dataclass(frozen=True)
class OfficialShare:
    kind: str
    official: int
    records: int

    @property
    def percent(self) -> int:
        """Whole percent, rounded down, so 69.9 % never reads as 70 %."""
        return self.official * 100 // self.records if self.records else 0


@dataclass(frozen=True)
class UnofficialSource:
    kind: str
    record: str
    source_kind: str
    source_url: str


def raw_records(db_path: Path) -> dict[str, list[dict]]:
    """The records exactly as in the data files, read back from a built database."""
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    try:
        return {
            "recalls": [json.loads(r) for (r,) in
                        conn.execute("select record from recalls order by recall_id")],
            "rules": [json.loads(r) for (r,) in
                      conn.execute("select record from rules order by rule_id")],
            "models": [json.loads(r) for (r,) in
                       conn.execute("select record from models order by brand, model")],
        }
    finally:
        conn.close()


def summarize(records: dict[str, list[dict]]) -> Summary:
    groups: dict[tuple[str, str], list[dict]] = {}
    for recall in records["recalls"]:
        groups.setdefault(("recalls", recall["agency"]), []).append(recall)
    for rule in records["rules"]:
        groups.setdefault((rule["scope"], rule["issuer"]), []).append(rule)
    for model in records["models"]:
        groups.setdefault(("catalogue", model["brand"]), []).append(model)
    rows = []
    for (kind, source), members in groups.items():
        checked = sorted(m["checked"] for m in members)
        verified = sum(m["confidence"] == "verified" for m in members)
        rows.append(SourceRow(kind, source, len(members), verified, len(members) - verified,
                              checked[0], checked[-1]))
    rows.sort(key=lambda r: (KINDS.index(r.kind), -r.records, r.source.lower()))
    everything = records["recalls"] + records["rules"] + records["models"]
    verified = sum(r["confidence"] == "verified" for r in everything)
    by_scope: dict[str, int] = {}
    for rule in records["rules"]:
        by_scope[rule["scope"]] = by_scope.get(rule["scope"], 0) + 1
    by_agency: dict[str, int] = {}
    for recall in records["recalls"]:
        by_agency[recall["agency"]] = by_agency.get(recall["agency"], 0) + 1
    return Summary(
        rows=rows,
        recalls=len(records["recalls"]),
        rules=len(records["rules"]),
        models=len(records["models"]),
        verified=verified,
        partial=len(everything) - verified,
        authorities=len({r["issuer"] for r in records["rules"] if r["scope"] == "authority"}),
        airlines_with_rules=len({r["airline"] for r in records["rules"] if r["airline"]}),
        rules_by_scope=dict(sorted(by_scope.items())),
        recalls_by_agency=dict(sorted(by_agency.items(), key=lambda kv: (-kv[1], kv[0]))),
        official={kind: OfficialShare(kind, sum(r.get("source_kind") == OFFICIAL
                                                for r in records[kind]), len(records[kind]))
                  for kind in RECORD_KINDS},
    )


def unofficial_sources(records: dict[str, list[dict]]) -> list[UnofficialSource]:
    """Every record whose primary source is not the issuer's own page, by kind then id; a
    record that does not say (no ``source_kind``) is listed as ``unset``."""
    rows = []
    for kind, id_field in RECORD_KINDS.items():
        for record in records[kind]:
            source_kind = record.get("source_kind") or "unset"
            if source_kind != OFFICIAL:
                rows.append(UnofficialSource(kind, str(record[id_field]), source_kind,
                                             record["source_url"]))
    rows.sort(key=lambda r: (list(RECORD_KINDS).index(r.kind), r.record))
    return rows


def format_official_shares(summary: Summary) -> str:
    return "Official primary sources: " + ", ".join(
        f"{share.kind} {share.official}/{share.records} ({share.percent} %)"
        for share in summary.official.values())


def format_sources_report(records: dict[str, list[dict]]) -> str:
    """Plain text: the official share per kind, then every record still to source officially."""
    rows = unofficial_sources(records)
    lines = [format_official_shares(summarize(records)), "",
             f"Records whose primary source is not official: {len(rows)}"]
    for kind in RECORD_KINDS:
        members = [r for r in rows if r.kind == kind]
        if not members:
            continue
        lines += ["", f"{kind} ({len(members)}):"]
        width = max(len(r.record) for r in members)
        lines += [f"  {r.record:<{width}}  {r.source_kind:<15}  {r.source_url}" for r in members]
    return "\n".join(lines)


def format_report(summary: Summary) -> str:
    """Plain text for the terminal: totals, then one line per source."""
    lines = [
        f"Recalls: {summary.recalls} ("
        + ", ".join(f"{k} {v}" for k, v in summary.recalls_by_agency.items()) + ")",
        f"Rules: {summary.rules} ("
        + ", ".join(f"{k} {v}" for k, v in summary.rules_by_scope.items())
        + f"); {summary.authorities} authorities, {summary.airlines_with_rules} airlines "
        "with rules",
        f"Catalogue models: {summary.models}",
        f"Confidence: {summary.verified} verified, {summary.partial} partial",
        format_official_shares(summary),
        "",
    ]
    width = max((len(r.source) for r in summary.rows), default=6)
    lines.append(f"{'kind':<13} {'source':<{width}} {'records':>7} {'verified':>8} "
                 f"{'partial':>7}  checked (oldest..newest)")
    for row in summary.rows:
        lines.append(f"{row.kind:<13} {row.source:<{width}} {row.records:>7} {row.verified:>8} "
                     f"{row.partial:>7}  {row.oldest_checked}..{row.newest_checked}")
    return "\n".join(lines)
