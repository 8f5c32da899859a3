"""The render fast paths give the same pages: translations compiled into the templates per
language (compliance.web.i18n.LanguageEnvironment) against the plain calls, page for page and byte
for byte, in every language."""

import sys
from datetime import datetime, timezone

import pytest

from compliance import results
from compliance.web import i18n, templating
from compliance.web.i18n import LANGUAGES
from tests.helpers import make_app

NOW = datetime.now(timezone.utc).replace(hour=12, minute=0, second=0, microsecond=0)

PAGES = [
    "/",
    "/check?wh=20",
    "/check?mah=20000&v=3.7",
    "/check?mah=20000&v=5",
    "/check?mah=26800&count=2&ccc=false",
    "/check?model=A1263&airline=EK&origin=DXB&destination=LHR",
    "/check?model=A1366&wh=74",
    "/check?unlabelled=true&airline=LH&origin=FRA&destination=JFK",
    "/check?wh=50&airline=KE&origin=ICN&destination=NRT",
    "/check?wh=120&airline=CA&origin=PEK&destination=PVG",
    "/check?wh=90&airline=EK&origin=DXB&destination=LHR&airline2=LH&origin2=LHR"
    "&destination2=FRA",
    "/check?wh=abc&model=A1263",
    "/check",
    "/data",
    "/developers",
    "/api/docs",
    "/embed",
    "/embed/check?wh=30&airline=EK",
    "/embed/check?wh=abc",
    "/v",
    "/v?code=ZZZZ-ZZZZ",
    "/scan",
    "/nope",
    "/r/NOT-A-TOKEN",
]


@pytest.fixture
def fixed_clock(monkeypatch):
    """Every module that took ``utcnow`` from :mod:`compliance.results` reads the fixed time."""
    for module in list(sys.modules.values()):
        if (getattr(module, "__name__", "").startswith("compliance.")
                and getattr(module, "utcnow", None) is results.utcnow):
            monkeypatch.setattr(module, "utcnow", lambda: NOW)


@pytest.fixture
def two_apps(built_db, tmp_path, fixed_clock):
    inlined = make_app(built_db, RESULT_CODES_DATABASE=str(tmp_path / "a.sqlite"))
    plain = make_app(built_db, RESULT_CODES_DATABASE=str(tmp_path / "b.sqlite"))
    plain.jinja_env.inline_translations = False
    assert isinstance(inlined.jinja_env, i18n.LanguageEnvironment)
    return inlined.test_client(), plain.test_client()


def get(client, path, lang):
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}lang={lang}" if lang else path)
    return response.status_code, response.get_data(as_text=True)


@pytest.mark.parametrize("lang", [None, *LANGUAGES])
def test_every_page_the_same_with_translations_compiled_in(two_apps, lang):
    inlined, plain = two_apps
    for path in PAGES:
        assert get(inlined, path, lang) == get(plain, path, lang), path


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_result_and_card_pages_the_same(two_apps, lang):
    inlined, plain = two_apps
    for query in ("wh=20&airline=EK&origin=DXB&destination=LHR", "model=A1263", "mah=30000"):
        url = inlined.get(f"/api/v1/check?{query}").get_json()["result_url"]
        path = "/" + url.split("/", 3)[3]
        for page in (path, path + "/card", path.replace("/R/", "/r/")):
            assert get(inlined, page, lang) == get(plain, page, lang), page


def test_browser_language_is_used_too(two_apps):
    inlined, plain = two_apps
    headers = {"Accept-Language": "ko-KR,ko;q=0.9"}
    one = inlined.get("/check?wh=20", headers=headers).get_data(as_text=True)
    other = plain.get("/check?wh=20", headers=headers).get_data(as_text=True)
    assert one == other and 'lang="ko"' in one


