"""The reader's language, for every message: which language a reader gets, the core's
sentences (through the hook of :mod:`compliance.core.messages`, installed here) and the
templates' (compiled per language), and the message catalogs.

Which language: ``lang=`` (the visible switch puts it in every link, so no cookie is needed),
then the browser's Accept-Language, then English.

The engine marks its sentences with ``_`` from :mod:`compliance.core.messages`, so that pages
show them in the reader's language while the engine itself stays plain Python, usable from the
CLI and tests without Flask.

Only the ``.po`` sources live in ``translations/``; they are compiled to ``.mo`` when the app
starts (into the instance folder, only when a source changed), so a fresh clone works without a
separate build step. ``flask --app app translate extract|update|compile`` maintains them.
"""

import hashlib
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import click
from babel import Locale
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g
from flask.cli import AppGroup
from flask.globals import _cv_app, _cv_request
from flask_babel import Babel, get_locale, get_translations
from jinja2 import pass_eval_context
from jinja2.ext import Extension
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from compliance.config import ROOT, compiled_translations_dir
from compliance.core import messages
from compliance.core.messages import N_, SOURCE_LANGUAGE, use_catalog  # noqa: F401

from .rendering import RenderEnvironment, format_markup

# --- Which language a reader gets -------------------------------------------------------------


