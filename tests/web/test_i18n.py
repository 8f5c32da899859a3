"""Languages: the catalogs are complete, the reader's language is chosen from Accept-Language
or ``lang=``, the switch keeps the page, and verdicts and conditions are translated while
sources stay as published."""

import re
from html import unescape

import pytest
from babel.messages.pofile import read_po

from compliance.web import i18n
from compliance.web.i18n import LANGUAGES, SOURCE_DIR, compile_catalogs, extract

TRANSLATED = [code for code in LANGUAGES if code != "en"]
#: Python-format placeholders, the {name} ones filled in by JavaScript, and a literal %%.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}|%%")


@pytest.fixture(scope="module")
def fresh_pot(tmp_path_factory):
    """The messages of the code and templates as they are now (not a stale messages.pot)."""
    path = tmp_path_factory.mktemp("pot") / "messages.pot"
    extract(path)
    with path.open("rb") as handle:
        return read_po(handle)


def catalog(language):
    with (SOURCE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def test_the_catalog_has_the_page_verdict_and_condition_messages(fresh_pot):
    ids = {m.id for m in fresh_pot if m.id}
    assert len(ids) > 150
    assert "FORBIDDEN" in ids
    assert "It must bear a clear CCC (3C) mark." in ids
    assert "%(mah)s mAh × %(v)s V ÷ 1000 = %(wh)s Wh" in ids


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(fresh_pot, language):
    translations = catalog(language)
    problems = []
    for message in fresh_pot:
        if not message.id:
            continue
        found = translations.get(message.id)
        if found is None or not found.string:
            problems.append(f"untranslated: {message.id!r}")
        elif found.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif isinstance(message.id, tuple):
            # Plural forms (ngettext): every form of the translation names the placeholders
            # of the plural message (a language with one form uses it for every count).
            wanted = sorted(set(PLACEHOLDER.findall(message.id[1])))
            strings = found.string if isinstance(found.string, tuple) else (found.string,)
            if not all(strings) or any(sorted(set(PLACEHOLDER.findall(form))) != wanted
                                       for form in strings[-1:]):
                problems.append(f"plural forms differ: {message.id!r} -> {found.string!r}")
        elif sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(found.string)):
            problems.append(f"placeholders differ: {message.id!r} -> {found.string!r}")
    assert not problems, (
        f"{len(problems)} problems in {language} (run `flask --app app translate update`, "
        "then translate):\n" + "\n".join(problems))


def test_compiling_only_redoes_changed_catalogs(tmp_path):
    source = tmp_path / "src"
    (source / "ko" / "LC_MESSAGES").mkdir(parents=True)
    po = source / "ko" / "LC_MESSAGES" / "messages.po"
    po.write_bytes((SOURCE_DIR / "ko" / "LC_MESSAGES" / "messages.po").read_bytes())
    target = tmp_path / "out"
    assert compile_catalogs(source, target) == ["ko"]
    assert (target / "ko" / "LC_MESSAGES" / "messages.mo").stat().st_size > 1000
    assert compile_catalogs(source, target) == []
    po.write_bytes(po.read_bytes() + b'\nmsgid "Only for this test"\nmsgstr "\xec\x8b\x9c\xed\x97\x98"\n')
    assert compile_catalogs(source, target) == ["ko"]


def test_translate_compile_command(runner):
    result = runner.invoke(args=["translate", "compile"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("compiled:")


def h1(response) -> str:
    return unescape(re.search(r"<h1[^>]*>(.*?)</h1>", response.get_data(as_text=True)).group(1))


@pytest.mark.parametrize("header, html_lang, heading", [
    ("zh-CN,zh;q=0.9,en;q=0.5", "zh-Hans", "这个充电宝能带上飞机吗？"),
    ("ko-KR,ko;q=0.9", "ko", "이 보조배터리를 비행기에 가지고 탈 수 있나요?"),
    ("ja-JP", "ja", "このモバイルバッテリーは機内に持ち込めますか？"),
    ("fr-FR,fr;q=0.9", "en", "May this power bank fly?"),
])
def test_language_from_accept_language(client, header, html_lang, heading):
    response = client.get("/", headers={"Accept-Language": header})
    assert f'<html lang="{html_lang}">' in response.get_data(as_text=True)
    assert h1(response) == heading


def test_lang_parameter_overrides_the_browser_and_stays_in_the_links(client):
    response = client.get("/?lang=ko", headers={"Accept-Language": "zh-CN"})
    html = response.get_data(as_text=True)
    assert '<html lang="ko">' in html
    assert '<input type="hidden" name="lang" value="ko">' in html
    assert 'class="brand" href="/?lang=ko"' in html
    assert re.search(r'<a href="/\?lang=ko" lang="ko" hreflang="ko" aria-current="true">', html)


def test_language_switch_keeps_the_other_parameters(client):
    html = client.get("/check?wh=50&airline=KE&origin=ICN&destination=NRT").get_data(
        as_text=True)
    links = {code: unescape(url) for url, code in
             re.findall(r'<a href="([^"]+)" lang="([a-zA-Z-]+)" hreflang', html)}
    assert links["zh-Hans"] == "/check?wh=50&airline=KE&origin=ICN&destination=NRT&lang=zh"
    korean = client.get(links["ko"]).get_data(as_text=True)
    assert '<html lang="ko">' in korean and "verdict-allowed" in korean


def test_verdicts_conditions_and_headlines_are_translated_sources_are_not(client):
    query = dict(wh=74, ccc="false", airline="LH", origin="FRA", destination="PVG",
                 airline2="MU", origin2="PVG", destination2="PEK", lang="zh")
    english = client.get("/check", query_string={**query, "lang": "en"}).get_data(as_text=True)
    chinese = client.get("/check", query_string=query).get_data(as_text=True)
    assert "禁止" in chinese and "FORBIDDEN" not in chinese
    assert "CAAC" in chinese
    assert "Forbidden:" not in chinese
    english_sources = re.findall(r'href="(https?://[^"]+)" rel="noopener"', english)
    assert english_sources
    assert english_sources == re.findall(r'href="(https?://[^"]+)" rel="noopener"', chinese)
    allowed = client.get("/check?wh=50&airline=KE&origin=ICN&destination=NRT&lang=ja")
    text = allowed.get_data(as_text=True)
    assert "Do not use it to charge devices on board." not in text
    assert "機内で機器の充電に使わないでください。" in text


def test_country_names_follow_the_language(client):
    html = client.get("/check?wh=50&airline=MU&origin=PVG&destination=PEK&lang=ko").get_data(
        as_text=True)
    assert "중국" in html


def test_unknown_lang_falls_back_to_the_browser_language(client):
    response = client.get("/?lang=xx", headers={"Accept-Language": "ja"})
    assert '<html lang="ja">' in response.get_data(as_text=True)


def test_lang_aliases_are_understood():
    assert i18n.canonical_language("zh_Hans_CN") == "zh"
    assert i18n.canonical_language("KO-kr") == "ko"
    assert i18n.canonical_language("de") is None