def test_translations_are_really_compiled_in(app):
    """The overlay's compiled source holds the translated text, not a call (so the test above
    compares two different code paths), and what cannot be inlined safely stays a call."""
    with app.test_request_context("/?lang=ja"):
        environment = app.jinja_env.for_catalog(i18n.catalog())
        source, _filename, _uptodate = environment.loader.get_source(environment, "base.html")
        compiled = environment.preprocess(source, "base.html")
        translated = i18n.catalog().ugettext("Skip to content")
    assert translated != "Skip to content"
    assert '{{ _("Skip to content") }}' in source
    assert '{{ _("Skip to content") }}' not in compiled
    assert translated in compiled
    for message, kept in [("100%", True), ("a {{ b }}", True), (" lead", True), ("plain", False)]:
        with app.test_request_context("/"):
            environment = app.jinja_env.for_catalog(_Fixed(message))
            out = environment.preprocess('{{ _("x") }}', "t.html")
        assert (out == '{{ _("x") }}') is kept, message


class _Fixed:
    def __init__(self, text):
        self.text = text

    def ugettext(self, message):
        return self.text


@pytest.mark.parametrize("lang", [*LANGUAGES, "de", "fr"])
def test_num_filter_is_flask_babels_format_decimal(app, lang):
    from decimal import Decimal

    from flask_babel import force_locale, format_decimal

    values = [0, 1, 1.0, 5, 20000, 99.9, 99.99, 99.995, 100.004, 100.0004, 1234567.891, -3.5, 74.0,
              Decimal("12.345"), 3.7, 3.85]
    with app.test_request_context(f"/?lang={lang}"), force_locale(lang):
        for value in values * 2:  # the second time from the cache
            assert templating.number(value) == format_decimal(value, format="#,##0.####"), value


def test_language_links_keep_the_query_as_urlencode_writes_it(app):
    from urllib.parse import quote_plus, urlencode

    for query in ["", "wh=20", "lang=ja", "model=A+1263&lang=zh&wh=20&wh=30",
                  "origin=%E6%9D%B1%E4%BA%AC&x=a%26b%3Dc&empty=", "a=%20&lang=xx&b=~_.-"]:
        with app.test_request_context(f"/check?{query}"):
            from flask import request

            kept = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "lang"])
            prefix = f"/check?{kept}&lang=" if kept else "/check?lang="
            links = templating.language_links()
            assert [link["url"] for link in links] == [prefix + quote_plus(code)
                                                       for code in LANGUAGES]
            assert sum(link["current"] for link in links) == 1


def test_template_url_for_is_flasks(app):
    from flask import url_for

    calls = [("traveller.index", {}), ("traveller.index", {"lang": None}),
             ("traveller.index", {"lang": "zh"}),
             ("data.index", {}), ("staff.scan", {}), ("staff.result_qr_svg", {"token": "1ABC"}),
             ("traveller.index", {"_external": True}), ("traveller.index", {"_anchor": "trip"}),
             ("static", {"filename": "style.css", "v": "0123456789"}),
             # long values: put into a URL built once with a placeholder, or built by Flask
             ("staff.result_qr_svg", {"token": "1" + "ABCDEFGH" * 9}),
             ("staff.result_qr_png", {"token": "1" + "ZYXWVUTS" * 9}),
             ("staff.result_card", {"token": "x_.~-" * 8}),
             ("traveller.index", {"lang": "zh", "model": "A1263" * 8, "wh": "2" * 40}),
             ("staff.result_qr_svg", {"token": "a b/c%d&e?" * 5}),
             ("staff.result_qr_svg", {"token": "~placeholder~" * 3, "x": "_0~placeholder~0_"}),
             ("traveller.index", {"x": "_0~placeholder~0_", "model": "B" * 40}),
             ("traveller.index", {"model": "Ä" * 40}), ("traveller.index", {"n": 12})]
    for base in ("/", "/check?wh=20"):
        for root in ("", "/prefix"):
            with app.test_request_context(base, base_url=f"https://example.org{root}"):
                for _ in range(2):  # the second time from the cache
                    for endpoint, values in calls:
                        assert templating.template_url_for(endpoint, **values) == \
                            url_for(endpoint, **values)