#: Language code -> its own name, as shown on the switch.
LANGUAGES = {"en": "English", "zh": "简体中文", "ko": "한국어", "ja": "日本語"}
#: The HTML ``lang`` value (BCP 47) where it differs from the code.
HTML_LANG = {"zh": "zh-Hans"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_CODES = list(LANGUAGES)


def canonical_language(value: str | None) -> str | None:
    """A supported language code from what people pass as ``lang=``: ``zh``, ``zh-CN``,
    ``zh_Hans_CN``, ``KO`` all name one of ours; anything else is None."""
    if not value:
        return None
    primary = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
    return primary if primary in LANGUAGES else None


def chosen_language() -> str | None:
    """The language the reader picked explicitly with ``lang=``, if any."""
    context = _cv_request.get(None)  # has_request_context(), keeping what it found
    return None if context is None else _languages(context.request)[0]


def select_locale() -> str:
    context = _cv_request.get(None)
    return DEFAULT_LANGUAGE if context is None else _languages(context.request)[1]


def _languages(current) -> tuple[str | None, str]:
    """(chosen language, selected language) of the request ``current``, worked out once per
    request: a page asks some ten times (links, the switch, the catalog, ``<html lang>``)."""
    known = getattr(current, "_compliance_languages", None)
    if known is None or known[0] is not current.args:
        chosen = canonical_language(current.args.get("lang"))
        selected = chosen or _browser_language(current.headers.get("Accept-Language"))
        known = current._compliance_languages = (current.args, chosen, selected)
    return known[1], known[2]


@lru_cache(maxsize=1024)
def _browser_language(header: str | None) -> str:
    """Our language for an Accept-Language header, as ``request.accept_languages.best_match``
    gives it (parsed once per distinct header: browsers send a handful of them)."""
    accepted = parse_accept_header(header, LanguageAccept)
    return accepted.best_match(LANGUAGE_CODES) or DEFAULT_LANGUAGE


# --- The reader's catalog, in Python and in templates -----------------------------------------


def catalog(store=None):
    """The reader's message catalog, looked up once per request (``store``: the app context's
    ``g``, when the caller has it).

    English readers get the messages as written, without asking Flask-Babel (most API calls
    and every page in English, so this is the common case).

    Flask-Babel resolves the domain, the locale and its catalog cache on every call (about
    12 µs, and a result page makes some 70 calls). The catalog is kept in Flask-Babel's own
    per-request state, tied to the locale object it was made for, so ``force_locale`` and
    ``refresh`` (which replace or drop that object) still take effect at once.
    """
    # The request's g itself, not through its proxy: this runs for every message.
    if store is None:
        store = g._get_current_object()
    english = getattr(store, "reader_reads_source_language", None)
    if english is None:
        english = store.reader_reads_source_language = select_locale() == DEFAULT_LANGUAGE
    if english:
        return SOURCE_LANGUAGE
    state = getattr(store, "_flask_babel", None)
    memo = getattr(state, "compliance_catalog", None)
    if memo is not None and memo[0] is getattr(state, "babel_locale", None):
        return memo[1]
    reader_locale()  # known before Flask-Babel looks for it
    translations = get_translations()
    state = store._flask_babel
    locale = getattr(state, "babel_locale", None)
    if locale is not None:
        state.compliance_catalog = (locale, translations)
    return translations


def reader_locale():
    """Flask-Babel's ``get_locale()``: read straight from its per-request state once it is
    known (``get_locale`` makes three look-ups through ``g``'s proxy for it), and when it is
    not yet, our :func:`select_locale` as a Locale parsed once per language (``get_locale``
    parses the code again on every request, about 4 µs). The num filter, country names and
    the catalog ask for it several times a page."""
    context = _cv_app.get(None)
    if context is None:
        return get_locale()
    state = getattr(context.g, "_flask_babel", None)
    locale = getattr(state, "babel_locale", None)
    if locale is not None:
        return locale
    babel = context.app.extensions.get("babel")
    if babel is None or babel.locale_selector is not select_locale:
        return get_locale()
    if state is None:
        state = context.g._flask_babel = SimpleNamespace()
    locale = state.babel_locale = _parsed_locale(select_locale())
    return locale


@lru_cache(maxsize=16)
def _parsed_locale(code: str) -> Locale:
    return Locale.parse(code)


def _reader_catalog():
    """The catalog the core's messages use: the reader's inside a request, else English."""
    context = _cv_app.get(None)  # has_app_context(), keeping what it found
    return SOURCE_LANGUAGE if context is None else catalog(context.g)


use_catalog(_reader_catalog)


def _(message: str, **params) -> str:
    """The reader's text for a message of the web layer (a page's label, an error's detail):
    text now, where the core's ``_`` gives a :class:`~compliance.core.messages.Message` that is
    translated when it is shown."""
    return str(messages._(message, **params))


def install_in_templates(app) -> None:
    """Make the templates' ``_`` use :func:`catalog` too (after Flask-Babel's own setup)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalog().ugettext(s),
        ngettext=lambda s, p, n: catalog().ungettext(s, p, n),
        pgettext=lambda c, s: catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalog().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext)


@pass_eval_context
def _template_gettext(eval_context, message: str, **variables) -> str:
    """Jinja's new-style ``gettext``, with the same result, in one template call.

    Why: Jinja's own ``_`` calls ``gettext``, which calls the installed function, each through
    the template context (three dispatches per string); a result page has some 45 strings, and
    those dispatches were a quarter of its rendering time. As in Jinja, the translation is
    marked safe only under autoescape and is always a format string (``%%`` for a percent
    sign), so translators' text is treated exactly as before.
    """
    text = catalog().ugettext(message)
    if eval_context.autoescape:
        return format_markup(text, variables)
    return text % variables


# --- Translations inlined into the templates, one compiled copy per language ------------------


class LanguageEnvironment(RenderEnvironment):
    """Flask's template environment, with the constant messages compiled in per language.

    Why: a result page prints some 60 messages that are plain literals (``{{ _("Result") }}``);
    each costs a template call, a catalog look-up, a Markup and a format at every render, about a
    third of the page. Their translation depends only on the reader's catalog, so each catalog
    gets its own overlay of this environment (same loader, globals and filters, its own cache
    of compiled templates) whose templates have those literals replaced by the translated text
    before compiling (:class:`InlineTranslations`). Messages with variables, or any text that
    could change meaning once inlined, stay calls, so the page is byte for byte the same
    (``tests/web/test_render.py`` compares every page in every language with and without).

    ``inline_translations = False`` on the app's environment turns it off.
    """

    inline_translations = True
    #: The catalog an overlay was made for; None on the app's own environment.
    language_catalog = None

    def get_template(self, name, parent=None, globals=None):
        if self.language_catalog is None and self.inline_translations:
            context = _cv_app.get(None)  # has_app_context(), keeping what it found
            if context is not None:
                return self.for_catalog(catalog(context.g)).get_template(name, parent, globals)
        return super().get_template(name, parent, globals)

    def for_catalog(self, translations) -> "LanguageEnvironment":
        overlays = self.__dict__.setdefault("_language_overlays", {})
        overlay = overlays.get(translations)
        if overlay is None:
            overlay = self.overlay(extensions=[InlineTranslations], cache_size=400)
            overlay.language_catalog = translations
            overlay.__dict__.pop("_language_overlays", None)
            overlays[translations] = overlay
        return overlay


#: ``{{ _("literal") }}`` exactly, the literal without escapes, braces or percent signs.
_LITERAL_MESSAGE = re.compile(r"""\{\{ _\((?:"([^"\\{}%]*)"|'([^'\\{}%]*)')\) \}\}""")
#: Text that would not read back as itself inside a template, or that Jinja's whitespace
#: control next to it could trim: such translations stay calls.
_UNSAFE_INLINE = re.compile(r"[{}%#]|^\s|\s$")


class InlineTranslations(Extension):
    """Replace each ``{{ _("literal") }}`` by its translation in the overlay's catalog, before
    the template is compiled. What it replaces prints exactly that text at render time: the
    call returns the translation as Markup (under autoescape, so printed as is) formatted with
    no variables, which for text without ``%`` is the text itself."""

    def preprocess(self, source, name, filename=None):
        translations = self.environment.language_catalog
        if translations is None:
            return source

        def inline(match):
            message = match.group(1) if match.group(1) is not None else match.group(2)
            text = translations.ugettext(message)
            return match.group(0) if _UNSAFE_INLINE.search(text) else text

        return _LITERAL_MESSAGE.sub(inline, source)


# --- Flask-Babel, the catalogs and `flask translate` ------------------------------------------


SOURCE_DIR = ROOT / "translations"
POT_FILE = SOURCE_DIR / "messages.pot"
BABEL_CFG = ROOT / "babel.cfg"
DOMAIN = "messages"
#: Keywords marking messages in Python and templates (``N_`` marks without translating).
KEYWORDS = ("_", "N_", "gettext", "ngettext:1,2", "lazy_gettext")


def compile_catalogs(source_dir: Path, target_dir: Path) -> list[str]:
    """Compile every ``<lang>/LC_MESSAGES/messages.po`` under ``source_dir`` whose compiled
    copy under ``target_dir`` is missing or was made from other text. Returns the languages
    compiled. Each ``.mo`` is written to a temporary file and renamed, so concurrent app starts
    never read half a catalog."""
    compiled = []
    for po_path in sorted(source_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        language = po_path.parent.parent.name
        source = po_path.read_bytes()
        digest = hashlib.sha256(source).hexdigest()
        out_dir = target_dir / language / "LC_MESSAGES"
        mo_path, stamp_path = out_dir / f"{DOMAIN}.mo", out_dir / f"{DOMAIN}.sha256"
        if mo_path.exists() and stamp_path.exists() and stamp_path.read_text() == digest:
            continue
        out_dir.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=DOMAIN)
        for path, text in ((mo_path, None), (stamp_path, digest)):
            fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                if text is None:
                    write_mo(out, catalog)
                else:
                    out.write(text.encode())
            os.replace(tmp, path)
        compiled.append(language)
    return compiled


def compiled_dir(app) -> Path:
    return compiled_translations_dir(app)


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "--quiet", *args])


