"""Where each recall comes from: the build refuses unsourced "verified" marks and proxy copies,
`flask data report --sources` lists what still rests on secondary pages, and /data shows the
share of official primary sources per kind."""

import re

import pytest

from compliance.data.build import DataError, build_database, load_sources
from compliance.data.report import OFFICIAL, RECORD_KINDS, summarize, unofficial_sources

from tests.helpers import DATA_DIR, edit_json, make_app, page_text, problems_for


@pytest.fixture(scope="module")
def sources():
    return load_sources(DATA_DIR)


# --- the data build ---------------------------------------------------------------------------


def test_a_verified_recall_without_a_quote_is_refused(data_copy):
    def unquote(records):
        record = next(r for r in records if r["confidence"] == "verified")
        record["quote"] = "   "
        return record

    records = edit_json(data_copy / "recalls.json", unquote)
    target = next(r for r in records if r["confidence"] == "verified" and not r["quote"].strip())
    problems = problems_for(data_copy)
    assert (f"data/recalls.json: recall_id {target['recall_id']}: field 'quote': a verified "
            "record quotes the issuer's text it was checked against") in problems


def test_a_proxy_or_mirror_url_is_refused_wherever_it_appears(data_copy):
    proxy = "https://www-scmp-com.libproxy1.nus.edu.sg/news/article/1"
    mirror = "https://decorvow.pages.dev/some-copy"

    def poison(records):
        records[0]["source_url"] = proxy
        records[1]["other_sources"] = [*records[1].get("other_sources", []), mirror]

    records = edit_json(data_copy / "recalls.json", poison)
    problems = problems_for(data_copy)
    for record, url in ((records[0], proxy), (records[1], mirror)):
        assert any(p.startswith(f"data/recalls.json: recall_id {record['recall_id']}: field "
                                "'source_url/other_sources'") and url in p for p in problems), url


def test_a_recall_without_source_kind_is_refused(data_copy):
    records = edit_json(data_copy / "recalls.json", lambda rs: rs[2].pop("source_kind"))
    assert (f"data/recalls.json: recall_id {records[2]['recall_id']}: field 'source_kind': "
            "required (official, government_news, news or other)") in problems_for(data_copy)


def test_an_unknown_source_kind_or_recall_kind_is_a_schema_error(data_copy):
    def bad(records):
        records[0]["source_kind"] = "blog"
        records[1]["kind"] = "advisory"

    records = edit_json(data_copy / "recalls.json", bad)
    problems = problems_for(data_copy)
    assert any(f"(recall_id={records[0]['recall_id']}): field 'source_kind'" in p
               for p in problems)
    assert any(f"(recall_id={records[1]['recall_id']}): field 'kind'" in p for p in problems)


def test_a_bad_recalls_file_never_replaces_the_database(data_copy, tmp_path):
    db = tmp_path / "c.sqlite"
    build_database(data_copy, db)
    before = db.read_bytes()
    edit_json(data_copy / "recalls.json", lambda rs: rs[0].update(confidence="verified", quote=None))
    with pytest.raises(DataError):
        build_database(data_copy, db)
    assert db.read_bytes() == before


# --- the real recall data ---------------------------------------------------------------------


def test_every_recall_says_where_it_comes_from(sources):
    recalls = sources["recalls"]
    assert len(recalls) >= 75
    for recall in recalls:
        assert recall["source_kind"] in {"official", "government_news", "news", "other"}
        if recall["confidence"] == "verified":
            assert recall["quote"].strip(), recall["recall_id"]
            # verified means the issuer's own text or a government reproduction of it
            assert recall["source_kind"] in {"official", "government_news"}, recall["recall_id"]
        for url in [recall["source_url"], *recall.get("other_sources", [])]:
            assert not re.search(r"libproxy|ezproxy|\.pages\.dev|\.netlify\.app|newszop",
                                 url), (recall["recall_id"], url)


def test_warnings_and_aliases_as_the_notices_give_them(sources):
    by_id = {r["recall_id"]: r for r in sources["recalls"]}
    assert by_id["cpsc-2025-06-newdery-zhx-pb22-warning"]["kind"] == "warning"
    assert by_id["cpsc-2026-09-newdery-zhx-pb22"]["recall_number"] == "26-792"
    assert by_id["cpsc-2024-06-baseus-ppcxm06-ppcxw06"]["aliases"] == ["PPXCW06"]
    assert "PPCXM06A" not in by_id["hc-2024-07-baseus-ppcxm06-ppcxw06"]["models"]
    assert by_id["cpsc-2018-03-amazonbasics-power-banks"]["date"] == "2018-03-12"
    assert by_id["cpsc-2025-12-iniu-bi-b41"]["source_url"].startswith("https://www.cpsc.gov/")
    for recall in by_id.values():
        assert not set(recall.get("aliases", [])) & set(recall["models"]), recall["recall_id"]


# --- flask data report --sources and /data ----------------------------------------------------


def expected_shares(sources):
    return {kind: (sum(r.get("source_kind") == OFFICIAL for r in sources[kind]),
                   len(sources[kind])) for kind in RECORD_KINDS}


def test_report_sources_lists_every_record_without_an_official_source(runner, client, sources):
    result = runner.invoke(args=["data", "report", "--sources"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for kind, (official, total) in expected_shares(sources).items():
        percent = official * 100 // total if total else 0
        assert f"{kind} {official}/{total} ({percent} %)" in lines[0]
    listed = {}
    for line in lines:
        match = re.match(r"^  (.+?)\s+(official|government_news|news|other|unset)\s+(\S+)$", line)
        if match:
            listed[match[1]] = (match[2], match[3])
    for kind, id_field in RECORD_KINDS.items():
        for record in sources[kind]:
            key = str(record[id_field])
            if record.get("source_kind") == OFFICIAL:
                continue
            assert key in listed, (kind, key)
            assert listed[key] == (record.get("source_kind") or "unset", record["source_url"])
    recalls = {r["recall_id"] for r in sources["recalls"] if r["source_kind"] == OFFICIAL}
    assert not recalls & set(listed)
    assert f"Records whose primary source is not official: {len(unofficial_sources(sources))}" \
        in result.output


def test_plain_report_also_gives_the_official_share(runner, client, sources):
    result = runner.invoke(args=["data", "report"])
    assert result.exit_code == 0, result.output
    official, total = expected_shares(sources)["recalls"]
    assert f"Official primary sources: recalls {official}/{total}" in result.output


def test_data_page_shows_the_official_share_per_kind(client, sources):
    response = client.get("/data")
    assert response.status_code == 200
    text = page_text(response)
    summary = summarize(sources)
    labels = {"recalls": "Recalls", "rules": "Rules", "models": "Model catalogue"}
    for kind, (official, total) in expected_shares(sources).items():
        share = summary.official[kind]
        assert (share.official, share.records) == (official, total)
        assert f"{labels[kind]}: {official} of {total} official ({share.percent} %)" in text


def test_data_page_share_follows_the_data(data_copy, tmp_path):
    """Mark every recall official on a copy: the page must say 100 %, not a fixed figure."""
    def all_official(records):
        for record in records:
            record["source_kind"] = "official"

    records = edit_json(data_copy / "recalls.json", all_official)
    db = tmp_path / "c.sqlite"
    build_database(data_copy, db)
    client = make_app(db).test_client()
    text = page_text(client.get("/data"))
    assert f"Recalls: {len(records)} of {len(records)} official (100 %)" in text


def test_data_page_share_is_translated(client):
    text = page_text(client.get("/data?lang=ja"))
    assert "Share of records whose primary source is the issuer's own page" not in text