def test_browser_language_as_werkzeug_picks_it(app):
    from compliance.web import i18n

    headers = [None, "", "ko-KR,ko;q=0.9", "fr, ja;q=0.5, zh;q=0.6", "zh-TW", "*", "en;q=0",
               "de-CH,de;q=0.9,en;q=0.8", "ja;q=0.1,ko;q=0.1", "xx;;;q=bad, ko", "ZH-hans-CN"]
    for header in headers:
        with app.test_request_context("/", headers={"Accept-Language": header} if header else {}):
            from flask import request

            expected = request.accept_languages.best_match(list(LANGUAGES)) or "en"
            assert i18n.select_locale() == expected, header


def test_template_globals_still_follow_the_environment(app):
    """make_globals keeps Jinja's ChainMap: a global added after a template was compiled is
    seen, template globals win, and nothing leaks into the environment."""
    environment = app.jinja_env
    template = environment.from_string("{{ late_global | default('none') }}",
                                       globals={"own": 1})
    with app.test_request_context("/"):
        assert template.render() == "none"
        environment.globals["late_global"] = "seen"
        try:
            assert template.render() == "seen"
            assert {"own", "late_global", "url_for"} <= template.globals.keys()
        finally:
            del environment.globals["late_global"]
    assert "own" not in environment.globals


def test_dict_attributes_read_as_jinja_reads_them(app):
    """``d.name`` on a plain dict looks the key up first (LanguageEnvironment.getattr): the
    same text as Jinja's own environment gives, for present and missing keys, keys named like
    dict methods (the method wins, as in Jinja), dict subclasses and other objects."""
    from collections import OrderedDict, defaultdict

    from jinja2 import Environment, UndefinedError

    source = ("{{ d.a }}|{{ d.missing | default('none') }}|{{ d.missing is defined }}|"
              "{{ d.items is callable }}|{{ d.get('a') }}|{{ d.keys | string | length > 0 }}|"
              "{{ d.nested.b }}|{{ d.nested.missing is undefined }}|{{ s.upper() }}")
    plain = Environment(autoescape=True, undefined=app.jinja_env.undefined).from_string(source)
    values = [{"a": 1, "items": "shadowed", "get": 2, "keys": 3, "nested": {"b": "<b>"}},
              OrderedDict(a="x", nested={"b": 2}), defaultdict(str, a="y", nested={})]
    with app.test_request_context("/"):
        ours = app.jinja_env.from_string(source)
        for value in values:
            assert ours.render(d=value, s="abc") == plain.render(d=value, s="abc"), value
        for environment in (app.jinja_env, plain.environment):
            with pytest.raises(UndefinedError, match="'dict object' has no attribute 'missing'"):
                environment.from_string("{{ d.missing.x }}").render(d={"a": 1})


def test_template_globals_given_late_stay_the_templates(app):
    """A template without globals of its own shares the environment's dict; globals given to
    get_template for it later go into its own ChainMap, never into the environment's."""
    environment = app.jinja_env
    with app.test_request_context("/"):
        template = environment.get_template("_conditions.html")
        assert template.globals is environment.globals
        again = environment.get_template("_conditions.html", globals={"mine": 1})
        assert again.globals["mine"] == 1 and again.globals["url_for"] is not None
    assert "mine" not in environment.globals