def extract(pot_file: Path = POT_FILE) -> None:
    """Collect every marked message of the Python code and the templates into ``pot_file``."""
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    _pybabel("extract", "-F", str(BABEL_CFG), "--no-default-keywords", *keywords,
             "--no-location", "--sort-output", "--project", "powerbank-flight-check",
             "-o", str(pot_file), str(ROOT))


@click.group("translate", cls=AppGroup, help="Maintain the message catalogs in translations/.")
def translate_cli():
    pass


@translate_cli.command("extract", help="Write translations/messages.pot from code and templates.")
def extract_command():
    extract()
    click.echo(f"wrote {POT_FILE.relative_to(ROOT)}")


@translate_cli.command("update", help="Extract, then merge new messages into every language.")
def update_command():
    extract()
    _pybabel("update", "-i", str(POT_FILE), "-d", str(SOURCE_DIR), "--no-fuzzy-matching",
             "--ignore-obsolete", "--no-wrap")
    for language in LANGUAGES:
        po_path = SOURCE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po_path.exists():
            with po_path.open("rb") as handle:
                catalog = read_po(handle)
            todo = sum(1 for m in catalog if m.id and (not m.string or m.fuzzy))
            click.echo(f"{language}: {todo} messages to translate")


@translate_cli.command("init", help="Start the catalog of a new language, e.g. 'init fr'.")
@click.argument("language")
def init_command(language):
    _pybabel("init", "-i", str(POT_FILE), "-d", str(SOURCE_DIR), "-l", language, "--no-wrap")


@translate_cli.command("compile", help="Compile changed catalogs (the app also does at start).")
def compile_command():
    from flask import current_app

    done = compile_catalogs(SOURCE_DIR, compiled_dir(current_app))
    click.echo(f"compiled: {', '.join(done) or 'nothing changed'}")


def init_app(app) -> None:
    target = compiled_dir(app)
    compile_catalogs(SOURCE_DIR, target)
    if "jinja_env" not in app.__dict__:  # not yet made: make it the per-language kind
        app.jinja_environment = LanguageEnvironment
    Babel(app, locale_selector=select_locale)
    install_in_templates(app)
    app.cli.add_command(translate_cli)
    app.jinja_env.globals.update(
        html_lang=lambda: HTML_LANG.get(select_locale(), select_locale()),
        chosen_language=chosen_language,
    )