def test_calls_and_escapes_as_jinja_does(app):
    """The environment's fast ``Context.call`` and ``escape`` (compliance.web.rendering) give
    Jinja's output: for functions that take the context, eval context or environment, callable
    objects, macros, built-in methods, a StopIteration, and every kind of printed value."""
    from jinja2 import Environment, pass_context, pass_environment, pass_eval_context
    from markupsafe import Markup

    class Html:
        def __html__(self):
            return "<i>safe</i>"

    class Callable:
        @pass_context
        def __call__(self, context, x):
            return f"{context.get('n')}:{x}"

    class Text(str):
        pass

    def stop():
        raise StopIteration

    source = ("{% macro m(x) %}<{{ x }}>{% endmacro %}{{ m('&') }}|{{ plain('<a>') }}|"
              "{{ with_context(1) }}|{{ with_eval(2) }}|{{ with_env(3) }}|{{ obj(4) }}|"
              "{{ items.append(5) }}{{ items }}|{{ stop() is undefined }}|{{ 'x&'.upper() }}|"
              "{{ html }}|{{ markup }}|{{ text }}|{{ 7 }}|{{ none }}|{{ 1.5 }}|{{ kw(a='<') }}|"
              "{% autoescape false %}{{ m('x') + '<' }}{% endautoescape %}|"
              "{% macro d(a, b='<d>') %}{{ a }}{{ b }}{% endmacro %}{{ d(1) }}{{ d(1, 2) }}"
              "{{ d(a=3) }}{{ d() }}|{% macro v() %}{{ varargs }}{{ kwargs }}{% endmacro %}"
              "{{ v(1, k='<') }}|{% macro c(x) %}[{{ caller() }}{{ x }}]{% endmacro %}"
              "{% call c('<') %}in{% endcall %}|{% for i in [1, 2] %}{{ m(i) ~ d(i) }}{% endfor %}")
    values = dict(
        plain=lambda x: x * 2, with_context=pass_context(lambda c, x: f"{c.get('n')}{x}"),
        with_eval=pass_eval_context(lambda e, x: f"{e.autoescape}{x}"),
        with_env=pass_environment(lambda e, x: f"{type(e).__name__ != ''}{x}"),
        obj=Callable(), stop=stop, html=Html(), markup=Markup("<b>&amp;</b>"),
        text=Text("<t>"), none=None, kw=lambda **kw: kw, n="N")
    plain = Environment(autoescape=True, undefined=app.jinja_env.undefined)
    with app.test_request_context("/"):
        ours = app.jinja_env.from_string(source).render(items=[], **values)
    assert ours == plain.from_string(source).render(items=[], **values)
    assert "<&amp;>" in ours and "<i>safe</i>" in ours and "N:4" in ours


def test_messages_with_values_format_as_markupsafe_does():
    """format_markup gives ``Markup(text) % values`` for every text and value kind, and the
    same error for a missing value."""
    from markupsafe import Markup

    from compliance.web.rendering import format_markup

    class Html:
        def __html__(self):
            return "<i>ok</i>"

    values = {"a": "<b>&", "n": 5, "x": 2.5, "m": Markup("<em>m</em>"), "h": Html(), "z": None}
    texts = ["%(a)s", "%(a)s and %(n)s at 100 %%", "%(m)s · %(h)s · %(z)s", "no values",
             "%(n)d items", "%(x).1f Wh", "50%", "%(a)s%%(n)s", "%(a)r"]
    for text in texts:
        try:
            expected = Markup(text) % values
        except (ValueError, TypeError) as error:
            with pytest.raises(type(error)):
                format_markup(text, values)
            continue
        got = format_markup(text, values)
        assert (got, type(got)) == (expected, Markup), text
    with pytest.raises(KeyError):
        format_markup("%(missing)s", values)


def test_numbers_as_babel_formats_them():
    """The num filter's own steps (templating._number) give Babel's NumberPattern.apply for
    its pattern, over random and edge values in many locales (their own group and decimal
    symbols, infinity, rounding half-even at the fourth decimal)."""
    import random
    from decimal import Decimal

    from babel import Locale

    rng = random.Random(15)
    values = [0, 1, -1, 1.0, -0.0, 5, 20000, 99.9, 99.995, 100.00005, 99.99995, 1234567.891,
              Decimal("12.345"), Decimal("-0.00005"), Decimal("1E+3"), float("inf"),
              float("-inf"), 1e20, 1e-7, 123456789012345678]
    values += [round(rng.uniform(-1e6, 1e6), rng.randint(0, 8)) for _ in range(400)]
    values += [rng.randint(-10**9, 10**9) for _ in range(100)]
    for code in ("en", "zh", "ja", "ko", "de", "fr", "de_CH", "ar", "hi", "fa", "ru"):
        locale = Locale.parse(code)
        for value in values:
            assert templating._number.__wrapped__(value, type(value), locale) == \
                templating._NUMBER_PATTERN.apply(value, locale), (code, value)


def test_loaded_templates_are_each_languages_own(app, tmp_path):
    """Each language's environment keeps its own compiled templates (the translations are
    compiled into them), and with auto_reload on an edited template is read again."""
    import os

    from jinja2 import FileSystemLoader

    client = app.test_client()
    for lang in ("en", "ja", "zh", "en", "ja"):
        with app.test_request_context(f"/?lang={lang}"):
            skip = i18n.catalog().ugettext("Skip to content")
            template = app.jinja_env.get_template("base.html")
            assert template is app.jinja_env.get_template("base.html")
        html = client.get(f"/?lang={lang}").get_data(as_text=True)
        assert f'<a class="skip" href="#main">{skip}</a>' in html, lang
    with app.test_request_context("/?lang=ja"):
        ja = app.jinja_env.get_template("base.html")
    with app.test_request_context("/?lang=en"):
        assert app.jinja_env.get_template("base.html") is not ja

    # An overlay made after its environment loaded templates loads its own.
    app.jinja_env.inline_translations = False
    app.jinja_env.get_template("base.html")
    page = tmp_path / "base.html"
    page.write_text("one")
    environment = app.jinja_env.overlay(loader=FileSystemLoader(str(tmp_path)))
    assert environment.get_template("base.html").render() == "one"
    environment.auto_reload = True
    page.write_text("two!")
    os.utime(page, (1, 1))
    assert environment.get_template("base.html").render() == "two!"


def test_notices_listed_once_each_in_order():
    """answer_notices: the answer's notices then each flight's, the first of each code and
    airline only (what _notices.html lists next to the verdict)."""
    from types import SimpleNamespace as Answer

    a = {"code": "no_airline_rules", "airline": "W6", "text": "W6"}
    b = {"code": "no_airline_rules", "airline": "LH", "text": "LH"}
    c = {"code": "recall_not_checked", "text": "no model"}
    again = {"code": "no_airline_rules", "airline": "W6", "text": "W6 again"}
    none_airline = {"code": "recall_not_checked", "airline": None, "text": "same as c"}
    legs = [Answer(notices=[a, c], legs=None), Answer(notices=[again, b, none_airline], legs=None)]
    assert templating.answer_notices(Answer(notices=[c], legs=legs)) == [c, a, b]
    assert templating.answer_notices(Answer(notices=[a, again], legs=None)) == [a]
    assert templating.answer_notices(Answer(notices=[], legs=[])) == []


def test_reader_locale_is_flask_babels(app):
    """reader_locale gives what Flask-Babel's get_locale gives: by lang=, by the browser's
    language, under force_locale, and None outside a request; the catalog still follows it."""
    from flask_babel import force_locale, get_locale, refresh

    cases = [("/?lang=zh", {}), ("/?lang=ko", {}), ("/", {"Accept-Language": "ja,en;q=0.5"}),
             ("/", {}), ("/?lang=xx", {"Accept-Language": "zh-CN"})]
    for path, headers in cases:
        with app.test_request_context(path, headers=headers):
            ours = i18n.reader_locale()
        with app.test_request_context(path, headers=headers):
            theirs = get_locale()
        assert ours == theirs, (path, headers)
        with app.test_request_context(path, headers=headers):
            i18n.reader_locale()
            assert get_locale() == theirs and i18n.reader_locale() is get_locale()
    with app.test_request_context("/?lang=zh"):
        i18n.reader_locale()
        with force_locale("ja"):
            assert str(i18n.reader_locale()) == "ja" == str(get_locale())
            assert i18n.catalog().ugettext("Skip to content") != "Skip to content"
        assert str(i18n.reader_locale()) == "zh"
        refresh()
        assert str(i18n.reader_locale()) == "zh"
    with app.app_context():
        assert i18n.reader_locale() == get_locale()
    assert i18n.reader_locale() is None


@pytest.mark.parametrize("lang", [*LANGUAGES, "de"])
def test_country_names_as_babel_names_them(app, lang):
    from babel import Locale

    with app.test_request_context(f"/?lang={lang}"):
        expected_locale = i18n.reader_locale()
        for _ in range(2):  # the second time from the cache
            for code in ("CN", "US", "GB", "DE", "JP", "KR", "AE", "ZZ", "XK", "", None):
                expected = expected_locale.territories.get(code, code) if code else ""
                assert templating.country_name(code) == expected, code
    assert templating.country_name("FR") == Locale("en").territories["FR"]
